// Pipelines beside each other, as several instances on one database: on PostgreSQL
// their batches run at once, each taking the visitors no other holds. Whatever runs at
// once, each event is applied exactly once, the events that share an identity are
// applied one after another in commit order (never by two batches at once), and routing
// stays fair with one owner per account.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "app/open_store.h"
#include "core/time_format.h"
#include "ingest/segment_message.h"
#include "leads/lead_engine.h"
#include "metrics/metrics.h"
#include "pipeline/event_pipeline.h"
#include "testing/append_batch.h"
#include "testing/store_wrapper.h"
#include "testing/test_store.h"
#include "testing/txn_wrapper.h"

namespace tandem {
namespace {

// What committed batches applied, and when, on one clock for all of them.
class Record {
 public:
  struct Applied {
    int64_t event = 0;
    int64_t at = 0;
    std::vector<std::string> ids;  // the identities the event carries, kind:value
  };
  struct Batch {
    int pipeline = 0;
    int64_t begun = 0;
    int64_t committed = 0;
    std::vector<Applied> applied;
    int ahead = 0;        // events applied that the lane read ahead of the cursor
    bool beside = false;  // whether it ran beside other batches (ProcessingTxn::concurrent)
  };

  int64_t Tick() { return ++clock_; }
  void Committed(Batch batch) {
    std::lock_guard lock(mu_);
    batches_.push_back(std::move(batch));
  }
  std::vector<Batch> batches() {
    std::lock_guard lock(mu_);
    return batches_;
  }

 private:
  std::atomic<int64_t> clock_{0};
  std::mutex mu_;
  std::vector<Batch> batches_;
};

class RecordingTxn final : public ProcessingTxnWrapper {
 public:
  RecordingTxn(std::unique_ptr<ProcessingTxn> txn, Record& record, int pipeline)
      : ProcessingTxnWrapper(std::move(txn)), record_(record) {
    batch_.pipeline = pipeline;
    batch_.begun = record_.Tick();
    batch_.beside = concurrent();
  }
  StatusOr<int64_t> ApplyStitch(const StoredEvent& event, const StitchPlan& plan,
                                TimePoint now) override {
    Record::Applied applied{event.id, record_.Tick(), {}};
    for (const Identity& id : IdentitiesToLookUp(ExtractEventIdentities(event)))
      applied.ids.push_back(std::string(IdentityKindName(id.kind)) + ":" + id.value);
    batch_.applied.push_back(std::move(applied));
    if (read_ahead_.contains(event.id)) ++batch_.ahead;
    // A little longer per event, so batches overlap more.
    std::this_thread::sleep_for(std::chrono::microseconds(20));
    return ProcessingTxnWrapper::ApplyStitch(event, plan, now);
  }
  // Only the lane reads events by id.
  StatusOr<std::vector<StoredEvent>> UnprocessedEvents(std::span<const int64_t> ids) override {
    TANDEM_ASSIGN_OR_RETURN(auto events, ProcessingTxnWrapper::UnprocessedEvents(ids));
    for (const StoredEvent& e : events) read_ahead_.insert(e.id);
    return events;
  }
  Status Commit() override {
    // Before it: a batch that applies later in tick order surely did after this one let
    // go of its visitors (a tick after it might come after the other's applying).
    batch_.committed = record_.Tick();
    TANDEM_RETURN_IF_ERROR(ProcessingTxnWrapper::Commit());
    record_.Committed(std::move(batch_));
    return OkStatus();
  }

 private:
  Record& record_;
  Record::Batch batch_;
  std::set<int64_t> read_ahead_;
};

class RecordingStore final : public StoreWrapper {
 public:
  RecordingStore(Store& target, Record& record, int pipeline)
      : StoreWrapper(target), record_(record), pipeline_(pipeline) {}
  StatusOr<std::unique_ptr<ProcessingTxn>> BeginProcessing(bool alone) override {
    TANDEM_ASSIGN_OR_RETURN(auto txn, target().BeginProcessing(alone));
    return std::unique_ptr<ProcessingTxn>(
        std::make_unique<RecordingTxn>(std::move(txn), record_, pipeline_));
  }

 private:
  Record& record_;
  int pipeline_;
};

class ConcurrentPipelineTest : public ::testing::Test {
 protected:
  static constexpr int kPipelines = 3;

  void SetUp() override {
    for (int i = 0; i < kPipelines; ++i) {
      // Each its own store, with its own connections: another instance.
      stores_.push_back(std::move(OpenStore(dir_.Url(), StoreOptions{}).value()));
      recorders_.push_back(std::make_unique<RecordingStore>(*stores_.back(), record_, i));
    }
    source_id_ = stores_[0]->CreateSource("Web", "k", clock_.Now())->id;
    for (int i = 0; i < kReps; ++i) {
      UserRecord u;
      u.email = fmt::format("rep{}@tandem.test", i);
      u.name = u.email;
      u.role = *ParseRole("sales_rep");
      u.team = "sales";
      u.capacity = 1000;
      u.created_at = u.updated_at = clock_.Now();
      reps_.push_back(stores_[0]->CreateUser(u)->id);
    }
  }

