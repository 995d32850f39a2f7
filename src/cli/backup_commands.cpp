#include "cli/backup_commands.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/open_store.h"
#include "cli/audit_commands.h"
#include "cli/commands.h"
#include "store/schema/schema.h"
#include "store/sqlite/sqlite_backup.h"

namespace tandem::cli {
namespace {

StatusOr<std::string> SqliteFile(const Config& config, std::string_view command) {
  TANDEM_ASSIGN_OR_RETURN(std::optional<std::string> path, SqlitePathOf(config.storage.url));
  if (!path) {
    return Unprocessable(
        "use_pg_dump",
        fmt::format("tandem {} copies SQLite stores; back up and restore PostgreSQL with "
                    "pg_dump and pg_restore (docs/operations.md, Backups)",
                    command));
  }
  return *path;
}

double Millis(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since)
      .count();
}

}  // namespace

Status BackUp(const Config& config, const std::string& file) {
  if (file.empty()) return InvalidArgument("invalid_file", "name the backup file");
  TANDEM_ASSIGN_OR_RETURN(std::string path, SqliteFile(config, "backup"));
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    // Opening the store would create an empty one, and back that up.
    return NotFound("no_such_store", fmt::format("the store {} does not exist", path));
  }
  if (std::filesystem::exists(file, ec)) {
    return Conflict("backup_exists", fmt::format("{} already exists: name a new file", file));
  }
  {
    // Opening the store brings it up to date (and checks it is one) before the copy.
    TANDEM_ASSIGN_OR_RETURN(auto store, OpenExistingStore(config));
    TANDEM_RETURN_IF_ERROR(
        AuditCli(*store, audit_action::kBackup, "", nlohmann::json{{"file", file}}.dump()));
  }
  const auto started = std::chrono::steady_clock::now();
  TANDEM_ASSIGN_OR_RETURN(sqlite::CopyFacts facts, sqlite::BackUpStore(path, file));
  std::cout << fmt::format(
      "backed up {} to {}: {} pages, {:.1f} MB, schema version {}, in {:.0f} ms\n", path, file,
      facts.pages, static_cast<double>(facts.bytes) / 1e6, facts.schema_version, Millis(started));
  return OkStatus();
}

Status Restore(const Config& config, const std::string& file, bool replace) {
  if (file.empty()) return InvalidArgument("invalid_file", "name the backup file");
  TANDEM_ASSIGN_OR_RETURN(std::string path, SqliteFile(config, "restore"));
  const int64_t newest = schema::SqliteMigrations().back().version;
  const auto started = std::chrono::steady_clock::now();
  TANDEM_ASSIGN_OR_RETURN(sqlite::CopyFacts facts,
                          sqlite::RestoreStore(file, path, replace, newest));
  std::cout << fmt::format("restored {} into {}: {} pages, schema version {}, in {:.0f} ms\n", file,
                           path, facts.pages, facts.schema_version, Millis(started));
  // Opening it brings an older backup up to this version's schema.
  TANDEM_ASSIGN_OR_RETURN(auto store, OpenConfiguredStore(config));
  return AuditCli(*store, audit_action::kRestore, "",
                  nlohmann::json{{"file", file}, {"schema_version", facts.schema_version}}.dump());
}

}  // namespace tandem::cli
