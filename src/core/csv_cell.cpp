#include "core/csv_cell.h"

namespace tandem {

void AppendCsvCell(std::string& out, std::string_view text) {
  const bool formula =
      !text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos;
  // One pass over the text (find_first_of would search the set once per character).
  bool quoted = false;
  for (char c : text) {
    if (c == ',' || c == '"' || c == '\r' || c == '\n') {
      quoted = true;
      break;
    }
  }
  if (!formula && !quoted) {
    out += text;
    return;
  }
  if (quoted) out += '"';
  if (formula) out += '\'';
  for (size_t at = 0;;) {  // each quote doubled
    const size_t quote = text.find('"', at);
    out += text.substr(at, quote == std::string_view::npos ? quote : quote + 1 - at);
    if (quote == std::string_view::npos) break;
    out += '"';
    at = quote + 1;
  }
  if (quoted) out += '"';
}

std::string CsvCell(std::string_view text) {
  std::string cell;
  AppendCsvCell(cell, text);
  return cell;
}

std::string CsvRecordsStartingWith(std::string_view csv, std::string_view first_cell) {
  std::string out;
  size_t start = 0;
  bool in_quotes = false;
  for (size_t i = 0; i < csv.size(); ++i) {
    if (csv[i] == '"') in_quotes = !in_quotes;  // "" inside a cell toggles twice
    if (csv[i] != '\n' || in_quotes) continue;
    const std::string_view record = csv.substr(start, i + 1 - start);
    if (record.starts_with(first_cell) && record.size() > first_cell.size() &&
        (record[first_cell.size()] == ',' || record[first_cell.size()] == '\r')) {
      out += record;
    }
    start = i + 1;
  }
  return out;
}

}  // namespace tandem
