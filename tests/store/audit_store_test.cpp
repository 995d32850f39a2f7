// The audit trail on SQLite and on a real PostgreSQL server: entries appended from many
// threads at once take one place each, the chain holds, the store refuses to change or
// remove an entry, and an entry changed behind the store's back is found.
#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

#include "app/open_store.h"
#include "audit/audit_trail.h"
#include "store/store.h"
#include "testing/test_store.h"

namespace tandem {
namespace {

class AuditStoreTest : public ::testing::TestWithParam<testing::Backend> {
 protected:
  void SetUp() override {
    auto store = OpenStore(dir_.Url(), StoreOptions{});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }

  testing::TestStore dir_{GetParam()};
  std::unique_ptr<Store> store_;
  ManualClock clock_{FromUnixMillis(1'764'000'000'000)};
};

TEST_P(AuditStoreTest, WritersAtOnceTakeOnePlaceEachAndTheChainHolds) {
  const AuditTrail trail(*store_, clock_);
  constexpr int kThreads = 4;
  constexpr int kEach = 50;
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto e = trail.Record(AuditActor::User(t + 1), audit_action::kBriefRead,
                              "ld_" + std::to_string(i), "{\"format\":\"json\"}");
        ASSERT_TRUE(e.ok()) << e.status().ToString();
      }
    });
  }
  for (auto& w : writers) w.join();
  auto verified = VerifyAudit(*store_);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_TRUE(verified->problem.ok()) << verified->problem.message();
  EXPECT_EQ(verified->entries, kThreads * kEach);
  EXPECT_EQ(verified->head.seq, kThreads * kEach);
  // Listed in pages, by user and by subject.
  AuditQuery query;
  query.user_id = 2;
  query.limit = 1000;
  auto mine = store_->ListAudit(query);
  ASSERT_TRUE(mine.ok());
  EXPECT_EQ(mine->size(), static_cast<size_t>(kEach));
  query = AuditQuery{};
  query.subject = "ld_7";
  EXPECT_EQ(store_->ListAudit(query)->size(), static_cast<size_t>(kThreads));
  query = AuditQuery{};
  query.after_seq = 190;
  auto tail = store_->ListAudit(query);
  ASSERT_EQ(tail->size(), 10u);
  EXPECT_EQ(tail->front().seq, 191);
}

TEST_P(AuditStoreTest, TheStoreRefusesToChangeOrRemoveAnEntry) {
  const AuditTrail trail(*store_, clock_);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(trail.Record(AuditActor::Cli(), audit_action::kExported, "", "{}").ok());
  }
  EXPECT_FALSE(dir_.RunSql("UPDATE audit_log SET detail = '{\"rows\":0}' WHERE seq = 2").ok());
  EXPECT_FALSE(dir_.RunSql("DELETE FROM audit_log WHERE seq = 3").ok());
  auto verified = VerifyAudit(*store_);
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->problem.ok()) << verified->problem.message();
  EXPECT_EQ(verified->entries, 3);
}

TEST_P(AuditStoreTest, AnEntryChangedBehindTheStoresBackIsFound) {
  const AuditTrail trail(*store_, clock_);
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(std::chrono::seconds(1));
    ASSERT_TRUE(
        trail.Record(AuditActor::User(1), audit_action::kBriefRead, "ld_" + std::to_string(i))
            .ok());
  }
  // Someone with the database's own access takes the guard off and edits entry 3.
  const bool sqlite = GetParam() == testing::Backend::kSqlite;
  ASSERT_TRUE(dir_.RunSql(sqlite ? "DROP TRIGGER audit_log_no_update"
                                 : "DROP TRIGGER audit_log_append_only ON audit_log")
                  .ok());
  ASSERT_TRUE(dir_.RunSql("UPDATE audit_log SET subject = 'ld_99' WHERE seq = 3").ok());
  auto verified = VerifyAudit(*store_);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->entries, 2);
  EXPECT_NE(verified->problem.message().find("audit entry 3: was changed"), std::string::npos)
      << verified->problem.message();
  // Removing the last entries shows too: the head still names the last one written.
  ASSERT_TRUE(dir_.RunSql("UPDATE audit_log SET subject = 'ld_2' WHERE seq = 3").ok());
  if (sqlite) {
    ASSERT_TRUE(dir_.RunSql("DROP TRIGGER audit_log_no_delete").ok());
  }
  ASSERT_TRUE(dir_.RunSql("DELETE FROM audit_log WHERE seq >= 4").ok());
  verified = VerifyAudit(*store_);
  ASSERT_TRUE(verified.ok());
  EXPECT_NE(verified->problem.message().find("head is entry 5 but the log ends at entry 3"),
            std::string::npos)
      << verified->problem.message();
}

TEST_P(AuditStoreTest, TheHeadOnlyMovesOnAndOneMovedBackIsFound) {
  const AuditTrail trail(*store_, clock_);
  std::vector<AuditEntry> written;
  for (int i = 0; i < 4; ++i) {
    written.push_back(*trail.Record(AuditActor::Cli(), audit_action::kBackup, ""));
  }
  EXPECT_FALSE(dir_.RunSql("UPDATE audit_head SET seq = 2, hash = '" + written[1].hash + "'").ok());
  EXPECT_FALSE(dir_.RunSql("DELETE FROM audit_head").ok());
  if (GetParam() == testing::Backend::kPostgres) {
    EXPECT_FALSE(dir_.RunSql("TRUNCATE audit_log").ok());
  }
  // Past the guard, the head moved back to entry 2 hides entries 3 and 4 from the chain,
  // but not from verify.
  ASSERT_TRUE(dir_.RunSql(GetParam() == testing::Backend::kSqlite
                              ? "DROP TRIGGER audit_head_forward"
                              : "DROP TRIGGER audit_head_forward ON audit_head")
                  .ok());
  ASSERT_TRUE(dir_.RunSql("UPDATE audit_head SET seq = 2, hash = '" + written[1].hash + "'").ok());
  auto verified = VerifyAudit(*store_);
  ASSERT_TRUE(verified.ok());
  EXPECT_NE(verified->problem.message().find("2 entries lie past the chain's head (entry 2)"),
            std::string::npos)
      << verified->problem.message();
}

INSTANTIATE_TEST_SUITE_P(BothBackends, AuditStoreTest,
                         ::testing::Values(testing::Backend::kSqlite, testing::Backend::kPostgres),
                         [](const ::testing::TestParamInfo<testing::Backend>& backend) {
                           return testing::BackendName(backend.param);
                         });

}  // namespace
}  // namespace tandem
