// The store test-suite: every case runs on SQLite and on a real PostgreSQL server
// (the test run's throw-away cluster). Engine and API tests run on both too (their
// "postgres/" entries); the cases here are the store's own contract, including what
// two Tandem instances sharing one database must see.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "app/open_store.h"
#include "core/time_format.h"
#include "store/store.h"
#include "testing/test_store.h"

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

class StoreTest : public ::testing::TestWithParam<testing::Backend> {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    store_.reset();
    auto store = OpenStore(dir_.Url(), StoreOptions{});
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

  // A second instance on the same database.
  std::unique_ptr<Store> OpenOther() {
    auto store = OpenStore(dir_.Url(), StoreOptions{});
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(*store) : nullptr;
  }

  testing::TestStore dir_{GetParam()};
  std::unique_ptr<Store> store_;
  int64_t source_id_ = 0;
};

TEST_P(StoreTest, MigrationsAreVersionedAndIdempotent) {
  auto version = store_->SchemaVersion();
  ASSERT_TRUE(version.ok());
  EXPECT_GE(*version, 1);
  EXPECT_TRUE(store_->Migrate().ok());
  Reopen();
  EXPECT_EQ(*store_->SchemaVersion(), *version);
}

TEST_P(StoreTest, SourcesAreFoundByWriteKey) {
  auto found = store_->FindSourceByWriteKey("key-1");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->name, "Web");
  EXPECT_FALSE(store_->FindSourceByWriteKey("nope")->has_value());
  auto duplicate = store_->CreateSource("Other", "key-1", FromUnixMillis(0));
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.status().error_code(), "write_key_taken");
}

