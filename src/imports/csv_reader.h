// Reading CSV files as exported by spreadsheets and CRMs (RFC 4180: fields quoted with
// '"', a quote inside doubled, commas and newlines inside quotes), through libcsv, one
// physical line at a time so that every record knows the line it starts on. A record with
// broken quoting is reported with its line and skipped, and reading goes on at the next
// line; one left open at the end of the file (an unterminated quote) is reported too.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "imports/text_encoding.h"

namespace tandem {

struct CsvRecord {
  int64_t line = 0;  // where the record starts, from 1
  std::vector<std::string> fields;
};

struct CsvProblem {
  int64_t line = 0;
  std::string message;
};

class CsvReader {
 public:
  CsvReader();
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Feeds physical line `number` (its terminator included). Complete records are appended
  // to `records`, broken ones to `problems`.
  void Feed(std::string_view line, int64_t number, std::vector<CsvRecord>& records,
            std::vector<CsvProblem>& problems);
  // Line `number` cannot be read (`why`): the record open across it, if any, is broken
  // with it; else the line alone is reported.
  void Reject(int64_t number, std::string_view why, std::vector<CsvProblem>& problems);
  // The end of the input.
  void Finish(std::vector<CsvRecord>& records, std::vector<CsvProblem>& problems);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

struct CsvFileFacts {
  TextEncoding encoding = TextEncoding::kUtf8;
  bool bom = false;
  int64_t lines = 0;
};

// The longest physical line read, and the most lines one record may span.
inline constexpr size_t kMaxCsvLine = 1 << 20;
inline constexpr int64_t kMaxCsvRecordLines = 1000;

// Reads all of `in`: its encoding from its first 64 KB (DetectEncoding), each record to
// `record` (whose error stops the reading and is returned), each problem to `problem`.
StatusOr<CsvFileFacts> ReadCsv(std::istream& in, const std::function<Status(CsvRecord&&)>& record,
                               const std::function<void(CsvProblem&&)>& problem);

}  // namespace tandem
