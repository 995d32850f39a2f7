// The PostgreSQL schema against a real server: its migration files give the same tables,
// columns and indexes as the SQLite files, with 64-bit types; migrating twice changes
// nothing; instances migrating at once apply each version once; the schema keeps its
// invariants.
#include "store/postgres/pg_migrations.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <set>
#include <thread>

#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_db.h"
#include "testing/test_store.h"

namespace tandem::pg {
namespace {

using Columns = std::set<std::pair<std::string, std::string>>;

// Each test works in a schema of its own, dropped after it.
class PgMigrationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    schema_ = "migrations_test_" + std::to_string(getpid()) + "_" + std::to_string(++counter);
    admin_ = Open();
    ASSERT_NE(admin_, nullptr);
    ASSERT_TRUE(admin_->Exec("CREATE SCHEMA " + schema_).ok());
  }
  void TearDown() override {
    if (admin_) {
      EXPECT_TRUE(admin_->Exec("DROP SCHEMA " + schema_ + " CASCADE").ok());
    }
  }

  // A connection whose tables live in the test's schema.
  std::unique_ptr<Connection> Open() {
    const std::string url = testing::PgTestUrl();
    EXPECT_FALSE(url.empty()) << "no test PostgreSQL: set TANDEM_TEST_PG_URL";
    auto conn = Connection::Open(url);
    EXPECT_TRUE(conn.ok()) << conn.status().ToString();
    if (!conn.ok()) return nullptr;
    if (!schema_.empty()) {
      EXPECT_TRUE((*conn)->Exec("SET search_path TO " + schema_).ok());
    }
    return std::move(*conn);
  }

  Columns PostgresColumns(Connection& conn) {
    auto rows = conn.Query(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name <> 'schema_migrations'");
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    Columns out;
    for (int i = 0; rows.ok() && i < rows->rows(); ++i) {
      out.emplace(std::string(rows->Text(i, 0)), std::string(rows->Text(i, 1)));
    }
    return out;
  }

  std::string schema_;
  std::unique_ptr<Connection> admin_;
};

// Rows of a query on an in-memory SQLite database built by the SQLite migration files,
// each row's text columns joined by '|'.
std::set<std::string> SqliteRows(const std::string& query, int columns) {
  auto db = sqlite::Database::Open(":memory:");
  EXPECT_TRUE(db.ok());
  for (const auto& m : sqlite::Migrations()) EXPECT_TRUE((*db)->Exec(m.sql).ok()) << m.version;
  auto stmt = (*db)->Prepare(query);
  EXPECT_TRUE(stmt.ok()) << stmt.status().ToString();
  std::set<std::string> out;
  while (stmt.ok() && *(*stmt)->Step()) {
    std::string row = (*stmt)->Text(0);
    for (int c = 1; c < columns; ++c) row += "|" + (*stmt)->Text(c);
    out.insert(std::move(row));
  }
  return out;
}

std::set<std::string> PostgresRows(Connection& conn, const std::string& query, int columns) {
  auto rows = conn.Query(query);
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  std::set<std::string> out;
  for (int i = 0; rows.ok() && i < rows->rows(); ++i) {
    std::string row(rows->Text(i, 0));
    for (int c = 1; c < columns; ++c) row += "|" + std::string(rows->Text(i, c));
    out.insert(std::move(row));
  }
  return out;
}

Columns SqliteColumns() {
  Columns out;
  for (const std::string& row :
       SqliteRows("SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p "
                  "WHERE m.type = 'table'",
                  2)) {
    const size_t bar = row.find('|');
    out.emplace(row.substr(0, bar), row.substr(bar + 1));
  }
  return out;
}

TEST_F(PgMigrationsTest, TheSameTablesAndColumnsAsSqliteWith64BitIntegers) {
  auto conn = Open();
  ASSERT_EQ(*SchemaVersion(*conn), 0);
  Status migrated = Migrate(*conn);
  ASSERT_TRUE(migrated.ok()) << migrated.ToString();
  EXPECT_EQ(*SchemaVersion(*conn), sqlite::Migrations().back().version);
  const Columns sqlite = SqliteColumns();
  ASSERT_GT(sqlite.size(), 100u);
  EXPECT_EQ(PostgresColumns(*conn), sqlite);
  // Unix milliseconds and ids need 64 bits; nothing is a 32-bit integer or a float4.
  auto narrow = conn->Query(
      "SELECT table_name || '.' || column_name FROM information_schema.columns "
      "WHERE table_schema = current_schema() AND data_type IN ('integer', 'real', 'smallint')");
  ASSERT_TRUE(narrow.ok());
  EXPECT_EQ(narrow->rows(), 0) << narrow->Text(0, 0);
}

TEST_F(PgMigrationsTest, EachColumnHasTheSqliteTypesCounterpart) {
  auto conn = Open();
  ASSERT_TRUE(Migrate(*conn).ok());
  const auto sqlite = SqliteRows(
      "SELECT m.name, p.name, CASE p.type WHEN 'INTEGER' THEN 'bigint' WHEN 'REAL' THEN "
      "'double precision' WHEN 'TEXT' THEN 'text' ELSE p.type END "
      "FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'",
      3);
  ASSERT_GT(sqlite.size(), 100u);
  EXPECT_EQ(
      PostgresRows(*conn,
                   "SELECT table_name, column_name, data_type FROM information_schema.columns "
                   "WHERE table_schema = current_schema() AND table_name <> 'schema_migrations'",
                   3),
      sqlite);
}

// The indexes the files create by name (not those behind a primary key or UNIQUE), with
// their table and whether they are unique.
TEST_F(PgMigrationsTest, TheSameNamedIndexesAsSqlite) {
  auto conn = Open();
  ASSERT_TRUE(Migrate(*conn).ok());
  const auto sqlite = SqliteRows(
      "SELECT m.name, i.name, CASE i.\"unique\" WHEN 1 THEN 't' ELSE 'f' END "
      "FROM sqlite_master m JOIN pragma_index_list(m.name) i "
      "WHERE m.type = 'table' AND i.origin = 'c'",
      3);
  ASSERT_GT(sqlite.size(), 20u);
  EXPECT_EQ(PostgresRows(*conn,
                         "SELECT t.relname, i.relname, x.indisunique FROM pg_index x "
                         "JOIN pg_class i ON i.oid = x.indexrelid "
                         "JOIN pg_class t ON t.oid = x.indrelid "
                         "WHERE t.relnamespace = current_schema()::regnamespace "
                         "AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                         "WHERE c.conindid = x.indexrelid)",
                         3),
            sqlite);
}