TEST_P(StoreTest, ReplayedMessageIdsAreStoredOnce) {
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

TEST_P(StoreTest, EventsSurviveReopen) {
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

TEST_P(StoreTest, ProcessingTxnRollsBackUnlessCommitted) {
  std::vector<EventRecord> events = {Event(source_id_, "m1")};
  ASSERT_TRUE(store_->AppendEvents(events).ok());
  {
    auto txn = store_->BeginProcessing(false);
    ASSERT_TRUE(txn.ok());
    auto next = (*txn)->NextUnprocessed(10);
    ASSERT_TRUE(next.ok());
    ASSERT_EQ(next->size(), 1u);
    StitchPlan plan;
    plan.attach = {{IdentityKind::kAnonymousId, "a1"}};
    ASSERT_TRUE((*txn)->ApplyStitch(next->front(), plan, FromUnixMillis(5)).ok());
    ASSERT_TRUE((*txn)->MarkProcessed(next->back().id).ok());
    // destroyed without Commit
  }
  EXPECT_EQ(*store_->CountUnprocessedEvents(), 1);
  EXPECT_FALSE(store_->FindPersonByIdentity({IdentityKind::kAnonymousId, "a1"})->has_value());
}

TEST_P(StoreTest, MergeMovesIdentitiesAndEventsAndKeepsAPointer) {
  std::vector<EventRecord> events = {Event(source_id_, "m1", "a1"), Event(source_id_, "m2", "a2"),
                                     Event(source_id_, "m3", "a2", "u1")};
  ASSERT_TRUE(store_->AppendEvents(events).ok());
  auto txn = std::move(store_->BeginProcessing(false).value());
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
  ASSERT_TRUE(txn->MarkProcessed(next.back().id).ok());
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
  EXPECT_EQ(store_->PersonEvents(p1, 100)->size(), 3u);
  EXPECT_EQ(*store_->CountUnprocessedEvents(), 0);
}

UserRecord Rep(std::string email) {
  UserRecord u;
  u.email = std::move(email);
  u.name = "Rep";
  u.role = Role::kSalesRep;
  u.team = "east";
  u.created_at = u.updated_at = FromUnixMillis(0);
  return u;
}

// A shared read answers the same inside a transaction (on its own connection, seeing
// its own writes) as outside one.
TEST_P(StoreTest, APersonsEventsAreReadAndCountedInsideAndOutsideATransaction) {
  std::vector<EventRecord> events = {Event(source_id_, "m1", "a1"), Event(source_id_, "m2", "a1")};
  ASSERT_TRUE(store_->AppendEvents(events).ok());
  auto txn = std::move(store_->BeginProcessing(false).value());
  auto next = txn->NextUnprocessed(10).value();
  ASSERT_EQ(next.size(), 2u);
  StitchPlan plan;
  plan.attach = {{IdentityKind::kAnonymousId, "a1"}};
  int64_t person = txn->ApplyStitch(next[0], plan, FromUnixMillis(1)).value();
  StitchPlan same;
  same.person_id = person;
  ASSERT_EQ(txn->ApplyStitch(next[1], same, FromUnixMillis(2)).value(), person);
  EXPECT_EQ(*txn->CountPersonEvents(person), 2);
  EXPECT_EQ(txn->PersonEvents(person, 1)->size(), 1u);
  EXPECT_EQ(*store_->CountPersonEvents(person), 0);  // not committed yet
  ASSERT_TRUE(txn->MarkProcessed(next.back().id).ok());
  ASSERT_TRUE(txn->Commit().ok());
  txn.reset();
  EXPECT_EQ(*store_->CountPersonEvents(person), 2);
  auto read = store_->PersonEvents(person, 10).value();
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(read[0].record.message_id, "m1");
  EXPECT_EQ(*store_->CountPersonEvents(person + 100), 0);
}

TEST_P(StoreTest, UsersTokensAndSessions) {
  auto rep = store_->CreateUser(Rep("rep@example.com"));
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  EXPECT_GT(rep->id, 0);
  auto again = store_->CreateUser(Rep("rep@example.com"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().error_code(), "user_exists");
  EXPECT_EQ(*store_->ListTeams(), std::vector<std::string>{"east"});

  UserRecord changed = *rep;
  changed.name = "Renamed";
  changed.ooo_from = FromUnixMillis(10);
  changed.ooo_until = FromUnixMillis(20);
  ASSERT_TRUE(store_->UpdateUser(changed).ok());
  auto read = store_->GetUser(rep->id).value();
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->name, "Renamed");
  EXPECT_EQ(read->ooo_until, FromUnixMillis(20));
  changed.id = 999999;
  EXPECT_EQ(store_->UpdateUser(changed).code(), StatusCode::kNotFound);

  ASSERT_TRUE(store_->AddApiToken(rep->id, "hash-1", FromUnixMillis(1)).ok());
  EXPECT_EQ((*store_->FindApiToken("hash-1", FromUnixMillis(2)))->first.id, rep->id);
  EXPECT_FALSE(store_->FindApiToken("hash-2", FromUnixMillis(2))->has_value());

  ASSERT_TRUE(store_->SetPassword(rep->id, "pw-hash").ok());
  auto creds = store_->FindCredentials("REP@example.com").value();
  ASSERT_TRUE(creds.has_value());
  EXPECT_EQ(creds->password_hash, "pw-hash");

  SessionRecord session;
  session.token_hash = "s-1";
  session.user_id = rep->id;
  session.csrf_token = "csrf";
  session.created_at = FromUnixMillis(0);
  session.expires_at = FromUnixMillis(50);
  ASSERT_TRUE(store_->CreateSession(session).ok());
  EXPECT_TRUE(store_->FindSession("s-1", FromUnixMillis(49))->has_value());
  EXPECT_FALSE(store_->FindSession("s-1", FromUnixMillis(50))->has_value());
  ASSERT_TRUE(store_->DeleteSession("s-1").ok());
  EXPECT_FALSE(store_->FindSession("s-1", FromUnixMillis(1))->has_value());

  // Ending a user's sessions ends them all, and only theirs.
  auto other = store_->CreateUser(Rep("other@example.com")).value();
  for (auto [hash, user] : {std::pair{"s-2", rep->id}, {"s-3", rep->id}, {"s-4", other.id}}) {
    session.token_hash = hash;
    session.user_id = user;
    ASSERT_TRUE(store_->CreateSession(session).ok());
  }
  ASSERT_TRUE(store_->EndSessions(rep->id).ok());
  EXPECT_FALSE(store_->FindSession("s-2", FromUnixMillis(1))->has_value());
  EXPECT_FALSE(store_->FindSession("s-3", FromUnixMillis(1))->has_value());
  EXPECT_TRUE(store_->FindSession("s-4", FromUnixMillis(1))->has_value());
}

TEST_P(StoreTest, ApiTokensAreListedExpireAndAreRevoked) {
  auto rep = store_->CreateUser(Rep("rep@example.com")).value();
  auto other = store_->CreateUser(Rep("other@example.com")).value();
  ApiTokenRecord token;
  token.user_id = rep.id;
  token.name = "zapier";
  token.created_at = FromUnixMillis(1000);
  token.expires_at = FromUnixMillis(5000);
  auto expiring = store_->CreateApiToken(token, "hash-exp");
  ASSERT_TRUE(expiring.ok()) << expiring.status().ToString();
  EXPECT_GT(expiring->id, 0);
  token.name = "";
  token.expires_at.reset();
  auto lasting = store_->CreateApiToken(token, "hash-ever").value();
  token.user_id = other.id;
  auto others = store_->CreateApiToken(token, "hash-other").value();
  EXPECT_NE(lasting.id, expiring->id);

  // Expiry: valid before, gone at the expiry time; listed either way.
  auto found = store_->FindApiToken("hash-exp", FromUnixMillis(4999)).value();
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->first.id, rep.id);
  EXPECT_EQ(found->second.id, expiring->id);
  EXPECT_EQ(found->second.name, "zapier");
  EXPECT_EQ(found->second.expires_at, FromUnixMillis(5000));
  EXPECT_FALSE(store_->FindApiToken("hash-exp", FromUnixMillis(5000))->has_value());
  auto mine = store_->ListApiTokens(rep.id).value();
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine[0].id, expiring->id);
  EXPECT_EQ(store_->ListApiTokens(std::nullopt)->size(), 3u);
  EXPECT_EQ(store_->GetApiToken(others.id).value()->user_id, other.id);

  // The last use is written at most once per granularity.
  const auto minute = std::chrono::milliseconds(60000);
  ASSERT_TRUE(store_->NoteApiTokenUse(lasting.id, FromUnixMillis(100000), minute).ok());
  ASSERT_TRUE(store_->NoteApiTokenUse(lasting.id, FromUnixMillis(130000), minute).ok());
  EXPECT_EQ(store_->GetApiToken(lasting.id).value()->last_used_at, FromUnixMillis(100000));
  ASSERT_TRUE(store_->NoteApiTokenUse(lasting.id, FromUnixMillis(160000), minute).ok());
  EXPECT_EQ(store_->GetApiToken(lasting.id).value()->last_used_at, FromUnixMillis(160000));
  EXPECT_FALSE(store_->GetApiToken(others.id).value()->last_used_at.has_value());

  // Revoking one, then all of a user's.
  EXPECT_TRUE(*store_->RevokeApiToken(lasting.id));
  EXPECT_FALSE(*store_->RevokeApiToken(lasting.id));
  EXPECT_FALSE(store_->FindApiToken("hash-ever", FromUnixMillis(1))->has_value());
  EXPECT_EQ(*store_->RevokeApiTokens(rep.id), 1);
  EXPECT_TRUE(store_->ListApiTokens(rep.id)->empty());
  EXPECT_TRUE(store_->FindApiToken("hash-other", FromUnixMillis(1))->has_value());
}

