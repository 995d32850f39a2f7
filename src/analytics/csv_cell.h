// One cell of a report's CSV (RFC 4180): quoted when it holds a comma, a quote or a line
// break, and with a leading apostrophe when a spreadsheet would run it as a formula
// (it begins with =, +, -, @, a tab or a carriage return).
#pragma once

#include <string>
#include <string_view>

namespace tandem {

std::string CsvCell(std::string_view text);

}  // namespace tandem
