// import_bench: importing a CRM's CSV export against the store's raw insert rate.
//
// A HubSpot-style export (names, companies, owners, opt-outs, do-not-calls, a repeated
// address every 50 rows) is generated into a temporary directory. Printed:
//   1. raw insert: the rows' events, built beforehand, stored 2,000 a transaction
//      (EventStore::AppendEvents) on a fresh SQLite file — the baseline;
//   2. import: the same file read, checked, mapped and stored (ImportLeadFile) on another
//      fresh file, in rows/s and as a ratio to (1) (the target: >= 0.5);
//   3. `tandem import leads` of 1,000,000 rows, end to end (stored, then processed into
//      leads), in a child process: its wall time and peak RSS (the target: <= 200 MB).
// Usage: import_bench path/to/tandem [rows for 1 and 2, default 200000] [rows for 3, default
// 1000000]
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>

#include "app/open_store.h"
#include "imports/import_run.h"
#include "testing/temp_dir.h"

namespace tandem {
namespace {

using Steady = std::chrono::steady_clock;

double Seconds(Steady::time_point since) {
  return std::chrono::duration<double>(Steady::now() - since).count();
}

void WriteExport(const std::string& path, int64_t rows) {
  std::ofstream out(path, std::ios::binary);
  out << "Record ID,First Name,Last Name,Email,Company Name,Job Title,Contact owner,"
         "Unsubscribed from all email,Do not call\r\n";
  for (int64_t i = 1; i <= rows; ++i) {
    const int64_t who = i % 50 == 0 ? i - 1 : i;
    out << fmt::format(
        "{},Name{},\"Doe, Jr.\",person{}@company{}.test,Company {},Buyer,{},{},{}\r\n", i, i, who,
        who % 5000, i % 5000, i % 3 == 0 ? "ana@team.test" : "", i % 7 == 0 ? "Yes" : "No",
        i % 11 == 0 ? "true" : "false");
  }
}

std::vector<UserRecord> Users() {
  UserRecord ana;
  ana.id = 1;
  ana.email = "ana@team.test";
  ana.name = "Ana Lopez";
  return {ana};
}

std::unique_ptr<Store> FreshStore(const testing::TempDir& dir, const std::string& name) {
  auto store = OpenStore(dir.SqliteUrl(name), {});
  if (!store.ok()) throw std::runtime_error(store.status().ToString());
  return std::move(*store);
}

// Rows/s of the raw insert and of the import of the same file.
std::pair<double, double> CompareWithRawInsert(const testing::TempDir& dir, int64_t rows) {
  const std::string file = (dir.path() / "export.csv").string();
  WriteExport(file, rows);
  const TimePoint now = SystemClock().Now();
  // The events the import makes of the file, built before the clock starts.
  std::vector<EventRecord> events;
  {
    std::ifstream in(file, std::ios::binary);
    ImportSink keep = [&](std::span<const EventRecord> batch) -> StatusOr<AppendResult> {
      events.insert(events.end(), batch.begin(), batch.end());
      AppendResult r;
      r.stored = batch.size();
      return r;
    };
    auto built = RunLeadImport(in, "raw", {}, Users(), 1, now, keep);
    if (!built.ok()) throw std::runtime_error(built.status().ToString());
  }
  auto raw_store = FreshStore(dir, "raw.db");
  auto source = raw_store->CreateSource("raw", "raw-key", now);
  for (EventRecord& e : events) e.source_id = source->id;
  auto start = Steady::now();
  for (size_t i = 0; i < events.size(); i += 2000) {
    const size_t n = std::min<size_t>(2000, events.size() - i);
    if (!raw_store->AppendEvents(std::span(events).subspan(i, n)).ok())
      throw std::runtime_error("append");
  }
  const double raw = static_cast<double>(events.size()) / Seconds(start);
  events.clear();
  events.shrink_to_fit();

  auto import_store = FreshStore(dir, "import.db");
  std::ifstream in(file, std::ios::binary);
  start = Steady::now();
  auto key = ImportFileKey(in);
  in.clear();
  in.seekg(0);
  auto summary = ImportLeadFile(*import_store, in, *key, {}, Users(), now);
  if (!summary.ok()) throw std::runtime_error(summary.status().ToString());
  const double imported = static_cast<double>(summary->rows) / Seconds(start);
  return {raw, imported};
}

// Runs `tandem import leads` of `rows` rows; prints its time and peak RSS.
void EndToEnd(const testing::TempDir& dir, const std::string& tandem, int64_t rows) {
  const std::string file = (dir.path() / "million.csv").string();
  WriteExport(file, rows);
  const std::string db = dir.SqliteUrl("million.db");
  const auto start = Steady::now();
  const pid_t child = fork();
  if (child == 0) {
    const int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    execl(tandem.c_str(), tandem.c_str(), "--db", db.c_str(), "import", "leads", file.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  wait4(child, &status, 0, &usage);
  const double seconds = Seconds(start);
  std::cout << fmt::format(
      "tandem import leads, {} rows end to end (stored and processed into leads): {:.1f} s "
      "({:.0f} rows/s), exit {}, peak RSS {:.0f} MB (target <= 200 MB)\n",
      rows, seconds, static_cast<double>(rows) / seconds, WEXITSTATUS(status),
      static_cast<double>(usage.ru_maxrss) / 1024.0);
}

}  // namespace
}  // namespace tandem

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: import_bench path/to/tandem [rows]\n";
    return 2;
  }
  const int64_t rows = argc > 2 ? std::stoll(argv[2]) : 200000;
  tandem::testing::TempDir dir;
  auto [raw, imported] = tandem::CompareWithRawInsert(dir, rows);
  std::cout << fmt::format(
      "import of {} rows: raw insert {:.0f} rows/s, import (read, check, map, store) {:.0f} "
      "rows/s = {:.2f}x (target >= 0.5x)\n",
      rows, raw, imported, imported / raw);
  tandem::EndToEnd(dir, argv[1], argc > 3 ? std::stoll(argv[3]) : 1000000);
  return 0;
}