TEST_P(StoreTest, SettingsAreReplacedInPlace) {
  EXPECT_FALSE(store_->GetSetting("policy")->has_value());
  ASSERT_TRUE(store_->PutSetting("policy", "a").ok());
  ASSERT_TRUE(store_->PutSetting("policy", "b").ok());
  EXPECT_EQ(**store_->GetSetting("policy"), "b");
}

// Two instances starting together each propose a secret; both end up with the first.
TEST_P(StoreTest, InstancesAgreeOnASettingWrittenIfAbsent) {
  auto other = OpenOther();
  ASSERT_TRUE(other);
  std::string a, b;
  std::thread ta([&] { a = store_->PutSettingIfAbsent("secret", "from-a").value(); });
  std::thread tb([&] { b = other->PutSettingIfAbsent("secret", "from-b").value(); });
  ta.join();
  tb.join();
  EXPECT_EQ(a, b);
  EXPECT_TRUE(a == "from-a" || a == "from-b") << a;
  EXPECT_EQ(**store_->GetSetting("secret"), a);
  EXPECT_EQ(*other->PutSettingIfAbsent("secret", "later"), a);
}

TEST_P(StoreTest, LeadTxnRollsBackUnlessCommittedAndUpsertsLeads) {
  LeadRecord lead;
  lead.id = 42;
  lead.email = "ada@example.com";
  lead.stage = Stage::kMql;
  lead.created_at = lead.updated_at = FromUnixMillis(0);
  {
    auto txn = std::move(store_->BeginLeadTxn().value());
    ASSERT_TRUE(txn->PutLead(lead).ok());
  }
  EXPECT_FALSE(store_->GetLead(42)->has_value());
  {
    auto txn = std::move(store_->BeginLeadTxn().value());
    ASSERT_TRUE(txn->PutLead(lead).ok());
    lead.name = "Ada";
    lead.stage = Stage::kSql;
    ASSERT_TRUE(txn->PutLead(lead).ok());  // replaces the row written above
    ASSERT_TRUE(txn->Commit().ok());
  }
  auto read = store_->GetLead(42).value();
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->name, "Ada");
  EXPECT_EQ(read->stage, Stage::kSql);
  EXPECT_EQ(*store_->CountLeads(), 1);
}

