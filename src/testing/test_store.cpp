#include "testing/test_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_db.h"
#include "store/sqlite/sqlite_db.h"

namespace tandem::testing {

Backend BackendFromEnvironment() {
  const char* name = std::getenv("TANDEM_TEST_STORE");
  return name && std::string_view(name) == "postgres" ? Backend::kPostgres : Backend::kSqlite;
}

const char* BackendName(Backend backend) {
  return backend == Backend::kPostgres ? "postgres" : "sqlite";
}

std::string PgTestUrl() {
  if (const char* url = std::getenv("TANDEM_TEST_PG_URL"); url && *url) return url;
  const char* file = std::getenv("TANDEM_TEST_PG_URL_FILE");
  std::ifstream in(file ? file : TANDEM_TEST_PG_URL_FILE);
  std::string url;
  std::getline(in, url);
  return url;
}

namespace {

std::unique_ptr<pg::Connection> Admin() {
  const std::string url = PgTestUrl();
  if (url.empty()) {
    throw std::runtime_error(
        "no PostgreSQL test cluster: run through ctest (which starts one) or set "
        "TANDEM_TEST_PG_URL");
  }
  auto conn = pg::Connection::Open(url);
  if (!conn.ok()) throw std::runtime_error(conn.status().ToString());
  return std::move(*conn);
}

}  // namespace

TestStore::TestStore(Backend backend) : backend_(backend) {
  // Schema names from the temporary directory's unique suffix: tests running in
  // parallel never share one.
  std::string suffix = dir_.path().filename().string();
  for (char& c : suffix) c = std::isalnum(static_cast<unsigned char>(c)) ? std::tolower(c) : '_';
  schema_prefix_ = "t_" + suffix;
}

TestStore::~TestStore() {
  if (schemas_.empty()) return;
  try {
    auto admin = Admin();
    for (const std::string& schema : schemas_)
      (void)admin->Exec(fmt::format("DROP SCHEMA IF EXISTS {} CASCADE", schema));
  } catch (const std::exception&) {
    // The cluster is thrown away after the run anyway.
  }
}

std::string TestStore::Url(const std::string& name) const {
  if (backend_ == Backend::kSqlite) return dir_.SqliteUrl(name + ".db");
  const std::string schema = fmt::format("{}_{}", schema_prefix_, name);
  if (std::find(schemas_.begin(), schemas_.end(), schema) == schemas_.end()) {
    auto admin = Admin();
    Status created = admin->Exec(fmt::format("CREATE SCHEMA IF NOT EXISTS {}", schema));
    if (!created.ok()) throw std::runtime_error(created.ToString());
    schemas_.push_back(schema);
  }
  const std::string base = PgTestUrl();
  return fmt::format("{}{}options=-csearch_path%3D{}", base,
                     base.find('?') == std::string::npos ? "?" : "&", schema);
}

Status TestStore::RunSql(const std::string& sql, const std::string& name) const {
  const std::string url = Url(name);
  if (backend_ == Backend::kSqlite) {
    TANDEM_ASSIGN_OR_RETURN(auto db,
                            sqlite::Database::Open((dir_.path() / (name + ".db")).string()));
    return db->Exec(sql);
  }
  TANDEM_ASSIGN_OR_RETURN(auto connection, pg::Connection::Open(url));
  return connection->Exec(sql);
}

StatusOr<std::unique_ptr<sql::Db>> TestStore::OpenDb(const std::string& name) const {
  const std::string url = Url(name);
  if (backend_ == Backend::kSqlite) {
    TANDEM_ASSIGN_OR_RETURN(auto db,
                            sqlite::Database::Open((dir_.path() / (name + ".db")).string()));
    return std::unique_ptr<sql::Db>(std::move(db));
  }
  TANDEM_ASSIGN_OR_RETURN(auto db, pg::Database::Open(url));
  return std::unique_ptr<sql::Db>(std::move(db));
}

}  // namespace tandem::testing
