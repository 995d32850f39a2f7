// The libpq wrapper against a real PostgreSQL server: parameters and NULLs round-trip,
// COPY escapes what it must, failures keep their SQLSTATE and map to the right Status,
// serialization failures are retryable, advisory locks exclude across connections, and
// batched writes arrive whole, in order, before anything else reads or writes.
#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_db.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <type_traits>

#include "testing/test_store.h"

namespace tandem::pg {
namespace {

class PgConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = testing::PgTestUrl();
    ASSERT_FALSE(url_.empty())
        << "no test PostgreSQL: set TANDEM_TEST_PG_URL (make test starts one and sets it)";
    a_ = Open();
  }

  std::unique_ptr<Connection> Open() {
    auto conn = Connection::Open(url_);
    EXPECT_TRUE(conn.ok()) << conn.status().ToString();
    return conn.ok() ? std::move(*conn) : nullptr;
  }

  std::string url_;
  std::unique_ptr<Connection> a_;
};

TEST_F(PgConnectionTest, ParametersAndNullsRoundTrip) {
  ASSERT_TRUE(a_->Exec("CREATE TEMP TABLE t (id bigint, s text, d double precision, b boolean, "
                       "n bigint)")
                  .ok());
  const std::string tricky = "it's a \"test\"\twith\nlines, \\ and ünïcödé";
  for (int i = 0; i < 2; ++i) {  // the second time through, the prepared statement is reused
    auto inserted = a_->Query(
        "INSERT INTO t VALUES ($1, $2, $3, $4, $5)",
        {int64_t{9007199254740993} + i, tricky, 0.1 + i, i == 0, std::optional<int64_t>()});
    ASSERT_TRUE(inserted.ok()) << inserted.status().ToString();
    EXPECT_EQ(inserted->affected(), 1);
  }
  auto rows = a_->Query("SELECT id, s, d, b, n FROM t ORDER BY id");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->rows(), 2);
  EXPECT_EQ(rows->Int(0, 0), 9007199254740993);
  EXPECT_EQ(rows->Text(0, 1), tricky);
  EXPECT_DOUBLE_EQ(rows->Double(0, 2), 0.1);
  EXPECT_TRUE(rows->Bool(0, 3));
  EXPECT_FALSE(rows->Bool(1, 3));
  EXPECT_TRUE(rows->IsNull(0, 4));
  EXPECT_EQ(rows->NullableInt(0, 4), std::nullopt);
  EXPECT_DOUBLE_EQ(rows->Double(1, 2), 1.1);
}

TEST_F(PgConnectionTest, CopyEscapesTabsNewlinesBackslashesAndNulls) {
  ASSERT_TRUE(a_->Exec("CREATE TEMP TABLE c (id bigint, s text)").ok());
  std::vector<std::vector<Param>> rows;
  for (int64_t i = 0; i < 5000; ++i) {  // more than one 64 KB chunk
    rows.push_back({i, i % 2 ? Param("a\tb\nc\\d\r" + std::to_string(i)) : Param(std::nullopt)});
  }
  Status copied = a_->CopyIn("c", "id, s", rows);
  ASSERT_TRUE(copied.ok()) << copied.ToString();
  auto back = a_->Query("SELECT count(*), count(s), max(s) FILTER (WHERE id = 4999) FROM c");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->Int(0, 0), 5000);
  EXPECT_EQ(back->Int(0, 1), 2500);
  EXPECT_EQ(back->Text(0, 2), "a\tb\nc\\d\r4999");
}

