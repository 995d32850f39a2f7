// The store a test runs on. Tests that exercise the store open it through
// TestStore::Url(), which gives a SQLite file by default or, for the PostgreSQL run of
// the same tests (TANDEM_TEST_STORE=postgres, or a parameter), a fresh schema in the
// run's throw-away cluster — so one test-suite covers both back-ends.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/sql/sql_db.h"
#include "testing/temp_dir.h"

namespace tandem::testing {

enum class Backend { kSqlite, kPostgres };

// What schema versions 26 to 30 (experiments, a broadcast's test share, the audit log,
// what an erasure keeps) add, undone: for a test that takes a store back to an older
// version, after which opening it migrates again.
inline constexpr const char* kUndoVersion26 =
    "ALTER TABLE broadcasts DROP COLUMN test_phase; "
    "ALTER TABLE broadcasts DROP COLUMN test_experiment_id; "
    "ALTER TABLE broadcasts DROP COLUMN rest_arm; "
    "DROP TABLE experiments; DROP TABLE experiment_persons; DROP TABLE experiment_outcomes; "
    "DROP TABLE experiment_days; ALTER TABLE email_sends DROP COLUMN experiment_id; "
    "ALTER TABLE email_sends DROP COLUMN experiment_arm; "
    "DROP TABLE audit_log; DROP TABLE audit_head; "
    "DROP TABLE erased_addresses; DROP TABLE erased_address_returns; "
    "DROP INDEX gate_refusals_lead; DROP INDEX outbox_lead; "
    "DROP INDEX deliveries_lead; DROP INDEX inbound_messages_from; DROP INDEX person_merges_into; "
    "ALTER TABLE leads DROP COLUMN erased_at; DROP INDEX sources_name; DROP TABLE password_links; "
    "ALTER TABLE sources DROP COLUMN last_event_at; DROP TABLE rule_versions; DROP TABLE "
    "notifications; DROP TABLE notification_choices; ";

// The back-end TANDEM_TEST_STORE selects ("postgres" or, by default, "sqlite").
Backend BackendFromEnvironment();
const char* BackendName(Backend backend);

// The URL of the test run's PostgreSQL cluster (scripts/pg-test-cluster.sh, a CTest
// fixture), from TANDEM_TEST_PG_URL, or the file TANDEM_TEST_PG_URL_FILE names, or the
// file the fixture of this build writes; empty when there is none.
std::string PgTestUrl();

// A store location for one test, removed afterwards: a SQLite file in a temporary
// directory, or an empty PostgreSQL schema that connections of Url() use.
class TestStore {
 public:
  explicit TestStore(Backend backend = BackendFromEnvironment());
  ~TestStore();
  TestStore(const TestStore&) = delete;
  TestStore& operator=(const TestStore&) = delete;

  Backend backend() const { return backend_; }
  // The --db URL; `name` picks one of several stores of the test.
  std::string Url(const std::string& name = "tandem") const;
  // Runs `sql` on the store directly, past every rule of the store's code: for tests
  // that need a store as an older version, or another program, left it.
  Status RunSql(const std::string& sql, const std::string& name = "tandem") const;
  // A connection of its own to the store, for a test's own queries over its tables.
  StatusOr<std::unique_ptr<sql::Db>> OpenDb(const std::string& name = "tandem") const;

 private:
  Backend backend_;
  TempDir dir_;
  std::string schema_prefix_;
  mutable std::vector<std::string> schemas_;
};

}  // namespace tandem::testing