TEST_P(StoreTest, OneOpenAssignmentPerLead) {
  auto rep = store_->CreateUser(Rep("rep@example.com")).value();
  auto txn = std::move(store_->BeginLeadTxn().value());
  AssignmentRecord a;
  a.lead_id = 7;
  a.user_id = rep.id;
  a.reason = "round robin";
  a.started_at = FromUnixMillis(1);
  ASSERT_TRUE(txn->StartAssignment(a).ok());
  Status second = txn->StartAssignment(a);
  EXPECT_EQ(second.code(), StatusCode::kConflict) << second.ToString();
}

// Two instances on one database: lead transactions exclude each other, so a
// read-check-write in one (the contact gate, an owner check) sees the other's commit.
TEST_P(StoreTest, LeadTransactionsOfTwoInstancesNeverInterleave) {
  auto other = OpenOther();
  ASSERT_TRUE(other);
  auto rep = store_->CreateUser(Rep("rep@example.com")).value();
  LeadRecord lead;
  lead.id = 1;
  lead.stage = Stage::kMql;
  lead.created_at = lead.updated_at = FromUnixMillis(0);
  {
    auto txn = std::move(store_->BeginLeadTxn().value());
    ASSERT_TRUE(txn->PutLead(lead).ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  // Each attempt counts the touches of the last day and adds one only below 3.
  std::atomic<int> added{0}, failed{0};
  auto attempt = [&](Store& store) {
    for (int i = 0; i < 8; ++i) {
      auto txn = store.BeginLeadTxn();
      if (!txn.ok()) {
        ++failed;
        continue;
      }
      auto touches = (*txn)->ListTouches(1, FromUnixMillis(0));
      if (!touches.ok()) {
        ++failed;
        continue;
      }
      if (touches->size() < 3) {
        TouchRecord t;
        t.lead_id = 1;
        t.user_id = rep.id;
        t.channel = Channel::kCall;
        t.purpose = Purpose::kSalesOutreach;
        t.direction = "outbound";
        t.at = FromUnixMillis(10 + i);
        if (!(*txn)->AddTouch(t).ok() || !(*txn)->Commit().ok()) {
          ++failed;
          continue;
        }
        ++added;
      }
    }
  };
  std::thread a([&] { attempt(*store_); });
  std::thread b([&] { attempt(*other); });
  a.join();
  b.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(added.load(), 3);
  EXPECT_EQ(store_->ListTouches(1, FromUnixMillis(0))->size(), 3u);
}

// Event ids grow in commit order even with two instances appending at once, so the
// pipeline's cursor never skips an event committed late with a smaller id.
TEST_P(StoreTest, EventsOfTwoInstancesAreProcessedOnceEach) {
  auto other = OpenOther();
  ASSERT_TRUE(other);
  std::atomic<bool> done{false};
  auto append = [&](Store& store, std::string prefix) {
    for (int batch = 0; batch < 40; ++batch) {
      std::vector<EventRecord> events;
      for (int i = 0; i < 25; ++i)
        events.push_back(Event(source_id_, fmt::format("{}-{}-{}", prefix, batch, i)));
      ASSERT_TRUE(store.AppendEvents(events).ok());
    }
  };
  std::set<int64_t> processed;
  size_t processed_twice = 0;
  auto process = [&]() {
    auto txn = std::move(store_->BeginProcessing(false).value());
    auto next = txn->NextUnprocessed(100).value();
    for (const StoredEvent& e : next) processed_twice += processed.insert(e.id).second ? 0 : 1;
    if (!next.empty()) {
      ASSERT_TRUE(txn->MarkProcessed(next.back().id).ok());
    }
    ASSERT_TRUE(txn->Commit().ok());
  };
  std::thread a([&] { append(*store_, "a"); });
  std::thread b([&] { append(*other, "b"); });
  std::thread pipeline([&] {
    while (!done) process();
  });
  a.join();
  b.join();
  done = true;
  pipeline.join();
  while (*store_->CountUnprocessedEvents() > 0) process();  // what arrived after the last pass
  EXPECT_EQ(processed_twice, 0u);
  EXPECT_EQ(processed.size(), 2000u);
  EXPECT_EQ(*store_->CountEvents(), 2000);
  EXPECT_EQ(*other->CountUnprocessedEvents(), 0);
}

// A due delivery goes to one worker: whichever instance asks first claims it.
TEST_P(StoreTest, ADueDeliveryIsClaimedByOneInstance) {
  auto other = OpenOther();
  ASSERT_TRUE(other);
  {
    auto txn = std::move(store_->BeginLeadTxn().value());
    for (int i = 0; i < 30; ++i) {
      OutboxMessage m;
      m.uid = fmt::format("msg-{}", i);
      m.type = "lead.assigned";
      m.lead_id = i;  // one lead each: all due at once
      m.payload = "{}";
      m.created_at = FromUnixMillis(0);
      std::vector<std::string> endpoints = {"http://127.0.0.1:9/hook"};
      ASSERT_TRUE(txn->Enqueue(m, endpoints, FromUnixMillis(0)).ok());
    }
    ASSERT_TRUE(txn->Commit().ok());
  }
  std::vector<int64_t> got_a, got_b;
  auto claim = [](Store& store, std::vector<int64_t>& got) {
    for (int i = 0; i < 10; ++i) {
      auto due = store.DueDeliveries(FromUnixMillis(1000), 4);
      ASSERT_TRUE(due.ok()) << due.status().ToString();
      for (const PendingDelivery& d : *due) got.push_back(d.id);
    }
  };
  std::thread a([&] { claim(*store_, got_a); });
  std::thread b([&] { claim(*other, got_b); });
  a.join();
  b.join();
  std::set<int64_t> all(got_a.begin(), got_a.end());
  all.insert(got_b.begin(), got_b.end());
  EXPECT_EQ(all.size(), got_a.size() + got_b.size()) << "a delivery was handed out twice";
  EXPECT_EQ(all.size(), 30u);
  // A worker that died holding a claim: the delivery is due again once the claim ends.
  auto later = store_->DueDeliveries(FromUnixMillis(1000) + kDeliveryClaim, 100).value();
  EXPECT_EQ(later.size(), 30u);
  ASSERT_TRUE(store_->MarkDelivered(later[0].id, 200, FromUnixMillis(2000)).ok());
  EXPECT_EQ(*other->CountPendingDeliveries(), 29);
}

TEST(OpenStore, PostgresUrlMistakesSayWhatIsWrong) {
  auto small = OpenStore("postgresql://u@127.0.0.1:1/db?pool_size=1", StoreOptions{});
  ASSERT_FALSE(small.ok());
  EXPECT_EQ(small.status().error_code(), "invalid_db_url");
  EXPECT_NE(small.status().message().find("pool_size=\"1\""), std::string::npos)
      << small.status().ToString();
  auto down = OpenStore("postgresql://u@127.0.0.1:1/db?connect_timeout=2", StoreOptions{});
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(down.status().error_code(), "store_unavailable");
  // The test cluster with a pool of two: a lead transaction and a read at once.
  testing::TestStore dir(testing::Backend::kPostgres);
  auto store = OpenStore(dir.Url() + "&pool_size=2", StoreOptions{});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto txn = (*store)->BeginLeadTxn();
  ASSERT_TRUE(txn.ok());
  EXPECT_TRUE((*store)->ListUsers().ok());
}

INSTANTIATE_TEST_SUITE_P(BothBackends, StoreTest,
                         ::testing::Values(testing::Backend::kSqlite, testing::Backend::kPostgres),
                         [](const ::testing::TestParamInfo<testing::Backend>& backend) {
                           return testing::BackendName(backend.param);
                         });

}  // namespace
}  // namespace tandem
