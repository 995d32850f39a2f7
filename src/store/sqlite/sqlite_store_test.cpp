#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>

#include "core/time_format.h"
#include "testing/temp_dir.h"

namespace tandem {
namespace {

EventRecord Event(int64_t source, std::string message_id, std::string anonymous_id = "a1",
                  std::string user_id = "") {
  EventRecord e;
  e.source_id = source;
  e.message_id = std::move(message_id);
  e.type = "track";
  e.event = "Viewed";
  e.anonymous_id = std::move(anonymous_id);
  e.user_id = std::move(user_id);
  e.timestamp = FromUnixMillis(1000);
  e.received_at = FromUnixMillis(2000);
  e.payload = R"({"type":"track"})";
  return e;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    store_.reset();
    auto store = OpenStore(dir_.SqliteUrl(), StoreOptions{});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    auto source = store_->ListSources();
    ASSERT_TRUE(source.ok());
    if (source->empty()) {
      auto created = store_->CreateSource("Web", "key-1", FromUnixMillis(0));
      ASSERT_TRUE(created.ok()) << created.status().ToString();
      source_id_ = created->id;
    } else {
      source_id_ = source->front().id;
    }
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  int64_t source_id_ = 0;
};

TEST_F(SqliteStoreTest, MigrationsAreVersionedAndIdempotent) {
  auto version = store_->SchemaVersion();
  ASSERT_TRUE(version.ok());
  EXPECT_GE(*version, 1);
  EXPECT_TRUE(store_->Migrate().ok());
  Reopen();
  EXPECT_EQ(*store_->SchemaVersion(), *version);
}

TEST_F(SqliteStoreTest, SourcesAreFoundByWriteKey) {
  auto found = store_->FindSourceByWriteKey("key-1");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->name, "Web");
  EXPECT_FALSE(store_->FindSourceByWriteKey("nope")->has_value());
  auto duplicate = store_->CreateSource("Other", "key-1", FromUnixMillis(0));
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.status().error_code(), "write_key_taken");
}

TEST_F(SqliteStoreTest, ReplayedMessageIdsAreStoredOnce) {
  std::vector<EventRecord> first = {Event(source_id_, "m1"), Event(source_id_, "m2")};
  auto a = store_->AppendEvents(first);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->stored, 2u);
  std::vector<EventRecord> second = {Event(source_id_, "m2"), Event(source_id_, "m3"),
                                     Event(source_id_, "m3")};
  auto b = store_->AppendEvents(second);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->stored, 1u);
  EXPECT_EQ(b->duplicates, 2u);
  EXPECT_EQ(b->inserted, (std::vector<bool>{false, true, false}));
  EXPECT_EQ(*store_->CountEvents(), 3);
}

TEST_F(SqliteStoreTest, EventsSurviveReopen) {
  std::vector<EventRecord> events = {Event(source_id_, "durable")};
  ASSERT_TRUE(store_->AppendEvents(events).ok());
  Reopen();
  auto found = store_->FindEvent(source_id_, "durable");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->record.event, "Viewed");
  EXPECT_EQ((*found)->record.timestamp, FromUnixMillis(1000));
  EXPECT_EQ((*found)->record.payload, R"({"type":"track"})");
}

TEST_F(SqliteStoreTest, ProcessingTxnRollsBackUnlessCommitted) {
  std::vector<EventRecord> events = {Event(source_id_, "m1")};
  ASSERT_TRUE(store_->AppendEvents(events).ok());
  {
    auto txn = store_->BeginProcessing();
    ASSERT_TRUE(txn.ok());
    auto next = (*txn)->NextUnprocessed(10);
    ASSERT_TRUE(next.ok());
    ASSERT_EQ(next->size(), 1u);
    StitchPlan plan;
    plan.attach = {{IdentityKind::kAnonymousId, "a1"}};
    ASSERT_TRUE((*txn)->ApplyStitch(next->front(), plan, FromUnixMillis(5)).ok());
    ASSERT_TRUE((*txn)->MarkProcessed(next->back()).ok());
    // destroyed without Commit
  }
  EXPECT_EQ(*store_->CountUnprocessedEvents(), 1);
  EXPECT_FALSE(store_->FindPersonByIdentity({IdentityKind::kAnonymousId, "a1"})->has_value());
}

TEST_F(SqliteStoreTest, MergeMovesIdentitiesAndEventsAndKeepsAPointer) {
  std::vector<EventRecord> events = {Event(source_id_, "m1", "a1"), Event(source_id_, "m2", "a2"),
                                     Event(source_id_, "m3", "a2", "u1")};
  ASSERT_TRUE(store_->AppendEvents(events).ok());
  auto txn = std::move(store_->BeginProcessing().value());
  auto next = txn->NextUnprocessed(10).value();
  ASSERT_EQ(next.size(), 3u);
  StitchPlan first;
  first.attach = {{IdentityKind::kAnonymousId, "a1"}};
  int64_t p1 = txn->ApplyStitch(next[0], first, FromUnixMillis(1)).value();
  StitchPlan second;
  second.attach = {{IdentityKind::kAnonymousId, "a2"}};
  int64_t p2 = txn->ApplyStitch(next[1], second, FromUnixMillis(2)).value();
  ASSERT_NE(p1, p2);
  StitchPlan merge;
  merge.person_id = p1;
  merge.merge_from = {p2};
  merge.user_id = "u1";
  merge.attach = {{IdentityKind::kUserId, "u1"}};
  ASSERT_EQ(txn->ApplyStitch(next[2], merge, FromUnixMillis(3)).value(), p1);
  ASSERT_TRUE(txn->MarkProcessed(next.back()).ok());
  ASSERT_TRUE(txn->Commit().ok());
  txn.reset();

  EXPECT_EQ(*store_->FindPersonByIdentity({IdentityKind::kAnonymousId, "a2"}), p1);
  EXPECT_EQ(*store_->FindPersonByIdentity({IdentityKind::kUserId, "u1"}), p1);
  auto person = store_->GetPerson(p1).value();
  ASSERT_TRUE(person.has_value());
  EXPECT_EQ(person->user_id, "u1");
  EXPECT_EQ(person->identities.size(), 3u);
  auto merged = store_->GetPerson(p2).value();
  ASSERT_TRUE(merged.has_value());
  EXPECT_EQ(merged->merged_into, p1);
  EXPECT_EQ(store_->ListPersonEvents(p1, 100)->size(), 3u);
  EXPECT_EQ(*store_->CountUnprocessedEvents(), 0);
}

}  // namespace
}  // namespace tandem