TEST_F(PgConnectionTest, FailuresKeepTheirSqlStateAndTheConnectionRecovers) {
  ASSERT_TRUE(a_->Exec("CREATE TEMP TABLE u (k text PRIMARY KEY)").ok());
  ASSERT_TRUE(a_->Query("INSERT INTO u VALUES ($1)", {"x"}).ok());
  auto dup = a_->Query("INSERT INTO u VALUES ($1)", {"x"});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().code(), StatusCode::kConflict);
  EXPECT_EQ(SqlState(dup.status()), kUniqueViolation);
  EXPECT_NE(dup.status().message().find("duplicate key"), std::string::npos);
  EXPECT_FALSE(IsRetryable(dup.status()));

  auto syntax = a_->Query("SELEC 1");
  ASSERT_FALSE(syntax.ok());
  EXPECT_EQ(syntax.status().code(), StatusCode::kInternal);
  EXPECT_EQ(SqlState(syntax.status()), "42601");

  // A failed statement inside a transaction aborts it; after ROLLBACK the connection works.
  ASSERT_TRUE(a_->Exec("BEGIN").ok());
  EXPECT_FALSE(a_->Query("INSERT INTO u VALUES ($1)", {"x"}).ok());
  EXPECT_EQ(SqlState(a_->Query("SELECT 1").status()), "25P02");  // in failed transaction
  ASSERT_TRUE(a_->Exec("ROLLBACK").ok());
  auto count = a_->Query("SELECT count(*) FROM u");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(count->Int(0, 0), 1);
}

TEST_F(PgConnectionTest, ConcurrentSerializableWritersGetARetryableFailure) {
  ASSERT_TRUE(a_->Exec("DROP TABLE IF EXISTS pg_conn_test_counter; "
                       "CREATE TABLE pg_conn_test_counter (n bigint); "
                       "INSERT INTO pg_conn_test_counter VALUES (0)")
                  .ok());
  auto b = Open();
  ASSERT_NE(b, nullptr);
  for (Connection* c : {a_.get(), b.get()}) {
    ASSERT_TRUE(c->Exec("BEGIN ISOLATION LEVEL SERIALIZABLE").ok());
    ASSERT_TRUE(c->Query("SELECT n FROM pg_conn_test_counter").ok());
  }
  ASSERT_TRUE(a_->Query("UPDATE pg_conn_test_counter SET n = n + 1").ok());
  ASSERT_TRUE(a_->Exec("COMMIT").ok());
  auto second = b->Query("UPDATE pg_conn_test_counter SET n = n + 1");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(SqlState(second.status()), kSerializationFailure);
  EXPECT_TRUE(IsRetryable(second.status()));
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  ASSERT_TRUE(b->Exec("ROLLBACK").ok());
  EXPECT_EQ(b->Query("SELECT n FROM pg_conn_test_counter")->Int(0, 0), 1);
  ASSERT_TRUE(a_->Exec("DROP TABLE pg_conn_test_counter").ok());
}

TEST_F(PgConnectionTest, AnAdvisoryLockExcludesOtherConnectionsUntilCommit) {
  auto b = Open();
  ASSERT_NE(b, nullptr);
  ASSERT_TRUE(a_->Exec("BEGIN").ok());
  ASSERT_TRUE(a_->LockAdvisory(4242).ok());
  ASSERT_TRUE(b->Exec("SET lock_timeout = '200ms'; BEGIN").ok());
  Status blocked = b->LockAdvisory(4242);
  EXPECT_EQ(SqlState(blocked), kLockNotAvailable) << blocked.ToString();
  ASSERT_TRUE(b->Exec("ROLLBACK").ok());
  ASSERT_TRUE(a_->Exec("COMMIT").ok());
  ASSERT_TRUE(b->Exec("BEGIN").ok());
  EXPECT_TRUE(b->LockAdvisory(4242).ok());
  ASSERT_TRUE(b->Exec("COMMIT").ok());
}

