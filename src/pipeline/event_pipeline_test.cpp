#include "pipeline/event_pipeline.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <thread>

#include "app/open_store.h"
#include "core/time_format.h"
#include "ingest/segment_message.h"
#include "leads/lead_engine.h"
#include "metrics/metrics.h"
#include "testing/store_wrapper.h"
#include "testing/test_store.h"
#include "testing/txn_wrapper.h"

namespace tandem {
namespace {

// A processing transaction that refuses to stitch any event whose messageId starts
// with `refused`, as PostgreSQL refuses a value too long for an index entry.
class RefusingTxn final : public ProcessingTxnWrapper {
 public:
  RefusingTxn(std::unique_ptr<ProcessingTxn> txn, std::string refused)
      : ProcessingTxnWrapper(std::move(txn)), refused_(std::move(refused)) {}
  StatusOr<int64_t> ApplyStitch(const StoredEvent& event, const StitchPlan& plan,
                                TimePoint now) override {
    if (event.record.message_id.starts_with(refused_)) {
      return Internal("ERROR:  index row requires 30024 bytes, maximum size is 8191");
    }
    return ProcessingTxnWrapper::ApplyStitch(event, plan, now);
  }

 private:
  std::string refused_;
};

class RefusingStore final : public StoreWrapper {
 public:
  RefusingStore(Store& target, std::string refused)
      : StoreWrapper(target), refused_(std::move(refused)) {}
  StatusOr<std::unique_ptr<ProcessingTxn>> BeginProcessing(bool alone) override {
    TANDEM_ASSIGN_OR_RETURN(auto txn, target().BeginProcessing(alone));
    return std::unique_ptr<ProcessingTxn>(std::make_unique<RefusingTxn>(std::move(txn), refused_));
  }

 private:
  std::string refused_;
};

class EventPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(OpenStore(dir_.Url(), StoreOptions{}).value());
    source_id_ = store_->CreateSource("Web", "k", clock_.Now())->id;
  }

  // Stores messages as the ingest path would.
  void Send(const std::string& batch_json) {
    body_ = batch_json;
    auto parsed =
        parser_.Parse(IngestRequest{IngestCall::kBatch, body_, clock_.Now(), "127.0.0.1"});
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    ASSERT_TRUE(parsed->rejected.empty());
    for (auto& e : parsed->events) e.source_id = source_id_;
    ASSERT_TRUE(store_->AppendEvents(parsed->events).ok());
  }

  std::optional<int64_t> PersonOf(IdentityKind kind, const std::string& value) {
    return store_->FindPersonByIdentity({kind, value}).value();
  }

  testing::TestStore dir_;
  ManualClock clock_{*ParseIsoTime("2026-11-22T10:00:00Z")};
  Metrics metrics_;
  SegmentParser parser_;
  LeadEngine engine_{DefaultScoring(), RoutingConfig{}, {}};
  std::string body_;
  std::unique_ptr<Store> store_;
  int64_t source_id_ = 0;
};

TEST_F(EventPipelineTest, AnonymousHistoryBelongsToThePersonOnceIdentified) {
  Send(R"({"batch":[
    {"type":"page","anonymousId":"a1","name":"Home"},
    {"type":"page","anonymousId":"a1","name":"Pricing"},
    {"type":"track","anonymousId":"a1","event":"Content Downloaded"}]})");
  EventPipeline pipeline(*store_, clock_, metrics_, {});
  ASSERT_TRUE(pipeline.Drain().ok());
  auto anonymous_person = PersonOf(IdentityKind::kAnonymousId, "a1");
  ASSERT_TRUE(anonymous_person.has_value());

  Send(R"({"batch":[{"type":"identify","anonymousId":"a1","userId":"u1",
                     "traits":{"email":" Ada@Example.COM "}}]})");
  ASSERT_TRUE(pipeline.Drain().ok());
  auto person = PersonOf(IdentityKind::kUserId, "u1");
  ASSERT_TRUE(person.has_value());
  EXPECT_EQ(person, PersonOf(IdentityKind::kAnonymousId, "a1"));
  EXPECT_EQ(person, PersonOf(IdentityKind::kEmail, "ada@example.com"));
  auto events = store_->PersonEvents(*person, 100).value();
  EXPECT_EQ(events.size(), 4u) << "the three anonymous events and the identify";
  EXPECT_EQ(store_->GetPerson(*person).value()->email, "ada@example.com");
}

