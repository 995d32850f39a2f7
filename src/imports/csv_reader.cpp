#include "imports/csv_reader.h"

#include <csv.h>
#include <fmt/format.h>

#include <algorithm>

namespace tandem {

constexpr size_t kSample = 64 * 1024;

struct CsvReader::State {
  csv_parser parser{};
  std::vector<std::string> fields;
  int64_t line = 0;        // the line being fed
  int64_t started_on = 0;  // the line the open record started on (0: none open)
  std::vector<CsvRecord>* records = nullptr;

  State() { Reset(); }
  ~State() { csv_free(&parser); }

  void Reset() {
    csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
    fields.clear();
    started_on = 0;
  }

  static void OnField(void* data, size_t size, void* self) {
    auto* s = static_cast<State*>(self);
    if (s->started_on == 0) s->started_on = s->line;  // a second record on one line (a lone CR)
    s->fields.emplace_back(data == nullptr ? "" : std::string(static_cast<char*>(data), size));
  }

  static void OnRecord(int, void* self) {
    auto* s = static_cast<State*>(self);
    if (s->started_on == 0) s->started_on = s->line;
    s->records->push_back({s->started_on, std::move(s->fields)});
    s->fields.clear();
    s->started_on = 0;
  }

  void Broken(std::vector<CsvProblem>& problems, std::string_view what) {
    const int64_t from = started_on != 0 ? started_on : line;
    problems.push_back({from, from == line ? fmt::format("line {}: {}", line, what)
                                           : fmt::format("lines {}-{}: {}", from, line, what)});
    csv_free(&parser);
    Reset();
  }
};

CsvReader::CsvReader() : state_(std::make_unique<State>()) {}
CsvReader::~CsvReader() = default;

void CsvReader::Feed(std::string_view line, int64_t number, std::vector<CsvRecord>& records,
                     std::vector<CsvProblem>& problems) {
  State& s = *state_;
  s.line = number;
  s.records = &records;
  if (s.started_on == 0) {
    // No record open: this line starts one, unless it is blank.
    if (line.find_first_not_of(" \t\r\n") == std::string_view::npos) return;
    s.started_on = number;
  } else if (number - s.started_on >= kMaxCsvRecordLines) {
    s.Broken(problems, fmt::format("a quoted field runs over {} lines", kMaxCsvRecordLines));
    return;
  }
  const size_t used =
      csv_parse(&s.parser, line.data(), line.size(), State::OnField, State::OnRecord, &s);
  if (used != line.size()) {
    s.Broken(problems, fmt::format("broken quoting ({}): a quote must open a field, close it, "
                                   "or be doubled inside it",
                                   csv_strerror(csv_error(&s.parser))));
  }
}

void CsvReader::Reject(int64_t number, std::string_view why, std::vector<CsvProblem>& problems) {
  State& s = *state_;
  s.line = number;
  if (s.started_on != 0) {
    s.Broken(problems, why);
  } else {
    problems.push_back({number, fmt::format("line {}: {}", number, why)});
  }
}

void CsvReader::Finish(std::vector<CsvRecord>& records, std::vector<CsvProblem>& problems) {
  State& s = *state_;
  s.records = &records;
  if (csv_fini(&s.parser, State::OnField, State::OnRecord, &s) != 0) {
    s.Broken(problems, "a quoted field is never closed");
  }
}

namespace {

// The file's first 64 KB (and up to 3 bytes more: a UTF-8 sequence the mark cuts is whole)
// without a BOM, its encoding and whether it had a BOM in `facts`.
StatusOr<std::string> ReadSample(std::istream& in, CsvFileFacts& facts) {
  std::string sample(kSample + 3, '\0');
  in.read(sample.data(), static_cast<std::streamsize>(kSample + 3));
  sample.resize(static_cast<size_t>(in.gcount()));
  const size_t bom = Utf8BomLength(sample);
  facts.bom = bom > 0;
  sample.erase(0, bom);
  TANDEM_ASSIGN_OR_RETURN(facts.encoding, DetectEncoding(sample, !in.good()));
  return sample;
}

}  // namespace

StatusOr<CsvFileFacts> ReadCsv(std::istream& in, const std::function<Status(CsvRecord&&)>& record,
                               const std::function<void(CsvProblem&&)>& problem) {
  CsvFileFacts facts;
  TANDEM_ASSIGN_OR_RETURN(std::string pending, ReadSample(in, facts));
  CsvReader reader;
  std::vector<CsvRecord> records;
  std::vector<CsvProblem> problems;
  const auto hand_over = [&]() -> Status {
    for (CsvProblem& p : problems) problem(std::move(p));
    problems.clear();
    for (CsvRecord& r : records) TANDEM_RETURN_IF_ERROR(record(std::move(r)));
    records.clear();
    return OkStatus();
  };
  const auto take = [&](std::string raw) -> Status {
    ++facts.lines;
    if (raw.size() > kMaxCsvLine) {
      reader.Reject(facts.lines, fmt::format("a line longer than {} bytes", kMaxCsvLine), problems);
      return hand_over();
    }
    if (facts.encoding == TextEncoding::kWindows1252) {
      raw = Windows1252ToUtf8(raw);
    } else if (!IsValidUtf8(raw)) {
      reader.Reject(facts.lines, "not valid UTF-8; save the file as UTF-8 (CSV UTF-8 in Excel)",
                    problems);
      return hand_over();
    }
    reader.Feed(raw, facts.lines, records, problems);
    return hand_over();
  };
  // Physical lines end at LF, CRLF or a lone CR (classic Mac); `scan` is where the search
  // for the next end goes on, so a long line is scanned once.
  size_t scan = 0;
  bool skipping = false;  // in a line past kMaxCsvLine, up to its end
  for (;;) {
    size_t start = 0;
    for (;;) {
      const size_t end = pending.find_first_of("\r\n", std::max(start, scan));
      if (end == std::string::npos) break;
      if (pending[end] == '\r' && end + 1 == pending.size() && in.good()) break;  // CRLF cut?
      const size_t next =
          pending[end] == '\r' && end + 1 < pending.size() && pending[end + 1] == '\n' ? end + 2
                                                                                       : end + 1;
      if (skipping) {
        skipping = false;
      } else {
        TANDEM_RETURN_IF_ERROR(take(pending.substr(start, next - start)));
      }
      start = next;
    }
    pending.erase(0, start);
    // Searched to the end, but for a CR that may yet be followed by an LF.
    scan = !pending.empty() && pending.back() == '\r' ? pending.size() - 1 : pending.size();
    if (pending.size() > kMaxCsvLine) {
      if (!skipping) {
        ++facts.lines;
        reader.Reject(facts.lines, fmt::format("a line longer than {} bytes", kMaxCsvLine),
                      problems);
        TANDEM_RETURN_IF_ERROR(hand_over());
      }
      pending.clear();
      scan = 0;
      skipping = true;
    }
    if (!in.good()) break;
    char chunk[kSample];
    in.read(chunk, sizeof chunk);
    pending.append(chunk, static_cast<size_t>(in.gcount()));
  }
  if (!pending.empty() && !skipping) TANDEM_RETURN_IF_ERROR(take(std::move(pending)));
  reader.Finish(records, problems);
  TANDEM_RETURN_IF_ERROR(hand_over());
  return facts;
}

}  // namespace tandem