// The store's SQL is written with SQLite's placeholders: bare ? numbered in order, ?N
// explicit (and reusable); a ? inside a string literal or a quoted name is text.
// Pipelined writes: queued without waiting, their failure returned by the next read or
// by COMMIT, which then does not commit; the connection is sound for the next
// transaction, its statements included (one first prepared after the failure too).
TEST_F(PgConnectionTest, PipelinedWritesReportTheirFailureAndCommitNothing) {
  ASSERT_TRUE(a_->Exec("CREATE TEMP TABLE pipelined (id bigint PRIMARY KEY)").ok());
  a_->set_pipelined(true);
  ASSERT_TRUE(a_->Exec("BEGIN").ok());
  ASSERT_TRUE(a_->Send("INSERT INTO pipelined VALUES ($1)", {int64_t{1}}).ok());
  ASSERT_TRUE(a_->Send("INSERT INTO pipelined VALUES ($1)", {int64_t{2}}).ok());
  EXPECT_EQ(a_->Affected(), 1);
  auto seen = a_->Query("SELECT COUNT(*) FROM pipelined");
  ASSERT_TRUE(seen.ok()) << seen.status().ToString();
  EXPECT_EQ(seen->Int(0, 0), 2) << "a read sees the queued writes before it";
  ASSERT_TRUE(a_->Send("INSERT INTO pipelined VALUES ($1)", {int64_t{1}}).ok())
      << "a duplicate key is only found when the queue is read";
  ASSERT_TRUE(a_->Send("DELETE FROM pipelined WHERE id = $1", {int64_t{2}}).ok())
      << "first prepared behind the failure: skipped with it";
  EXPECT_EQ(a_->Affected(), 0) << "a skipped statement changed nothing";
  Status failed = a_->Sync();
  EXPECT_EQ(SqlState(failed), kUniqueViolation) << failed.ToString();
  Status commit = a_->Commit();  // as if a caller had let the failure go
  EXPECT_EQ(SqlState(commit), "25P02") << commit.ToString();
  ASSERT_TRUE(a_->Exec("ROLLBACK").ok());

  ASSERT_TRUE(a_->Exec("BEGIN").ok());
  ASSERT_TRUE(a_->Send("INSERT INTO pipelined VALUES ($1)", {int64_t{3}}).ok());
  ASSERT_TRUE(a_->Send("DELETE FROM pipelined WHERE id = $1", {int64_t{3}}).ok());
  ASSERT_TRUE(a_->Send("INSERT INTO pipelined VALUES ($1)", {int64_t{4}}).ok());
  ASSERT_TRUE(a_->Commit().ok());
  a_->set_pipelined(false);
  auto stored =
      a_->Query("SELECT COALESCE(string_agg(id::text, ',' ORDER BY id), '') FROM pipelined");
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(stored->Text(0, 0), "4") << "nothing of the failed transaction; all of the next";
}

