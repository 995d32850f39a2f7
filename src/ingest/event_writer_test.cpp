#include "ingest/event_writer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>

#include "app/open_store.h"
#include "metrics/metrics.h"
#include "testing/gated_store.h"
#include "testing/test_store.h"

namespace tandem {
namespace {

using testing::GatedStore;

std::vector<EventRecord> Events(int64_t source, const std::string& prefix, int n) {
  std::vector<EventRecord> out;
  for (int i = 0; i < n; ++i) {
    EventRecord e;
    e.source_id = source;
    e.message_id = prefix + std::to_string(i);
    e.type = "track";
    e.event = "E";
    e.anonymous_id = "a";
    e.payload = "{}";
    out.push_back(std::move(e));
  }
  return out;
}

class EventWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    real_ = std::move(OpenStore(dir_.Url(), StoreOptions{}).value());
    source_ = real_->CreateSource("Web", "k", FromUnixMillis(0))->id;
    gated_ = std::make_unique<GatedStore>(*real_, /*open=*/false);
  }
  testing::TestStore dir_;
  std::unique_ptr<Store> real_;
  std::unique_ptr<GatedStore> gated_;
  int64_t source_ = 0;
  Metrics metrics_;
};

TEST_F(EventWriterTest, RequestsWaitingTogetherShareOneCommit) {
  EventWriter writer(*gated_, metrics_, {});
  std::promise<WriteOutcome> first_done;
  ASSERT_TRUE(writer.TrySubmit(Events(source_, "first-", 1),
                               [&](const WriteOutcome& o) { first_done.set_value(o); }));
  gated_->WaitForWaitingCommit();  // the writer holds the first submission in a commit
  std::atomic<int> answered{0};
  std::atomic<size_t> stored{0};
  for (int r = 0; r < 50; ++r) {
    ASSERT_TRUE(writer.TrySubmit(Events(source_, "r" + std::to_string(r) + "-", 10),
                                 [&](const WriteOutcome& o) {
                                   EXPECT_TRUE(o.status.ok());
                                   stored += o.stored;
                                   ++answered;
                                 }));
  }
  EXPECT_EQ(answered.load(), 0) << "nobody is answered before the commit";
  gated_->SetOpen(true);
  EXPECT_EQ(first_done.get_future().get().stored, 1u);
  writer.Stop();
  EXPECT_EQ(answered.load(), 50);
  EXPECT_EQ(stored.load(), 500u);
  EXPECT_EQ(gated_->commits(), 2) << "the 50 waiting requests were committed together";
  EXPECT_EQ(*real_->CountEvents(), 501);
}

TEST_F(EventWriterTest, FullQueueRefusesInsteadOfBuffering) {
  EventWriter writer(*gated_, metrics_,
                     EventWriter::Options{.queue_max_events = 100, .commit_max_events = 100});
  // Events count against the queue until their commit ends.
  ASSERT_TRUE(writer.TrySubmit(Events(source_, "a", 60), [](const WriteOutcome&) {}));
  gated_->WaitForWaitingCommit();
  bool accepted_b = writer.TrySubmit(Events(source_, "b", 40), [](const WriteOutcome&) {});
  bool called = false;
  bool accepted_c =
      writer.TrySubmit(Events(source_, "c", 1), [&](const WriteOutcome&) { called = true; });
  gated_->SetOpen(true);
  writer.Stop();
  EXPECT_TRUE(accepted_b);
  EXPECT_FALSE(accepted_c);
  EXPECT_FALSE(called) << "a refused submission is never called back";
  EXPECT_EQ(*real_->CountEvents(), 100);
}

