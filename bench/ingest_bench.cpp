// Ingest benchmark: figures and ratios against a baseline measured in the same run.
//
//   baseline  raw inserts of the same event rows into the same SQLite schema, prepared
//             statements, 50,000 rows per transaction, same durability (WAL, FULL)
//   batch     POST /v1/batch, 100 events a request, 16 keep-alive connections,
//             end to end to durable acknowledgement
//   track     POST /v1/track, one event a request, 64 keep-alive connections
//   rss       peak resident memory of the server while it ingests N events
//   postgres  the batch load on PostgreSQL, against COPY of the same rows into the same
//             table on the same server (when TANDEM_BENCH_PG_URL names one)
//
// The server is the real `tandem serve` binary in a child process; the load comes
// from one client thread in this process, over loopback. Both share the machine, as
// they would on a small box. Message ids are unique, so dedup is not what is measured.
#include <fmt/format.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "app/open_store.h"
#include "bench_pg.h"
#include "core/clock.h"
#include "http_load.h"
#include "ingest/segment_message.h"
#include "store/postgres/pg_connection.h"
#include "store/store.h"
#include "workload/workload.h"

namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

using tandem::bench::BodyFactory;
using tandem::bench::LoadResult;
using tandem::bench::Requests;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

void Check(const tandem::Status& status) {
  if (!status.ok()) throw std::runtime_error(status.ToString());
}

// ---- baseline ----------------------------------------------------------------------

// The rows the server would store: parsed and normalized by the ingest code.
std::vector<tandem::EventRecord> MakeRows(size_t events) {
  BodyFactory factory("raw", 100);
  tandem::SegmentParser parser;
  std::vector<tandem::EventRecord> rows;
  rows.reserve(events);
  for (uint64_t r = 0; rows.size() < events; ++r) {
    std::string body = factory.Batch(r);
    auto parsed = parser.Parse(
        {tandem::IngestCall::kBatch, body, tandem::FromUnixMillis(1795000000000), "127.0.0.1"});
    for (auto& e : parsed.value().events) {
      e.source_id = 1;
      rows.push_back(std::move(e));
    }
  }
  return rows;
}

double RawInsertRate(const std::filesystem::path& dir, size_t events) {
  std::string path = (dir / "raw.db").string();
  {  // the same schema, through the same migrations
    auto store = tandem::OpenStore("sqlite:" + path, tandem::StoreOptions{});
    if (!store.ok()) throw std::runtime_error(store.status().ToString());
    (*store)->CreateSource("raw", "raw-key", tandem::FromUnixMillis(0)).value();
  }
  const std::vector<tandem::EventRecord> rows = MakeRows(events);
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-65536;",
               nullptr, nullptr, nullptr);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(
      db,
      "INSERT INTO events (source_id, message_id, type, event, user_id, anonymous_id, timestamp, "
      "received_at, payload) VALUES (?,?,?,?,?,?,?,?,?)",
      -1, &stmt, nullptr);
  auto started = Clock::now();
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i % 50000 == 0) sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    const auto& e = rows[i];
    sqlite3_bind_int64(stmt, 1, e.source_id);
    sqlite3_bind_text(stmt, 2, e.message_id.data(), static_cast<int>(e.message_id.size()),
                      SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, e.type.data(), static_cast<int>(e.type.size()), SQLITE_STATIC);
    if (e.event.empty())
      sqlite3_bind_null(stmt, 4);
    else
      sqlite3_bind_text(stmt, 4, e.event.data(), static_cast<int>(e.event.size()), SQLITE_STATIC);
    if (e.user_id.empty())
      sqlite3_bind_null(stmt, 5);
    else
      sqlite3_bind_text(stmt, 5, e.user_id.data(), static_cast<int>(e.user_id.size()),
                        SQLITE_STATIC);
    if (e.anonymous_id.empty())
      sqlite3_bind_null(stmt, 6);
    else
      sqlite3_bind_text(stmt, 6, e.anonymous_id.data(), static_cast<int>(e.anonymous_id.size()),
                        SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 7, tandem::ToUnixMillis(e.timestamp));
    sqlite3_bind_int64(stmt, 8, tandem::ToUnixMillis(e.received_at));
    sqlite3_bind_text(stmt, 9, e.payload.data(), static_cast<int>(e.payload.size()), SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_DONE) throw std::runtime_error(sqlite3_errmsg(db));
    sqlite3_reset(stmt);
    if (i % 50000 == 49999 || i + 1 == rows.size())
      sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  }
  double rate = static_cast<double>(rows.size()) / Seconds(Clock::now() - started);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return rate;
}