TEST_F(PgMigrationsTest, MigratingAgainChangesNothing) {
  auto conn = Open();
  ASSERT_TRUE(Migrate(*conn).ok());
  ASSERT_TRUE(conn->Query("INSERT INTO settings (name, value) VALUES ($1, $2)", {"k", "v"}).ok());
  ASSERT_TRUE(Migrate(*conn).ok());
  auto rows = conn->Query("SELECT count(*) FROM schema_migrations");
  EXPECT_EQ(rows->Int(0, 0), static_cast<int64_t>(sqlite::Migrations().size()));
  EXPECT_EQ(conn->Query("SELECT value FROM settings WHERE name = 'k'")->Text(0, 0), "v");
}

TEST_F(PgMigrationsTest, InstancesStartingTogetherApplyEachVersionOnce) {
  constexpr int kInstances = 4;
  std::vector<std::unique_ptr<Connection>> conns;
  for (int i = 0; i < kInstances; ++i) conns.push_back(Open());
  std::vector<Status> results(kInstances);
  std::vector<std::thread> threads;
  for (int i = 0; i < kInstances; ++i) {
    threads.emplace_back([&, i] { results[i] = Migrate(*conns[i]); });
  }
  for (auto& t : threads) t.join();
  for (const Status& s : results) EXPECT_TRUE(s.ok()) << s.ToString();
  auto rows = conns[0]->Query("SELECT count(*), count(DISTINCT version) FROM schema_migrations");
  EXPECT_EQ(rows->Int(0, 0), static_cast<int64_t>(sqlite::Migrations().size()));
  EXPECT_EQ(rows->Int(0, 1), static_cast<int64_t>(sqlite::Migrations().size()));
}

TEST_F(PgMigrationsTest, IdentityKeysAndTheOneOpenAssignmentRuleHold) {
  auto conn = Open();
  ASSERT_TRUE(Migrate(*conn).ok());
  auto source = conn->Query(
      "INSERT INTO sources (name, write_key, created_at) VALUES ($1, $2, 0) RETURNING id",
      {"Web", "key"});
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_EQ(source->Int(0, 0), 1);
  const std::string open =
      "INSERT INTO assignments (lead_id, user_id, rule, reason, candidates, actor, started_at, "
      "ended_at) VALUES (7, 1, 'r', 'x', '[]', 'system', 0, $1)";
  ASSERT_TRUE(conn->Query(open, {std::optional<int64_t>()}).ok());
  ASSERT_TRUE(conn->Query(open, {int64_t{5}}).ok());  // an ended one beside it is fine
  auto second = conn->Query(open, {std::optional<int64_t>()});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(SqlState(second.status()), kUniqueViolation);
  EXPECT_NE(second.status().message().find("assignments_one_owner"), std::string::npos);
}

}  // namespace
}  // namespace tandem::pg