TEST_F(EventPipelineTest, SecondDeviceIsMergedWhenTheUserLogsIn) {
  Send(R"({"batch":[{"type":"identify","anonymousId":"laptop","userId":"u1"},
                    {"type":"page","anonymousId":"phone","name":"Home"},
                    {"type":"page","anonymousId":"phone","name":"Pricing"},
                    {"type":"track","anonymousId":"phone","userId":"u1","event":"Logged In"}]})");
  EventPipeline pipeline(*store_, clock_, metrics_, {});
  ASSERT_TRUE(pipeline.Drain().ok());
  auto person = PersonOf(IdentityKind::kUserId, "u1");
  ASSERT_TRUE(person.has_value());
  EXPECT_EQ(PersonOf(IdentityKind::kAnonymousId, "phone"), person);
  EXPECT_EQ(PersonOf(IdentityKind::kAnonymousId, "laptop"), person);
  EXPECT_EQ(store_->PersonEvents(*person, 100)->size(), 4u);
}

TEST_F(EventPipelineTest, AliasJoinsPreviousIdentity) {
  Send(R"({"batch":[{"type":"page","anonymousId":"visitor-9","name":"Home"},
                    {"type":"alias","previousId":"visitor-9","userId":"crm-77"}]})");
  EventPipeline pipeline(*store_, clock_, metrics_, {});
  ASSERT_TRUE(pipeline.Drain().ok());
  EXPECT_TRUE(PersonOf(IdentityKind::kUserId, "crm-77").has_value());
  EXPECT_EQ(PersonOf(IdentityKind::kUserId, "crm-77"),
            PersonOf(IdentityKind::kAnonymousId, "visitor-9"));
}

TEST_F(EventPipelineTest, SharedBrowserDoesNotMergeTwoUsers) {
  Send(R"({"batch":[{"type":"identify","anonymousId":"kiosk","userId":"alice"},
                    {"type":"identify","anonymousId":"kiosk","userId":"bob"}]})");
  EventPipeline pipeline(*store_, clock_, metrics_, {});
  ASSERT_TRUE(pipeline.Drain().ok());
  auto alice = PersonOf(IdentityKind::kUserId, "alice");
  auto bob = PersonOf(IdentityKind::kUserId, "bob");
  ASSERT_TRUE(alice && bob);
  EXPECT_NE(*alice, *bob);
}

// One batch: what an event writes of a person is what the batch's later events read,
// whatever the store read ahead for the batch.
TEST_F(EventPipelineTest, ABatchsLaterEventsSeeWhatItsEarlierOnesWrote) {
  Send(R"({"batch":[{"type":"page","anonymousId":"kiosk","name":"Home"},
                    {"type":"identify","anonymousId":"kiosk","userId":"alice"},
                    {"type":"identify","anonymousId":"kiosk","userId":"bob"},
                    {"type":"page","anonymousId":"tablet","name":"Home"},
                    {"type":"track","anonymousId":"tablet","userId":"bob","event":"Logged In"},
                    {"type":"page","anonymousId":"tablet","name":"Pricing"}]})");
  EventPipeline pipeline(*store_, clock_, metrics_, {});
  ASSERT_TRUE(pipeline.Drain().ok());
  auto alice = PersonOf(IdentityKind::kUserId, "alice");
  auto bob = PersonOf(IdentityKind::kUserId, "bob");
  ASSERT_TRUE(alice && bob);
  EXPECT_NE(*alice, *bob) << "the kiosk's person holds alice by the time bob signs in";
  EXPECT_EQ(PersonOf(IdentityKind::kAnonymousId, "kiosk"), alice);
  EXPECT_EQ(PersonOf(IdentityKind::kAnonymousId, "tablet"), bob)
      << "the tablet's person was merged into bob's";
  EXPECT_EQ(store_->PersonEvents(*alice, 100)->size(), 2u);
  EXPECT_EQ(store_->PersonEvents(*bob, 100)->size(), 4u)
      << "bob's identify and the tablet's three events, the last after the merge";
}