// ---- PostgreSQL baseline --------------------------------------------------------------

// COPY of the same rows into the same table (schema from Tandem's migrations), one
// transaction, text format built from the rows as part of the timing.
double PgCopyRate(const std::string& url, size_t events) {
  {
    auto store = tandem::OpenStore(url, tandem::StoreOptions{});
    if (!store.ok()) throw std::runtime_error(store.status().ToString());
    (*store)->CreateSource("raw", "raw-key", tandem::FromUnixMillis(0)).value();
  }
  const std::vector<tandem::EventRecord> rows = MakeRows(events);
  auto conn = tandem::pg::Connection::Open(url);
  if (!conn.ok()) throw std::runtime_error(conn.status().ToString());
  auto started = Clock::now();
  std::vector<std::vector<tandem::pg::Param>> copy;
  copy.reserve(rows.size());
  auto nullable = [](const std::string& s) {
    return s.empty() ? tandem::pg::Param(std::nullopt) : tandem::pg::Param(s);
  };
  for (const auto& e : rows) {
    copy.push_back({e.source_id, e.message_id, e.type, nullable(e.event), nullable(e.user_id),
                    nullable(e.anonymous_id), tandem::ToUnixMillis(e.timestamp),
                    tandem::ToUnixMillis(e.received_at), e.payload});
  }
  Check((*conn)->Exec("BEGIN"));
  Check((*conn)->CopyIn("events",
                        "source_id, message_id, type, event, user_id, anonymous_id, timestamp, "
                        "received_at, payload",
                        copy));
  Check((*conn)->Exec("COMMIT"));
  return static_cast<double>(rows.size()) / Seconds(Clock::now() - started);
}

// ---- the server under test ---------------------------------------------------------

struct Server {
  pid_t pid = 0;
  uint16_t port = 0;
};

