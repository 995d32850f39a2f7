#include "pipeline/event_pipeline.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/time_format.h"
#include "ingest/segment_message.h"
#include "metrics/metrics.h"
#include "store/store_wrapper.h"
#include "testing/test_store.h"

namespace tandem {
namespace {

// A processing transaction that refuses to stitch any event whose messageId starts
// with `refused`, as PostgreSQL refuses a value too long for an index entry.
class RefusingTxn final : public ProcessingTxn {
 public:
  RefusingTxn(std::unique_ptr<ProcessingTxn> txn, std::string refused)
      : txn_(std::move(txn)), refused_(std::move(refused)) {}
  StatusOr<std::optional<LeadRecord>> GetLead(int64_t lead_id) override {
    return txn_->GetLead(lead_id);
  }
  Status PutLead(const LeadRecord& lead) override { return txn_->PutLead(lead); }
  Status FoldLead(int64_t from, int64_t into, TimePoint now) override {
    return txn_->FoldLead(from, into, now);
  }
  Status EnsureAccount(std::string_view domain, std::string_view name, TimePoint now) override {
    return txn_->EnsureAccount(domain, name, now);
  }
  StatusOr<std::vector<ScoreItem>> ListScoreItems(int64_t lead_id) override {
    return txn_->ListScoreItems(lead_id);
  }
  Status AddScoreItem(int64_t lead_id, const ScoreItem& item) override {
    return txn_->AddScoreItem(lead_id, item);
  }
  Status DeleteScoreItems(int64_t lead_id, std::optional<ScoreAxis> axis) override {
    return txn_->DeleteScoreItems(lead_id, axis);
  }
  StatusOr<double> RulePointsOnDay(int64_t lead_id, std::string_view rule, int64_t day) override {
    return txn_->RulePointsOnDay(lead_id, rule, day);
  }
  Status AddTraitHistory(int64_t lead_id, std::string_view trait, std::string_view value,
                         std::optional<int64_t> event_id, TimePoint at) override {
    return txn_->AddTraitHistory(lead_id, trait, value, event_id, at);
  }
  Status AppendLog(const LeadLogEntry& entry) override { return txn_->AppendLog(entry); }
  StatusOr<std::vector<StoredEvent>> PersonEvents(int64_t person_id) override {
    return txn_->PersonEvents(person_id);
  }
  StatusOr<std::vector<LeadLogEntry>> ListLeadLog(int64_t lead_id) override {
    return txn_->ListLeadLog(lead_id);
  }
  StatusOr<std::vector<AssignmentRecord>> ListAssignments(int64_t lead_id) override {
    return txn_->ListAssignments(lead_id);
  }
  StatusOr<Catalog> LoadCatalog() override { return txn_->LoadCatalog(); }
  StatusOr<std::vector<UserRecord>> ListUsers() override { return txn_->ListUsers(); }
  StatusOr<int> CountOpenLeads(int64_t user_id) override { return txn_->CountOpenLeads(user_id); }
  StatusOr<std::optional<int64_t>> FindAccountOwner(std::string_view domain,
                                                    int64_t except_lead) override {
    return txn_->FindAccountOwner(domain, except_lead);
  }
  StatusOr<std::vector<std::pair<int64_t, double>>> RoutingPasses(std::string_view team) override {
    return txn_->RoutingPasses(team);
  }
  Status SetRoutingPass(std::string_view team, int64_t user_id, double pass) override {
    return txn_->SetRoutingPass(team, user_id, pass);
  }
  StatusOr<double> VirtualTime(std::string_view team) override { return txn_->VirtualTime(team); }
  Status SetVirtualTime(std::string_view team, double virtual_time) override {
    return txn_->SetVirtualTime(team, virtual_time);
  }
  Status StartAssignment(const AssignmentRecord& assignment) override {
    return txn_->StartAssignment(assignment);
  }
  Status EndAssignment(int64_t lead_id, TimePoint at, std::string_view reason) override {
    return txn_->EndAssignment(lead_id, at, reason);
  }
  StatusOr<std::optional<AssignmentRecord>> OpenAssignment(int64_t lead_id) override {
    return txn_->OpenAssignment(lead_id);
  }
  Status UpdateAssignmentSla(const AssignmentRecord& assignment) override {
    return txn_->UpdateAssignmentSla(assignment);
  }
  StatusOr<ContactPrefs> GetContactPrefs(int64_t lead_id) override {
    return txn_->GetContactPrefs(lead_id);
  }
  Status PutContactPrefs(const ContactPrefs& prefs) override {
    return txn_->PutContactPrefs(prefs);
  }
  StatusOr<std::vector<ConsentRecord>> ListConsents(int64_t lead_id) override {
    return txn_->ListConsents(lead_id);
  }
  Status AddConsent(const ConsentRecord& consent) override { return txn_->AddConsent(consent); }
  StatusOr<std::vector<TouchRecord>> ListTouches(int64_t lead_id, TimePoint since) override {
    return txn_->ListTouches(lead_id, since);
  }
  StatusOr<int64_t> AddTouch(const TouchRecord& touch) override { return txn_->AddTouch(touch); }
  StatusOr<bool> ConfirmTouchScore(int64_t lead_id, int64_t touch_id) override {
    return txn_->ConfirmTouchScore(lead_id, touch_id);
  }
  Status AddRefusal(const GateRefusal& refusal) override { return txn_->AddRefusal(refusal); }
  Status Enqueue(const OutboxMessage& message, std::span<const std::string> endpoints,
                 TimePoint now) override {
    return txn_->Enqueue(message, endpoints, now);
  }
  Status Commit() override { return txn_->Commit(); }
  StatusOr<std::vector<StoredEvent>> NextUnprocessed(size_t limit) override {
    return txn_->NextUnprocessed(limit);
  }
  StatusOr<std::vector<KnownIdentity>> LookUpIdentities(std::span<const Identity> ids) override {
    return txn_->LookUpIdentities(ids);
  }
  StatusOr<int64_t> ApplyStitch(const StoredEvent& event, const StitchPlan& plan,
                                TimePoint now) override {
    if (event.record.message_id.starts_with(refused_)) {
      return Internal("ERROR:  index row requires 30024 bytes, maximum size is 8191");
    }
    return txn_->ApplyStitch(event, plan, now);
  }
  Status MarkProcessed(const StoredEvent& last) override { return txn_->MarkProcessed(last); }

 private:
  std::unique_ptr<ProcessingTxn> txn_;
  std::string refused_;
};

class RefusingStore final : public StoreWrapper {
 public:
  RefusingStore(Store& target, std::string refused)
      : StoreWrapper(target), refused_(std::move(refused)) {}
  StatusOr<std::unique_ptr<ProcessingTxn>> BeginProcessing() override {
    TANDEM_ASSIGN_OR_RETURN(auto txn, target().BeginProcessing());
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
  auto events = store_->ListPersonEvents(*person, 100).value();
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
  EXPECT_EQ(store_->ListPersonEvents(*person, 100)->size(), 4u);
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
    owned += store_->ListPersonEvents(*person, 1000)->size();
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
  ASSERT_EQ(pipeline.ProcessBatch().value(), 500u);
  EXPECT_EQ(metrics_.pipeline_lag_events.Value(), 200);
  ASSERT_TRUE(pipeline.Drain().ok());
  EXPECT_EQ(metrics_.pipeline_lag_events.Value(), 0);
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