// The rows of a batched write, kept while a processing transaction pipelines, go as one
// statement before the connection runs any other, whatever their text holds; those of
// two batched writes in the order of each one's first row; none after a rollback.
TEST_F(PgConnectionTest, BatchedWritesArriveWholeInOrderBeforeAnythingElse) {
  auto opened = Database::Open(url_);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Database& db = **opened;
  ASSERT_TRUE(db.Exec("CREATE TEMP TABLE batched (id bigint PRIMARY KEY, note text)").ok());
  const sql::BatchedWrite insert = {
      "INSERT INTO batched (id, note) VALUES (?, ?)",
      "INSERT INTO batched (id, note) SELECT * FROM unnest($1::bigint[], $2::text[])"};
  const sql::BatchedWrite annotate = {
      "UPDATE batched SET note = ? WHERE id = ?",
      "UPDATE batched SET note = x.n FROM unnest($1::text[], $2::bigint[]) AS x(n, id) WHERE "
      "batched.id = x.id"};
  const auto run = [&](const sql::BatchedWrite& write, auto first, auto second) {
    auto stmt = db.PrepareBatched(write);
    ASSERT_TRUE(stmt.ok()) << stmt.status().ToString();
    (*stmt)->Bind(1, first);
    if constexpr (std::is_same_v<decltype(second), std::nullopt_t>) {
      (*stmt)->BindNull(2);
    } else {
      (*stmt)->Bind(2, second);
    }
    ASSERT_TRUE((*stmt)->Run().ok());
  };
  const auto count = [&]() -> int64_t {
    auto stmt = db.Prepare("SELECT COUNT(*) FROM batched");
    EXPECT_TRUE(stmt.ok());
    auto row = (*stmt)->Step();
    EXPECT_TRUE(row.ok() && *row);
    const int64_t n = (*stmt)->Int(0);
    (*stmt)->Reset();
    return n;
  };

  db.conn().set_pipelined(true);
  ASSERT_TRUE(db.Exec("BEGIN").ok());
  run(insert, int64_t{1}, std::string_view("say \"hi\", \\ {a,b} NULL"));
  run(insert, int64_t{2}, std::nullopt);
  run(insert, int64_t{3}, std::string_view(""));
  EXPECT_EQ(count(), 3) << "a read sends the rows kept first";
  run(insert, int64_t{4}, std::string_view("x"));
  auto erase = db.Prepare("DELETE FROM batched WHERE id = ?");
  ASSERT_TRUE(erase.ok());
  (*erase)->Bind(1, int64_t{4});
  ASSERT_TRUE((*erase)->Run().ok()) << "a write after the row: the row goes before it";
  run(insert, int64_t{5}, std::string_view("inserted"));
  run(annotate, std::string_view("annotated"), int64_t{5});
  run(insert, int64_t{6}, std::string_view("inserted"));
  run(annotate, std::string_view("annotated"), int64_t{6});
  ASSERT_TRUE(db.FlushBatched().ok());
  ASSERT_TRUE(db.conn().Commit().ok());

  // More rows than a statement takes: each write's rows still follow the other's.
  ASSERT_TRUE(db.Exec("BEGIN").ok());
  for (int64_t id = 100; id < 1200; ++id) {
    run(insert, id, std::string_view("inserted"));
    run(annotate, std::string_view("annotated"), id);
  }
  ASSERT_TRUE(db.FlushBatched().ok());
  Status committed = db.conn().Commit();
  ASSERT_TRUE(committed.ok()) << committed.ToString();
  auto many = db.conn().Query(
      "SELECT COUNT(*) FILTER (WHERE note = 'annotated'), COUNT(*) FROM batched WHERE id >= 100");
  ASSERT_TRUE(many.ok()) << many.status().ToString();
  EXPECT_EQ(many->Int(0, 1), 1100);
  EXPECT_EQ(many->Int(0, 0), 1100) << "every update went after its row's insert";
  ASSERT_TRUE(db.Exec("DELETE FROM batched WHERE id >= 100").ok());

  ASSERT_TRUE(db.Exec("BEGIN").ok());
  run(insert, int64_t{7}, std::string_view("rolled back"));
  db.DropBatched();
  db.conn().Discard();
  ASSERT_TRUE(db.Exec("ROLLBACK").ok());
  ASSERT_TRUE(db.Exec("BEGIN").ok());
  run(insert, int64_t{1}, std::string_view("a duplicate"));
  ASSERT_TRUE(db.FlushBatched().ok());
  EXPECT_EQ(SqlState(db.conn().Commit()), kUniqueViolation) << "a failed row fails the commit";
  ASSERT_TRUE(db.Exec("ROLLBACK").ok());
  db.conn().set_pipelined(false);

  auto rows = db.conn().Query(
      "SELECT string_agg(id || '=' || COALESCE(note, '<null>'), ';' ORDER BY id) FROM batched");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(rows->Text(0, 0), "1=say \"hi\", \\ {a,b} NULL;2=<null>;3=;5=annotated;6=annotated");
  // Not pipelining, each row is written at once.
  run(insert, int64_t{8}, std::string_view("now"));
  EXPECT_EQ(count(), 6);
}

TEST(PgPlaceholders, BareNumberedAndQuotedQuestionMarks) {
  int params = 0;
  EXPECT_EQ(pg::ToDollarPlaceholders("SELECT ? + ?, 'what?', \"a?b\" FROM t WHERE x = ?", &params),
            "SELECT $1 + $2, 'what?', \"a?b\" FROM t WHERE x = $3");
  EXPECT_EQ(params, 3);
  EXPECT_EQ(pg::ToDollarPlaceholders("UPDATE t SET a = ?2 WHERE b = ?1 AND ?2 = ?2", &params),
            "UPDATE t SET a = $2 WHERE b = $1 AND $2 = $2");
  EXPECT_EQ(params, 2);
  EXPECT_EQ(pg::ToDollarPlaceholders("SELECT 'it''s ?', ?", &params), "SELECT 'it''s ?', $1");
  EXPECT_EQ(params, 1);
  EXPECT_EQ(pg::ToDollarPlaceholders("SELECT 1", &params), "SELECT 1");
  EXPECT_EQ(params, 0);
}

TEST(PgConnection, AnUnreachableServerIsAClearUnavailableError) {
  auto conn = Connection::Open("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2");
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(conn.status().error_code(), "store_unavailable");
  EXPECT_NE(conn.status().message().find("cannot connect to PostgreSQL"), std::string::npos);
}

}  // namespace
}  // namespace tandem::pg