TEST_F(EventPipelineTest, EachEventIsProcessedExactlyOnceAcrossRestarts) {
  std::string batch = R"({"batch":[)";
  for (int i = 0; i < 1200; ++i) {
    batch +=
        fmt::format(R"({}{{"type":"page","anonymousId":"v{}","name":"P"}})", i ? "," : "", i % 50);
  }
  Send(batch + "]}");
  {
    EventPipeline pipeline(*store_, clock_, metrics_, EventPipeline::Options{.batch_events = 500});
    ASSERT_EQ(pipeline.ProcessBatch().value(), 500u);
  }  // the process "stops" after one batch
  EXPECT_EQ(*store_->CountUnprocessedEvents(), 700);
  store_.reset();
  store_ = std::move(OpenStore(dir_.Url(), StoreOptions{}).value());
  EventPipeline pipeline(*store_, clock_, metrics_, EventPipeline::Options{.batch_events = 500});
  ASSERT_TRUE(pipeline.Drain().ok());
  EXPECT_EQ(metrics_.events_processed.Value(), 1200) << "no event processed twice, none skipped";
  EXPECT_EQ(*store_->CountUnprocessedEvents(), 0);
  size_t owned = 0;
  for (int v = 0; v < 50; ++v) {
    auto person = PersonOf(IdentityKind::kAnonymousId, fmt::format("v{}", v));
    ASSERT_TRUE(person.has_value());
    owned += store_->PersonEvents(*person, 1000)->size();
  }
  EXPECT_EQ(owned, 1200u);
}

TEST_F(EventPipelineTest, LagIsTrueWhileABacklogIsWorkedOff) {
  std::string batch = R"({"batch":[)";
  for (int i = 0; i < 1200; ++i) {
    batch += fmt::format(R"({}{{"type":"page","anonymousId":"v{}","name":"P"}})", i ? "," : "", i);
  }
  Send(batch + "]}");
  EventPipeline pipeline(*store_, clock_, metrics_, EventPipeline::Options{.batch_events = 500});
  pipeline.RefreshLag();  // what the background thread does first
  EXPECT_EQ(metrics_.pipeline_lag_events.Value(), 1200);
  ASSERT_EQ(pipeline.ProcessBatch().value(), 500u);
  EXPECT_EQ(metrics_.pipeline_lag_events.Value(), 700) << "true in the middle of the backlog";
  ASSERT_TRUE(pipeline.Drain().ok());
  EXPECT_EQ(metrics_.pipeline_lag_events.Value(), 0);
}

TEST_F(EventPipelineTest, LagIsCountedAgainWhenTheFirstCountOverlappedACommit) {
  std::string batch = R"({"batch":[)";
  for (int i = 0; i < 1200; ++i) {
    batch += fmt::format(R"({}{{"type":"page","anonymousId":"v{}","name":"P"}})", i ? "," : "", i);
  }
  Send(batch + "]}");  // a backlog left by an earlier run
  EventPipeline pipeline(*store_, clock_, metrics_, EventPipeline::Options{.batch_events = 500});
  metrics_.pipeline_lag_events.BeginCommit();  // a commit overlaps the first count
  EXPECT_FALSE(pipeline.RefreshLag());
  metrics_.pipeline_lag_events.EndCommit(0);
  EXPECT_FALSE(metrics_.pipeline_lag_events.Exact());
  ASSERT_EQ(pipeline.ProcessBatch().value(), 500u);
  EXPECT_EQ(metrics_.pipeline_lag_events.Value(), 700) << "counted again after the batch";
  EXPECT_TRUE(metrics_.pipeline_lag_events.Exact());
  // Behind a backlog the next batch is twice as large: the rest in one (beside other
  // batches, on PostgreSQL, 512 events at most).
  const size_t second = pipeline.ProcessBatch().value();
  EXPECT_EQ(second, store_->concurrent_batches() ? 512u : 700u);
  EXPECT_EQ(metrics_.pipeline_lag_events.Value(), 700 - static_cast<int64_t>(second));
  ASSERT_TRUE(pipeline.Drain().ok());
  EXPECT_EQ(metrics_.pipeline_lag_events.Value(), 0);
}

