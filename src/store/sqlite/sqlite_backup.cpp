#include "store/sqlite/sqlite_backup.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

#include "store/sqlite/sqlite_db.h"

namespace tandem::sqlite {
namespace {

// Opens an existing file read-only (never creating it).
StatusOr<sqlite3*> OpenExisting(const std::string& path, std::string_view what) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return NotFound("no_such_store", fmt::format("{} {} does not exist", what, path));
  }
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  if (rc != SQLITE_OK) {
    Status st = SqliteError(db, rc, fmt::format("open {}", path));
    sqlite3_close(db);
    return st;
  }
  sqlite3_busy_timeout(db, 10'000);
  return db;
}

// The schema version of a Tandem store, or why `path` is not one.
StatusOr<int64_t> SchemaVersion(sqlite3* db, const std::string& path) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", -1,
                              &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return Unprocessable("not_a_store",
                         fmt::format("{} is not a Tandem store (no schema_migrations: {})", path,
                                     sqlite3_errmsg(db)));
  }
  rc = sqlite3_step(stmt);
  const int64_t version = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
  sqlite3_finalize(stmt);
  if (rc != SQLITE_ROW) return SqliteError(db, rc, fmt::format("read {}", path));
  return version;
}

Status Copy(sqlite3* source, sqlite3* target, const std::string& from, const std::string& to,
            CopyFacts& facts) {
  sqlite3_backup* backup = sqlite3_backup_init(target, "main", source, "main");
  if (backup == nullptr) return SqliteError(target, sqlite3_errcode(target), "start the copy");
  const int rc = sqlite3_backup_step(backup, -1);  // all of it, in one read transaction
  facts.pages = sqlite3_backup_pagecount(backup);
  const int finished = sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) {
    return SqliteError(target, rc, fmt::format("copy {} to {}", from, to));
  }
  if (finished != SQLITE_OK) {
    return SqliteError(target, finished, fmt::format("copy {} to {}", from, to));
  }
  return OkStatus();
}

struct Closer {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
using Handle = std::unique_ptr<sqlite3, Closer>;

StatusOr<Handle> OpenTarget(const std::string& path) {
  sqlite3* db = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  Handle handle(db);
  if (rc != SQLITE_OK) return SqliteError(db, rc, fmt::format("open {}", path));
  sqlite3_busy_timeout(db, 10'000);
  return handle;
}

}  // namespace

StatusOr<CopyFacts> BackUpStore(const std::string& from, const std::string& to) {
  TANDEM_ASSIGN_OR_RETURN(sqlite3 * raw_source, OpenExisting(from, "the store"));
  Handle source(raw_source);
  CopyFacts facts;
  TANDEM_ASSIGN_OR_RETURN(facts.schema_version, SchemaVersion(source.get(), from));
  // Created here, once: an existing file is never written over.
  const int fd = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) {
      return Conflict("backup_exists", fmt::format("{} already exists: name a new file", to));
    }
    return Unavailable("backup_unwritable",
                       fmt::format("cannot create {}: {}", to, std::strerror(errno)));
  }
  ::close(fd);
  std::error_code ec;
  TANDEM_ASSIGN_OR_RETURN(Handle target, OpenTarget(to));
  Status copied = Copy(source.get(), target.get(), from, to, facts);
  if (!copied.ok()) {
    target.reset();
    std::filesystem::remove(to, ec);
    return copied;
  }
  const auto bytes = std::filesystem::file_size(to, ec);
  facts.bytes = ec ? 0 : static_cast<int64_t>(bytes);
  return facts;
}

StatusOr<CopyFacts> RestoreStore(const std::string& from, const std::string& to, bool replace,
                                 int64_t newest_version) {
  std::error_code ec;
  if (!replace && std::filesystem::exists(to, ec)) {
    return Conflict("store_exists",
                    fmt::format("{} already exists: restore over it only with --replace (stop "
                                "Tandem first)",
                                to));
  }
  TANDEM_ASSIGN_OR_RETURN(sqlite3 * raw_source, OpenExisting(from, "the backup"));
  Handle source(raw_source);
  CopyFacts facts;
  TANDEM_ASSIGN_OR_RETURN(facts.schema_version, SchemaVersion(source.get(), from));
  if (facts.schema_version > newest_version) {
    return Unprocessable("backup_too_new",
                         fmt::format("{} is at schema version {}, newer than this Tandem knows "
                                     "({}): restore it with the version that made it",
                                     from, facts.schema_version, newest_version));
  }
  sqlite3_stmt* check = nullptr;
  bool whole = false;
  if (sqlite3_prepare_v2(source.get(), "PRAGMA quick_check", -1, &check, nullptr) == SQLITE_OK &&
      sqlite3_step(check) == SQLITE_ROW) {
    const unsigned char* answer = sqlite3_column_text(check, 0);
    whole = answer != nullptr && std::string_view(reinterpret_cast<const char*>(answer)) == "ok";
  }
  sqlite3_finalize(check);
  if (!whole) {
    return Unprocessable("backup_damaged",
                         fmt::format("{} fails SQLite's quick check: it is damaged", from));
  }
  const bool existed = std::filesystem::exists(to, ec);
  TANDEM_ASSIGN_OR_RETURN(Handle target, OpenTarget(to));
  if (Status copied = Copy(source.get(), target.get(), from, to, facts); !copied.ok()) {
    target.reset();
    if (!existed) std::filesystem::remove(to, ec);  // no empty store left to be mistaken
    return copied;
  }
  const auto bytes = std::filesystem::file_size(from, ec);
  facts.bytes = ec ? 0 : static_cast<int64_t>(bytes);
  return facts;
}

}  // namespace tandem::sqlite