TEST_F(EventWriterTest, FailedCommitIsReportedToEveryRequestOfTheGroup) {
  gated_->SetFailing(true);
  gated_->SetOpen(true);
  EventWriter writer(*gated_, metrics_, {});
  std::promise<WriteOutcome> done;
  ASSERT_TRUE(
      writer.TrySubmit(Events(source_, "x", 3), [&](const WriteOutcome& o) { done.set_value(o); }));
  WriteOutcome outcome = done.get_future().get();
  EXPECT_EQ(outcome.status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(metrics_.commit_failures.Value(), 1);
  EXPECT_EQ(*real_->CountEvents(), 0);
}

// Refuses any commit holding an event whose messageId starts with "poison", as a
// store refuses a value it cannot hold.
class PoisonRefusingStore final : public StoreWrapper {
 public:
  using StoreWrapper::StoreWrapper;
  StatusOr<AppendResult> AppendEvents(std::span<const EventRecord> events) override {
    for (const EventRecord& e : events) {
      if (e.message_id.starts_with("poison")) {
        return Internal("ERROR:  malformed array literal: \"{...}\" (parameter $4)");
      }
    }
    return target().AppendEvents(events);
  }
};

TEST_F(EventWriterTest, OneRefusedRequestNeverFailsTheOthersOfItsGroup) {
  PoisonRefusingStore poison(*real_);
  GatedStore gated(poison, /*open=*/false);
  EventWriter writer(gated, metrics_, {});
  std::promise<WriteOutcome> first_done;
  ASSERT_TRUE(writer.TrySubmit(Events(source_, "first-", 1),
                               [&](const WriteOutcome& o) { first_done.set_value(o); }));
  gated.WaitForWaitingCommit();  // the next five wait together for one group commit
  std::vector<std::promise<WriteOutcome>> done(5);
  for (int r = 0; r < 5; ++r) {
    // Request 2 is a single message the store refuses.
    std::vector<EventRecord> events =
        Events(source_, "r" + std::to_string(r) + "-", r == 2 ? 1 : 10);
    if (r == 2) events[0].message_id = "poison";
    ASSERT_TRUE(writer.TrySubmit(std::move(events),
                                 [&done, r](const WriteOutcome& o) { done[r].set_value(o); }));
  }
  gated.SetOpen(true);
  EXPECT_TRUE(first_done.get_future().get().status.ok());
  for (int r = 0; r < 5; ++r) {
    WriteOutcome outcome = done[r].get_future().get();
    if (r == 2) {
      EXPECT_FALSE(outcome.status.ok()) << "the refused request is answered with the error";
      EXPECT_EQ(outcome.stored, 0u);
    } else {
      EXPECT_TRUE(outcome.status.ok()) << r << ": " << outcome.status.ToString();
      EXPECT_EQ(outcome.stored, 10u) << r;
    }
  }
  writer.Stop();
  EXPECT_EQ(*real_->CountEvents(), 1 + 4 * 10) << "nothing of the refused request is stored";
  EXPECT_EQ(metrics_.events_stored.Value(), 41);
}

TEST_F(EventWriterTest, ARefusedMessageOfABatchIsAnsweredAloneAndTheOthersAreStored) {
  PoisonRefusingStore poison(*real_);
  GatedStore gated(poison, /*open=*/false);
  EventWriter writer(gated, metrics_, {});
  std::promise<WriteOutcome> first_done;
  ASSERT_TRUE(writer.TrySubmit(Events(source_, "first-", 1),
                               [&](const WriteOutcome& o) { first_done.set_value(o); }));
  gated.WaitForWaitingCommit();
  std::vector<std::promise<WriteOutcome>> done(3);
  for (int r = 0; r < 3; ++r) {
    std::vector<EventRecord> events = Events(source_, "r" + std::to_string(r) + "-", 10);
    if (r == 1) {
      events[4].message_id = "poison-a";
      events[7].message_id = "poison-b";
    }
    ASSERT_TRUE(writer.TrySubmit(std::move(events),
                                 [&done, r](const WriteOutcome& o) { done[r].set_value(o); }));
  }
  gated.SetOpen(true);
  EXPECT_TRUE(first_done.get_future().get().status.ok());
  for (int r = 0; r < 3; ++r) {
    WriteOutcome outcome = done[r].get_future().get();
    ASSERT_TRUE(outcome.status.ok()) << r << ": " << outcome.status.ToString();
    if (r == 1) {
      EXPECT_EQ(outcome.stored, 8u);
      EXPECT_EQ(outcome.refused, (std::vector<size_t>{4, 7}));
    } else {
      EXPECT_EQ(outcome.stored, 10u) << r;
      EXPECT_TRUE(outcome.refused.empty()) << r;
    }
  }
  writer.Stop();
  EXPECT_EQ(*real_->CountEvents(), 1 + 3 * 10 - 2);
  EXPECT_TRUE(real_->FindEvent(source_, "r1-0").value().has_value());
  EXPECT_TRUE(real_->FindEvent(source_, "r1-9").value().has_value());
  EXPECT_EQ(metrics_.events_stored.Value(), 29);
}

TEST_F(EventWriterTest, AnUnavailableStoreFailsTheWholeGroupWithoutRetries) {
  EventWriter writer(*gated_, metrics_, {});
  std::promise<WriteOutcome> first_done;
  ASSERT_TRUE(writer.TrySubmit(Events(source_, "first-", 1),
                               [&](const WriteOutcome& o) { first_done.set_value(o); }));
  gated_->WaitForWaitingCommit();
  std::vector<std::promise<WriteOutcome>> done(5);
  for (int r = 0; r < 5; ++r) {
    ASSERT_TRUE(writer.TrySubmit(Events(source_, "r" + std::to_string(r) + "-", 10),
                                 [&done, r](const WriteOutcome& o) { done[r].set_value(o); }));
  }
  gated_->SetFailing(true);
  gated_->SetOpen(true);
  EXPECT_FALSE(first_done.get_future().get().status.ok());
  for (int r = 0; r < 5; ++r) {
    EXPECT_EQ(done[r].get_future().get().status.code(), StatusCode::kUnavailable) << r;
  }
  writer.Stop();
  EXPECT_EQ(gated_->commits(), 2) << "the group was tried once, not request by request";
  EXPECT_EQ(metrics_.commit_failures.Value(), 2);
  EXPECT_EQ(*real_->CountEvents(), 0);
}

TEST_F(EventWriterTest, CommitsCountTowardsThePipelineLag) {
  gated_->SetOpen(true);
  EventWriter writer(*gated_, metrics_, {});
  std::promise<WriteOutcome> done;
  ASSERT_TRUE(writer.TrySubmit(Events(source_, "lag-", 7),
                               [&](const WriteOutcome& o) { done.set_value(o); }));
  ASSERT_TRUE(done.get_future().get().status.ok());
  EXPECT_EQ(metrics_.pipeline_lag_events.Value(), 7) << "stored, and nothing processed them yet";
}

TEST_F(EventWriterTest, StopCommitsEverythingQueued) {
  gated_->SetOpen(true);
  std::atomic<int> answered{0};
  {
    EventWriter writer(*gated_, metrics_, {});
    for (int r = 0; r < 20; ++r) {
      ASSERT_TRUE(
          writer.TrySubmit(Events(source_, "s" + std::to_string(r) + "-", 5),
                           [&](const WriteOutcome& o) { answered += o.status.ok() ? 1 : 0; }));
    }
  }
  EXPECT_EQ(answered.load(), 20);
  EXPECT_EQ(*real_->CountEvents(), 100);
}

}  // namespace
}  // namespace tandem