// A backlog is worked off in batches that double up to the most, sharing each commit
// among more events; once caught up, batches are small again, so the write lock is held
// briefly while ingest flows.
TEST_F(EventPipelineTest, BatchesGrowBehindABacklogAndShrinkOnceCaughtUp) {
  auto send = [&](int from, int count) {
    std::string batch = R"({"batch":[)";
    for (int i = from; i < from + count; ++i) {
      batch += fmt::format(R"({}{{"type":"page","anonymousId":"v{}","name":"P"}})",
                           i == from ? "" : ",", i);
    }
    Send(batch + "]}");
  };
  send(0, 1000);
  EventPipeline pipeline(*store_, clock_, metrics_,
                         EventPipeline::Options{.batch_events = 100, .max_batch_events = 400});
  std::vector<size_t> sizes;
  for (;;) {
    const size_t n = pipeline.ProcessBatch().value();
    if (n == 0) break;
    sizes.push_back(n);
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{100, 200, 400, 300}));
  send(1000, 150);
  EXPECT_EQ(pipeline.ProcessBatch().value(), 100u) << "caught up: small again";
  EXPECT_EQ(pipeline.ProcessBatch().value(), 50u);
  EXPECT_EQ(metrics_.events_processed.Value(), 1150);
}

// Page views of visitors f<from>.. as a batch's messages.
std::string Filler(int from, int count) {
  std::string out;
  for (int i = from; i < from + count; ++i) {
    out +=
        fmt::format(R"({{"type":"page","anonymousId":"f{}","name":"P","messageId":"f{}"}},)", i, i);
  }
  return out;
}

// Behind a backlog (once a batch came back full), a hand-raise and the identify before
// it are processed with the next batch, after every earlier waiting event of their
// visitor (both devices) and before the visitor's later ones.
TEST_F(EventPipelineTest, AHandRaiseBehindABacklogGoesAheadAfterItsVisitorsEarlierEvents) {
  Send(
      R"({"batch":[)" + Filler(0, 10) +
      R"({"type":"page","anonymousId":"laptop","name":"Home","messageId":"b-1"},)" +
      Filler(10, 200) +
      R"({"type":"page","anonymousId":"laptop","name":"Pricing","messageId":"b-2"},)" +
      Filler(210, 200) +
      R"({"type":"page","anonymousId":"phone","userId":"buyer","name":"Docs","messageId":"b-3"},)" +
      Filler(410, 200) +
      R"({"type":"identify","anonymousId":"laptop","userId":"buyer","messageId":"b-4",
           "traits":{"email":"buyer@acme.example"}},)" +
      Filler(610, 100) +
      R"({"type":"track","userId":"buyer","event":"Demo Requested","messageId":"b-5"},)" +
      Filler(710, 100) +
      R"({"type":"page","anonymousId":"laptop","name":"Thanks","messageId":"b-6"},)" +
      Filler(810, 100) + R"({"type":"page","anonymousId":"f0","name":"P","messageId":"z"}]})");
  const int64_t total = *store_->CountUnprocessedEvents();
  EventPipeline pipeline(*store_, clock_, metrics_,
                         {.batch_events = 100, .max_batch_events = 100, .leads = &engine_});
  ASSERT_EQ(pipeline.ProcessBatch().value(), 100u) << "not known to be behind yet";
  ASSERT_EQ(pipeline.ProcessBatch().value(), 100u + 4u)
      << "the next 100 in order, then the identify and the hand-raise after the visitor's "
         "earlier events";
  auto buyer = PersonOf(IdentityKind::kUserId, "buyer");
  ASSERT_TRUE(buyer.has_value());
  std::vector<std::string> seen;
  const std::vector<StoredEvent> processed = store_->PersonEvents(*buyer, 100).value();
  for (const StoredEvent& e : processed) seen.push_back(e.record.message_id);
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<std::string>{"b-1", "b-2", "b-3", "b-4", "b-5"}))
      << "b-1 among the first 100; b-2 and b-3 (the phone) ahead, before the identify; b-6, "
         "after the hand-raise, waits its turn";
  auto lead = store_->GetLead(*buyer).value();
  ASSERT_TRUE(lead.has_value());
  EXPECT_EQ(lead->stage, Stage::kMql) << "the hand-raise made the lead MQL";
  EXPECT_EQ(*store_->CountUnprocessedEvents(), total - 204);
  EXPECT_FALSE(PersonOf(IdentityKind::kAnonymousId, "f500").has_value())
      << "everyone else's page views wait";
  ASSERT_TRUE(pipeline.Drain().ok());
  EXPECT_EQ(metrics_.events_processed.Value(), total) << "none twice, none skipped";
  EXPECT_EQ(*store_->CountUnprocessedEvents(), 0);
  EXPECT_EQ(store_->PersonEvents(*buyer, 100)->size(), 6u);
  EXPECT_TRUE(PersonOf(IdentityKind::kAnonymousId, "f500").has_value());
}