  void Append(const std::string& batch) {
    Status s = testing::AppendBatch(*stores_[0], parser_, source_id_, clock_.Now(), batch);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  // Runs every pipeline at once until none has anything left.
  void DrainAll() {
    EventPipeline::Options options;
    options.leads = &engine_;
    options.batch_events = 40;
    options.max_batch_events = 160;
    std::vector<std::unique_ptr<EventPipeline>> pipelines;
    for (auto& r : recorders_) {
      pipelines.push_back(std::make_unique<EventPipeline>(*r, clock_, metrics_, options));
    }
    std::vector<std::thread> threads;
    std::vector<Status> drained(pipelines.size());
    for (size_t i = 0; i < pipelines.size(); ++i) {
      threads.emplace_back([&, i] { drained[i] = pipelines[i]->Drain(); });
    }
    for (std::thread& t : threads) t.join();
    for (const Status& s : drained) ASSERT_TRUE(s.ok()) << s.ToString();
    // One drained while another still held the rest: nothing is left once all are done.
    ASSERT_TRUE(pipelines[0]->Drain().ok());
  }

  // Every event applied once; those that share an identity one after another, in
  // commit order; and, where batches run beside each other, some did, the lane's too.
  void ExpectAppliedInOrder(int64_t events) {
    std::vector<Record::Batch> batches = record_.batches();
    std::map<int64_t, std::pair<const Record::Batch*, const Record::Applied*>> by_event;
    for (const Record::Batch& b : batches) {
      for (const Record::Applied& a : b.applied) {
        EXPECT_TRUE(by_event.emplace(a.event, std::make_pair(&b, &a)).second)
            << "event " << a.event << " applied by two batches";
      }
    }
    EXPECT_EQ(static_cast<int64_t>(by_event.size()), events);
    std::map<std::string, std::pair<const Record::Batch*, const Record::Applied*>> last;
    int checked = 0;
    for (const auto& [id, at] : by_event) {
      const auto& [batch, applied] = at;
      for (const std::string& key : applied->ids) {
        auto before = last.find(key);
        if (before != last.end()) {
          const auto& [earlier_batch, earlier] = before->second;
          const int64_t done = earlier_batch == batch ? earlier->at : earlier_batch->committed;
          EXPECT_LT(done, applied->at)
              << "event " << id << " (" << key << ") applied before event " << earlier->event
              << " was " << (earlier_batch == batch ? "applied" : "committed");
          ++checked;
        }
        last[key] = at;
      }
    }
    EXPECT_GE(checked, events / 2);
    bool overlapped = false, ahead_beside = false;
    int ahead = 0;
    for (const Record::Batch& a : batches) {
      ahead += a.ahead;
      for (const Record::Batch& b : batches) {
        const bool beside = a.pipeline != b.pipeline && !a.applied.empty() && !b.applied.empty() &&
                            a.begun < b.begun && b.begun < a.committed &&
                            b.applied.front().at < a.committed;
        overlapped |= beside;
      }
      ahead_beside |= a.ahead > 0 && a.beside;
    }
    if (lane_expected_) {
      EXPECT_GT(ahead, 0) << "the lane took no event ahead";
    }
    if (stores_[0]->concurrent_batches()) {
      EXPECT_TRUE(overlapped) << "no two batches ran at once";
      if (lane_expected_) {
        EXPECT_TRUE(ahead_beside) << "the lane's batches ran alone";
      }
    }
  }

  std::optional<int64_t> OwnerOf(const std::string& user_id) {
    auto person = stores_[0]->FindPersonByIdentity({IdentityKind::kUserId, user_id}).value();
    if (!person) return std::nullopt;
    auto lead = stores_[0]->GetLead(*person).value();
    return lead ? lead->owner_id : std::nullopt;
  }

  static constexpr int kReps = 4;
  testing::TestStore dir_;
  ManualClock clock_{*ParseIsoTime("2026-11-22T10:00:00Z")};
  Metrics metrics_;
  SegmentParser parser_;
  LeadEngine engine_{DefaultScoring(), RoutingConfig{}, {}};
  Record record_;
  std::vector<std::unique_ptr<Store>> stores_;
  std::vector<std::unique_ptr<RecordingStore>> recorders_;
  std::vector<int64_t> reps_;
  int64_t source_id_ = 0;
  bool lane_expected_ = false;
};

TEST_F(ConcurrentPipelineTest, VisitorsEventsApplyInOrderOnceAndRoutingStaysFair) {
  // Visitors browse on one or two devices; some sign up (the second device merges in
  // when it logs in), and some of those ask for a demo, which routes their lead.
  std::mt19937 random(7);
  constexpr int kVisitors = 240;
  std::vector<std::vector<std::string>> script(kVisitors);
  std::set<int> raised;
  for (int v = 0; v < kVisitors; ++v) {
    const std::string a = fmt::format("a{}", v), b = fmt::format("b{}", v);
    const std::string u = fmt::format("u{}", v);
    const bool signs_up = v % 3 != 0, second_device = v % 4 == 0, demo = v % 3 == 1;
    auto page = [&](const std::string& anon, int n) {
      return fmt::format(R"({{"type":"page","anonymousId":"{}","name":"P{}"}})", anon, n);
    };
    for (int n = 0; n < 4; ++n) script[v].push_back(page(a, n));
    if (second_device) script[v].push_back(page(b, 9));
    if (signs_up) {
      script[v].push_back(fmt::format(
          R"({{"type":"identify","anonymousId":"{}","userId":"{}","traits":{{"email":"{}@c{}.example","company":"C{}"}}}})",
          a, u, u, v, v));
      script[v].push_back(page(a, 5));
      if (second_device) {
        script[v].push_back(fmt::format(
            R"({{"type":"track","anonymousId":"{}","userId":"{}","event":"Logged In"}})", b, u));
      }
      if (demo) {
        script[v].push_back(
            fmt::format(R"({{"type":"track","userId":"{}","event":"Demo Requested"}})", u));
        raised.insert(v);
      }
      script[v].push_back(page(a, 6));
    }
  }
  // Interleaved, each visitor's own events in their order.
  std::vector<size_t> next(kVisitors, 0);
  std::vector<std::string> stream;
  for (;;) {
    std::vector<int> left;
    for (int v = 0; v < kVisitors; ++v) {
      if (next[v] < script[v].size()) left.push_back(v);
    }
    if (left.empty()) break;
    const int v = left[random() % left.size()];
    stream.push_back(script[v][next[v]++]);
  }
  for (size_t at = 0; at < stream.size(); at += 100) {
    std::string batch;
    for (size_t i = at; i < std::min(stream.size(), at + 100); ++i)
      batch += (batch.empty() ? "" : ",") + stream[i];
    Append(R"({"batch":[)" + batch + "]}");
  }

  lane_expected_ = true;  // behind a backlog of sign-ups and demo requests
  DrainAll();
  ExpectAppliedInOrder(static_cast<int64_t>(stream.size()));
  EXPECT_EQ(stores_[0]->CountUnprocessedEvents().value(), 0);

  // One person per visitor, both devices in it.
  for (int v = 0; v < kVisitors; v += 4) {
    if (v % 3 == 0) continue;
    auto a = stores_[0]->FindPersonByIdentity({IdentityKind::kAnonymousId, fmt::format("a{}", v)});
    auto b = stores_[0]->FindPersonByIdentity({IdentityKind::kAnonymousId, fmt::format("b{}", v)});
    EXPECT_EQ(a.value(), b.value()) << "visitor " << v;
  }
  // Every demo request has its owner, and the reps took turns.
  std::map<int64_t, int> leads_of;
  for (int v : raised) {
    auto owner = OwnerOf(fmt::format("u{}", v));
    ASSERT_TRUE(owner.has_value()) << "u" << v;
    ++leads_of[*owner];
  }
  ASSERT_EQ(leads_of.size(), reps_.size());
  auto [fewest, most] = std::minmax_element(leads_of.begin(), leads_of.end(),
                                            [](auto& x, auto& y) { return x.second < y.second; });
  EXPECT_LE(most->second - fewest->second, 1) << "round robin uneven";
}

TEST_F(ConcurrentPipelineTest, LeadsOfOneAccountGetOneOwnerWhenRoutedAtOnce) {
  // Two people at each company ask for a demo at about the same time.
  // The first of each in one part of the stream, the second in the next, so batches
  // beside each other route them at once.
  constexpr int kAccounts = 80;
  std::string batch;
  for (int p = 0; p < 2; ++p) {
    for (int c = 0; c < kAccounts; ++c) {
      const std::string u = fmt::format("c{}p{}", c, p);
      batch += fmt::format(
          R"({}{{"type":"identify","userId":"{}","traits":{{"email":"{}@acct{}.example","company":"Acct {}"}}}},)"
          R"({{"type":"track","userId":"{}","event":"Demo Requested"}})",
          batch.empty() ? "" : ",", u, u, c, c, u);
    }
  }
  Append(R"({"batch":[)" + batch + "]}");

  DrainAll();
  ExpectAppliedInOrder(kAccounts * 4);
  for (int c = 0; c < kAccounts; ++c) {
    auto first = OwnerOf(fmt::format("c{}p0", c)), second = OwnerOf(fmt::format("c{}p1", c));
    ASSERT_TRUE(first.has_value()) << c;
    EXPECT_EQ(first, second) << "account " << c << " has two owners";
  }
}

}  // namespace
}  // namespace tandem
