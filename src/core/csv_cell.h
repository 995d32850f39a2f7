// CSV as Tandem writes it (RFC 4180, CRLF line ends), safe to open in a spreadsheet:
// a cell is quoted when it holds a comma, a quote or a line break, and starts with an
// apostrophe when a spreadsheet would run it as a formula (it begins with =, +, -, @, a
// tab or a carriage return) — any text a form sent may be hostile.
#pragma once

#include <string>
#include <string_view>

namespace tandem {

std::string CsvCell(std::string_view text);
// Appends CsvCell(text) to `out`, without a copy when the cell needs no change.
void AppendCsvCell(std::string& out, std::string_view text);

// The records of `csv` whose first cell is `first_cell`, whole and in order: a record
// ends at a line break outside quotes, so a quoted cell's line breaks stay in it.
std::string CsvRecordsStartingWith(std::string_view csv, std::string_view first_cell);

}  // namespace tandem