// Caps per day hold within one batch: each event sees the points the batch's earlier
// events earned today, not only what was stored before it.
TEST_F(EventPipelineTest, CapsPerDayHoldAcrossOneBatchsEvents) {
  std::string pages;
  for (int i = 0; i < 7; ++i) {
    pages += fmt::format(
        R"(,{{"type":"page","anonymousId":"ada","name":"Pricing","messageId":"p{}",
             "context":{{"page":{{"path":"/pricing"}}}}}})",
        i);
  }
  // An address at a free provider: no account, whose creation would end a batch that runs
  // beside others (PostgreSQL) after the identify.
  Send(R"({"batch":[{"type":"identify","anonymousId":"ada","messageId":"id",
                     "traits":{"email":"ada@gmail.com"}})" +
       pages + "]}");
  EventPipeline pipeline(*store_, clock_, metrics_, {.leads = &engine_});
  ASSERT_EQ(pipeline.ProcessBatch().value(), 8u) << "one batch";
  auto lead = PersonOf(IdentityKind::kAnonymousId, "ada");
  ASSERT_TRUE(lead.has_value());
  auto items = store_->ListScoreItems(*lead);
  ASSERT_TRUE(items.ok()) << items.status().ToString();
  std::map<std::string, double> earned;
  for (const ScoreItem& item : *items) {
    if (item.axis == ScoreAxis::kEngagement) earned[item.rule] += item.points;
  }
  EXPECT_EQ(earned["pricing page"], 10) << "10 points a view, at most 10 a day";
  EXPECT_EQ(earned["page view"], 5) << "1 point a view, at most 5 a day";
}

