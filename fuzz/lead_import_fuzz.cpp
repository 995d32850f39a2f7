// Fuzz target: a lead import file (imports/). Reading never crashes or reads outside its
// input; every record and problem names a line the file has, records in order; the header
// maps or is refused with invalid_columns; each row is a lead with a normalized address or
// a rejection naming its own line.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <string>

#include "imports/csv_reader.h"
#include "imports/lead_import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  std::optional<tandem::ColumnMapping> mapping;
  int64_t last_line = 0;
  auto facts = tandem::ReadCsv(
      in,
      [&](tandem::CsvRecord&& record) -> tandem::Status {
        if (record.line < 1 || record.line < last_line) std::abort();
        last_line = record.line;
        if (!mapping) {
          auto mapped = tandem::MapColumns(record.fields);
          if (!mapped.ok()) {
            if (mapped.status().error_code() != "invalid_columns") std::abort();
            return mapped.status();
          }
          mapping = std::move(*mapped);
          return tandem::OkStatus();
        }
        auto row = tandem::ReadLeadRow(record, *mapping, {});
        if (auto* lead = std::get_if<tandem::ImportedLead>(&row)) {
          if (lead->email.empty() || lead->line != record.line) std::abort();
        } else if (std::get<tandem::CsvProblem>(row).line != record.line) {
          std::abort();
        }
        return tandem::OkStatus();
      },
      [&](tandem::CsvProblem&& problem) {
        if (problem.line < 1) std::abort();
      });
  if (facts.ok() && last_line > facts->lines) std::abort();
  return 0;
}