Server StartServer(const std::string& tandem, const std::filesystem::path& dir,
                   const std::string& db) {
  std::string key_cmd =
      fmt::format("{} --db '{}' source add bench 2>/dev/null | tail -1", tandem, db);
  FILE* p = popen(key_cmd.c_str(), "r");
  char key[128] = {};
  if (p == nullptr || fgets(key, sizeof key, p) == nullptr)
    throw std::runtime_error("source add failed");
  pclose(p);
  std::string log = (dir / fmt::format("server-{}.log", db.substr(0, 6))).string();
  // A free port: bind, read, release.
  net::io_context ioc;
  tcp::acceptor probe(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  uint16_t port = probe.local_endpoint().port();
  probe.close();
  std::string cmd = fmt::format(
      "exec {} --db '{}' --log-level warn serve --listen 127.0.0.1:{} 2>{}", tandem, db, port, log);
  pid_t pid = 0;
  const char* argv[] = {"/bin/sh", "-c", cmd.c_str(), nullptr};
  if (posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char* const*>(argv), environ) !=
      0) {
    throw std::runtime_error("cannot start tandem");
  }
  for (int i = 0; i < 200; ++i) {
    try {
      tcp::socket s(ioc);
      s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
      setenv("TANDEM_BENCH_KEY", std::string(key, strcspn(key, "\n")).c_str(), 1);
      return {pid, port};
    } catch (...) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  throw std::runtime_error("tandem did not start; see " + log);
}

// The write key StartServer's source got.
std::string Auth() { return tandem::bench::BasicAuth(getenv("TANDEM_BENCH_KEY")); }

void StopServer(const Server& s) {
  kill(s.pid, SIGTERM);
  int status = 0;
  waitpid(s.pid, &status, 0);
}

int64_t PeakRssKiB(pid_t pid) {
  std::ifstream status(fmt::format("/proc/{}/status", pid));
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmHWM:")) return std::stoll(line.substr(6));
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string tandem = argc > 1 ? argv[1] : "build/tandem";
  const bool quick = getenv("TANDEM_BENCH_QUICK") != nullptr;
  const uint64_t rss_events = quick ? 500000 : 5000000;
  auto dir = std::filesystem::temp_directory_path() / fmt::format("tandem-bench-{}", getpid());
  std::filesystem::create_directories(dir);

  std::cout << "Tandem ingest benchmark (" << std::thread::hardware_concurrency() << " cores)\n";
  // TANDEM_BENCH_ONLY=postgres: only the PostgreSQL figures.
  const bool only_pg =
      getenv("TANDEM_BENCH_ONLY") && std::string(getenv("TANDEM_BENCH_ONLY")) == "postgres";
  if (!only_pg) {
    double raw = RawInsertRate(dir, quick ? 100000 : 400000);
    std::cout << fmt::format(
        "baseline  raw SQLite insert, same rows and schema:   {:>9.0f} events/s\n", raw);

    Server server = StartServer(tandem, dir, "sqlite:" + (dir / "server.db").string());
    BodyFactory batch_bodies("b", 100);
    LoadResult batch =
        tandem::bench::RunLoad(server.port, "/v1/batch", Auth(), 16, Requests(quick ? 2000 : 10000),
                               100, [&](uint64_t i) { return batch_bodies.Batch(i); });
    double batch_rate = static_cast<double>(batch.events) / batch.seconds;
    std::cout << fmt::format(
        "batch     /v1/batch x100, 16 connections:             {:>9.0f} events/s  = {:.2f} x "
        "baseline (target >= 0.50)"
        "  p50 {:.1f} ms p99 {:.1f} ms, {} errors, {} shed\n",
        batch_rate, batch_rate / raw, batch.Percentile(0.50), batch.Percentile(0.99), batch.errors,
        batch.shed);

    BodyFactory track_bodies("t", 1);
    LoadResult track = tandem::bench::RunLoad(server.port, "/v1/track", Auth(), 64,
                                              Requests(quick ? 50000 : 250000), 1,
                                              [&](uint64_t i) { return track_bodies.Track(i); });
    double track_rate = static_cast<double>(track.requests) / track.seconds;
    std::cout << fmt::format(
        "track     /v1/track x1, 64 connections:               {:>9.0f} requests/s (target >= "
        "25,000)"
        "  p50 {:.2f} ms p99 {:.2f} ms (target <= 10), {} errors, {} shed; baseline {:.0f} "
        "events/s\n",
        track_rate, track.Percentile(0.50), track.Percentile(0.99), track.errors, track.shed, raw);

    BodyFactory rss_bodies("r", 100);
    LoadResult rss =
        tandem::bench::RunLoad(server.port, "/v1/batch", Auth(), 16, Requests(rss_events / 100),
                               100, [&](uint64_t i) { return rss_bodies.Batch(i); });
    int64_t peak_kib = PeakRssKiB(server.pid);
    std::cout << fmt::format(
        "rss       {} events through /v1/batch:          peak RSS {:.0f} MB (target <= 300), "
        "{:.0f} "
        "events/s, {} errors\n",
        rss.events, static_cast<double>(peak_kib) / 1024.0,
        static_cast<double>(rss.events) / rss.seconds, rss.errors);
    StopServer(server);
  }

  // PostgreSQL (TANDEM_BENCH_PG_URL, a cluster `make bench` starts with durable settings):
  // the same batch load through `tandem serve --db postgresql://…` against COPY of the
  // same rows into the same table on the same server.
  if (const std::string pg_url = tandem::bench::PgBenchUrl(); !pg_url.empty()) {
    const size_t pg_events = quick ? 100000 : 400000;
    double copy = PgCopyRate(tandem::bench::PgSchemaUrl(pg_url, "bench_copy"), pg_events);
    std::cout << fmt::format(
        "baseline  PostgreSQL COPY, same rows and table:      {:>9.0f} events/s\n", copy);
    Server pg_server = StartServer(tandem, dir, tandem::bench::PgSchemaUrl(pg_url, "bench_serve"));
    BodyFactory pg_bodies("p", 100);
    LoadResult pg_batch =
        tandem::bench::RunLoad(pg_server.port, "/v1/batch", Auth(), 16, Requests(pg_events / 100),
                               100, [&](uint64_t i) { return pg_bodies.Batch(i); });
    double pg_rate = static_cast<double>(pg_batch.events) / pg_batch.seconds;
    std::cout << fmt::format(
        "postgres  /v1/batch x100, 16 connections:             {:>9.0f} events/s  = {:.2f} x "
        "COPY (target >= 0.40)  p50 {:.1f} ms p99 {:.1f} ms, {} errors, {} shed\n",
        pg_rate, pg_rate / copy, pg_batch.Percentile(0.50), pg_batch.Percentile(0.99),
        pg_batch.errors, pg_batch.shed);
    StopServer(pg_server);
  }
  std::filesystem::remove_all(dir);
  return 0;
}