// Behind a backlog of other visitors' identifies, a hand-raise goes first — after what
// is linked to it, here an earlier device that gave the same address.
TEST_F(EventPipelineTest, AHandRaiseGoesAheadOfOthersIdentifiesButAfterItsAddress) {
  std::string others;
  for (int i = 0; i < 150; ++i) {
    others += fmt::format(
        R"({{"type":"identify","anonymousId":"v{0}","messageId":"v{0}",
             "traits":{{"email":"v{0}@else.example"}}}},)",
        i);
  }
  Send(R"({"batch":[)" + Filler(0, 300) + others +
       R"({"type":"identify","anonymousId":"desk","messageId":"desk-id",
           "traits":{"email":"ada@acme.example"}},)" +
       Filler(300, 100) +
       R"({"type":"identify","anonymousId":"laptop","messageId":"b-id",
           "traits":{"email":"Ada@Acme.example"}},)" +
       R"({"type":"track","anonymousId":"laptop","event":"Demo Requested","messageId":"b-hr"},)" +
       Filler(400, 100) + R"({"type":"page","anonymousId":"f0","name":"P","messageId":"z"}]})");
  EventPipeline pipeline(*store_, clock_, metrics_,
                         {.batch_events = 100, .max_batch_events = 100, .leads = &engine_});
  ASSERT_EQ(pipeline.ProcessBatch().value(), 100u);
  ASSERT_EQ(pipeline.ProcessBatch().value(), 200u)
      << "100 in order; ahead: the hand-raise with the two identifies linked to it, then the "
         "first 97 other identifies";
  auto laptop = PersonOf(IdentityKind::kAnonymousId, "laptop");
  ASSERT_TRUE(laptop.has_value());
  EXPECT_EQ(PersonOf(IdentityKind::kAnonymousId, "desk"), laptop)
      << "the desk's identify, earlier and of the same address, came first";
  EXPECT_EQ(store_->GetLead(*laptop).value()->stage, Stage::kMql);
  EXPECT_TRUE(PersonOf(IdentityKind::kAnonymousId, "v96").has_value());
  EXPECT_FALSE(PersonOf(IdentityKind::kAnonymousId, "v97").has_value()) << "no room left";
  ASSERT_TRUE(pipeline.Drain().ok());
  EXPECT_EQ(*store_->CountUnprocessedEvents(), 0);
  EXPECT_EQ(store_->PersonEvents(*laptop, 100)->size(), 3u);
  EXPECT_TRUE(PersonOf(IdentityKind::kAnonymousId, "v149").has_value());
}

// A visitor with more waiting events than a batch holds (a bot, say) is not taken ahead,
// nor is any later event linked to it — here by the address its identify carries; an
// unrelated hand-raise after it still goes ahead.
TEST_F(EventPipelineTest, AVisitorWithTooMuchWaitingWaitsWithWhatIsLinkedToIt) {
  std::string bot;
  for (int i = 0; i < 120; ++i) {
    bot +=
        fmt::format(R"({{"type":"page","anonymousId":"bot","name":"P","messageId":"bot-{}"}},)", i);
  }
  Send(R"({"batch":[)" + Filler(0, 200) + bot +
       R"({"type":"identify","anonymousId":"bot","messageId":"bot-id",
           "traits":{"email":"bot@acme.example"}},)" +
       R"({"type":"track","anonymousId":"quick","event":"Demo Requested","messageId":"q"},)" +
       R"({"type":"identify","anonymousId":"desk","messageId":"desk-id",
           "traits":{"email":"bot@acme.example"}},)" +
       Filler(200, 300) + R"({"type":"page","anonymousId":"f0","name":"P","messageId":"z"}]})");
  EventPipeline pipeline(*store_, clock_, metrics_,
                         {.batch_events = 100, .max_batch_events = 100, .leads = &engine_});
  ASSERT_EQ(pipeline.ProcessBatch().value(), 100u);
  ASSERT_EQ(pipeline.ProcessBatch().value(), 101u) << "behind: only the unrelated hand-raise";
  EXPECT_TRUE(PersonOf(IdentityKind::kAnonymousId, "quick").has_value());
  EXPECT_FALSE(PersonOf(IdentityKind::kAnonymousId, "bot").has_value());
  EXPECT_FALSE(PersonOf(IdentityKind::kAnonymousId, "desk").has_value())
      << "linked to the bot by its address: it waits for the bot's identify";
  // The next batch holds 100 of the bot's page views: the other 20, its identify and the
  // desk's now fit ahead, in order.
  ASSERT_EQ(pipeline.ProcessBatch().value(), 100u + 20u + 2u);
  auto bot_person = PersonOf(IdentityKind::kAnonymousId, "bot");
  ASSERT_TRUE(bot_person.has_value());
  EXPECT_EQ(PersonOf(IdentityKind::kAnonymousId, "desk"), bot_person) << "one person";
  ASSERT_TRUE(pipeline.Drain().ok());
  EXPECT_EQ(*store_->CountUnprocessedEvents(), 0);
  EXPECT_EQ(store_->PersonEvents(*bot_person, 200)->size(), 122u);
}

