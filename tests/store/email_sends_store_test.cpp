// The store's email sends, on SQLite and on a real PostgreSQL server: a queued message's
// rendered parts are kept apart from its row until it will not be tried again, and a
// store an older version left with messages queued still sends them whole.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "app/open_store.h"
#include "core/time_format.h"
#include "store/store.h"
#include "testing/test_store.h"

namespace tandem {
namespace {

class EmailSendsStoreTest : public ::testing::TestWithParam<testing::Backend> {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    store_.reset();
    auto store = OpenStore(dir_.Url(), StoreOptions{});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }

  testing::TestStore dir_{GetParam()};
  std::unique_ptr<Store> store_;
};

// A send as the email service queues it: its rendered parts beside it.
EmailSend QueuedSend(int n) {
  EmailSend e;
  e.uid = fmt::format("em_{}", n);
  e.kind = SendKind::kNotification;
  e.to_address = fmt::format("r{}@example.com", n);
  e.subject = "Your guide";
  e.html = fmt::format("<p>Guide {}</p>", n);
  e.text = fmt::format("Guide {}", n);
  e.message_id = fmt::format("<{}@t.example>", n);
  e.status = SendStatus::kQueued;
  e.next_attempt_at = e.created_at = e.updated_at = FromUnixMillis(0);
  return e;
}

TEST_P(EmailSendsStoreTest, AMessagesPartsAreKeptUntilItWillNotBeTriedAgain) {
  std::vector<int64_t> ids;
  {
    auto txn = store_->BeginEmailTxn().value();
    for (int i = 0; i < 3; ++i) ids.push_back(txn->AddSend(QueuedSend(i)).value());
    ASSERT_TRUE(txn->Commit().ok());
  }
  const TimePoint now = FromUnixMillis(1000);
  auto claimed = store_->ClaimDueSends(now, 10, std::chrono::seconds(60)).value();
  ASSERT_EQ(claimed.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(claimed[i].html, fmt::format("<p>Guide {}</p>", i));
    EXPECT_EQ(claimed[i].text, fmt::format("Guide {}", i));
  }
  {
    auto txn = store_->BeginEmailTxn().value();
    for (int64_t id : ids) ASSERT_TRUE(txn->StartAttempt(id, now).ok());
    ASSERT_TRUE(txn->RecordAttempt(ids[0], SendStatus::kSent, 250, "", now, now).ok());
    ASSERT_TRUE(txn->RecordAttempt(ids[1], SendStatus::kRetrying, 451, "busy", now, now).ok());
    ASSERT_TRUE(txn->RecordAttempt(ids[2], SendStatus::kFailed, 451, "busy", now, now).ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  // The one to be tried again still has its parts.
  claimed = store_->ClaimDueSends(now, 10, std::chrono::seconds(60)).value();
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].id, ids[1]);
  EXPECT_EQ(claimed[0].html, "<p>Guide 1</p>");
  // The sent and the failed ones do not: their rows may be written again.
  for (int64_t id : {ids[0], ids[2]}) {
    EXPECT_TRUE(
        dir_.RunSql(fmt::format("INSERT INTO email_bodies VALUES ({}, 'a', 'b')", id)).ok());
  }
  EXPECT_FALSE(
      dir_.RunSql(fmt::format("INSERT INTO email_bodies VALUES ({}, 'a', 'b')", ids[1])).ok());
  EXPECT_EQ(store_->GetSend("em_0").value()->status, SendStatus::kSent);
}

// A store that version 12 left with a message queued (its parts in its row): migrated,
// the message still goes with its parts.
TEST_P(EmailSendsStoreTest, AMessageQueuedBeforeThePartsMovedIsSentWithThem) {
  int64_t id = 0;
  {
    auto txn = store_->BeginEmailTxn().value();
    id = txn->AddSend(QueuedSend(7)).value();
    ASSERT_TRUE(txn->Commit().ok());
  }
  store_.reset();
  Status undone = dir_.RunSql(fmt::format(
      "{}DROP TABLE sequence_step_runs; DROP TABLE sequence_enrolments; DROP TABLE sequence_steps; "
      "DROP TABLE sequences; ALTER TABLE stage_transitions DROP COLUMN amount_cents; "
      "ALTER TABLE leads DROP COLUMN country; ALTER TABLE leads DROP COLUMN company_size; "
      "DROP TABLE lead_funnel; DROP TABLE funnel_days; DROP TABLE velocity_days; "
      "DROP TABLE mql_responses; DROP INDEX stage_transitions_outcomes; DROP TABLE account_owners; "
      "DROP INDEX leads_owner_stage; DROP INDEX persons_merged_into; DROP TABLE speed_days; DROP "
      "TABLE lead_outcomes; DROP TABLE outcome_days; "
      "DROP TABLE attributed_deals; DROP TABLE attributed_touches; DROP TABLE attribution_days; "
      "DROP TABLE email_engagements; ALTER TABLE email_sends DROP COLUMN opens; "
      "ALTER TABLE email_sends DROP COLUMN machine_opens; "
      "ALTER TABLE email_sends DROP COLUMN clicks; "
      "ALTER TABLE email_sends DROP COLUMN first_opened_at; "
      "ALTER TABLE email_sends DROP COLUMN first_clicked_at; "
      "DROP TABLE email_bodies; "
      "ALTER TABLE email_sends ADD COLUMN html TEXT NOT NULL DEFAULT ''; "
      "ALTER TABLE email_sends ADD COLUMN text TEXT NOT NULL DEFAULT ''; "
      "UPDATE email_sends SET html = '<p>Old</p>', text = 'Old' WHERE id = {}; "
      "DELETE FROM schema_migrations WHERE version >= 13;",
      testing::kUndoVersion26, id));
  ASSERT_TRUE(undone.ok()) << undone.ToString();
  Reopen();
  auto claimed = store_->ClaimDueSends(FromUnixMillis(1000), 10, std::chrono::seconds(60)).value();
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].html, "<p>Old</p>");
  EXPECT_EQ(claimed[0].text, "Old");
}

INSTANTIATE_TEST_SUITE_P(BothBackends, EmailSendsStoreTest,
                         ::testing::Values(testing::Backend::kSqlite, testing::Backend::kPostgres),
                         [](const ::testing::TestParamInfo<testing::Backend>& backend) {
                           return testing::BackendName(backend.param);
                         });

}  // namespace
}  // namespace tandem