// Deferring to a busy ingest is for a pipeline that keeps up: behind a backlog it would
// only let the backlog grow, so the background thread works it off without waiting.
TEST_F(EventPipelineTest, BehindABacklogThePipelineDoesNotDeferToIngest) {
  Send(R"({"batch":[)" + Filler(0, 999) + R"({"type":"page","anonymousId":"z","name":"P"}]})");
  EventPipeline pipeline(*store_, clock_, metrics_,
                         {.batch_events = 100,
                          .max_batch_events = 100,
                          .ingest_busy = [] { return true; },  // ingest never rests
                          .max_deferral = std::chrono::hours(1)});
  pipeline.Start();
  pipeline.Notify();
  // Polled: a pipeline that deferred after its first batch would hold for an hour.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (metrics_.events_processed.Value() < 1000 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_GE(metrics_.events_processed.Value(), 1000);
  pipeline.Stop();
}

TEST_F(EventPipelineTest, AnEventTheStoreRefusesIsSetAsideAndTheOthersProcessed) {
  Send(R"({"batch":[
    {"type":"page","anonymousId":"a1","name":"Home","messageId":"ok-1"},
    {"type":"page","anonymousId":"a2","name":"Home","messageId":"refused-1"},
    {"type":"page","anonymousId":"a3","name":"Home","messageId":"ok-2"}]})");
  RefusingStore refusing(*store_, "refused");
  EventPipeline pipeline(refusing, clock_, metrics_, {});
  auto processed = pipeline.ProcessBatch();
  ASSERT_TRUE(processed.ok()) << processed.status().ToString();
  EXPECT_EQ(*processed, 3u);
  EXPECT_EQ(*store_->CountUnprocessedEvents(), 0) << "the pipeline is not stalled";
  EXPECT_TRUE(PersonOf(IdentityKind::kAnonymousId, "a1").has_value());
  EXPECT_FALSE(PersonOf(IdentityKind::kAnonymousId, "a2").has_value()) << "set aside";
  EXPECT_TRUE(PersonOf(IdentityKind::kAnonymousId, "a3").has_value());
  EXPECT_EQ(metrics_.events_set_aside.Value(), 1);
  EXPECT_EQ(metrics_.events_processed.Value(), 2);
  EXPECT_NE(metrics_.RenderPrometheus().find("tandem_pipeline_events_set_aside_total 1"),
            std::string::npos);
  Send(R"({"batch":[{"type":"page","anonymousId":"a4","name":"Next","messageId":"ok-3"}]})");
  ASSERT_TRUE(pipeline.Drain().ok());
  EXPECT_TRUE(PersonOf(IdentityKind::kAnonymousId, "a4").has_value());
}

TEST(ExtractEventIdentitiesTest, ReadsEmailAndPreviousId) {
  StoredEvent identify;
  identify.record.type = "identify";
  identify.record.anonymous_id = "a";
  identify.record.payload = R"({"traits":{"email":"X@Y.com"}})";
  EXPECT_EQ(ExtractEventIdentities(identify).email, "x@y.com");
  StoredEvent track;
  track.record.type = "track";
  track.record.user_id = "u";
  track.record.payload = R"({"context":{"traits":{"email":"c@d.org"}}})";
  EXPECT_EQ(ExtractEventIdentities(track).email, "c@d.org");
  StoredEvent alias;
  alias.record.type = "alias";
  alias.record.payload = R"({"previousId":123})";
  EXPECT_EQ(ExtractEventIdentities(alias).previous_id, "123");
}

}  // namespace
}  // namespace tandem
