#include "pipeline/waiting_index.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace tandem {
namespace {

using Urgency = WaitingIndex::Urgency;

const Identity kLaptop{IdentityKind::kAnonymousId, "laptop"};
const Identity kBuyer{IdentityKind::kUserId, "buyer"};
const Identity kAddress{IdentityKind::kEmail, "ada@example.com"};

TEST(WaitingIndexTest, FindsAVisitorsWaitingEventsBetweenTwoPoints) {
  WaitingIndex index(100);
  index.Add(10, "laptop", "", "", Urgency::kNone);
  index.Add(11, "other", "", "", Urgency::kNone);
  index.Add(12, "phone", "buyer", "", Urgency::kNone);
  index.Add(13, "laptop", "buyer", "", Urgency::kMayMakeLead);
  index.Add(14, "laptop", "", "", Urgency::kNone);
  EXPECT_EQ(index.Carrying(kLaptop, 0, 13), (std::vector<int64_t>{10}));
  EXPECT_EQ(index.Carrying(kLaptop, 0, 100), (std::vector<int64_t>{10, 13, 14}));
  EXPECT_EQ(index.Carrying(kLaptop, 10, 14), (std::vector<int64_t>{13}));
  EXPECT_EQ(index.Carrying(kBuyer, 0, 13), (std::vector<int64_t>{12}));
  EXPECT_TRUE(index.Carrying({IdentityKind::kEmail, "laptop"}, 0, 100).empty())
      << "an address is not an anonymous id";
  EXPECT_TRUE(index.Carrying({IdentityKind::kUserId, "laptop"}, 0, 100).empty())
      << "a user id is not an anonymous id";
  EXPECT_EQ(index.Urgent(10), (std::vector<int64_t>{13}));
  EXPECT_EQ(index.last(), 14);
}

TEST(WaitingIndexTest, ForgetsWhatIsProcessedInOrderOrAhead) {
  WaitingIndex index(100);
  for (int64_t id = 1; id <= 6; ++id)
    index.Add(id, "laptop", "", "", id % 2 == 0 ? Urgency::kMayMakeLead : Urgency::kNone);
  index.Forget(4);  // taken ahead
  EXPECT_EQ(index.Carrying(kLaptop, 0, 100), (std::vector<int64_t>{1, 2, 3, 5, 6}));
  EXPECT_EQ(index.Urgent(10), (std::vector<int64_t>{2, 6}));
  index.ForgetThrough(3);  // a batch in commit order
  EXPECT_EQ(index.Carrying(kLaptop, 0, 100), (std::vector<int64_t>{5, 6}));
  EXPECT_EQ(index.Urgent(1), (std::vector<int64_t>{6}));
  EXPECT_EQ(index.size(), 2u);
  index.ForgetThrough(6);
  EXPECT_TRUE(index.Carrying(kLaptop, 0, 100).empty());
  EXPECT_EQ(index.size(), 0u);
  EXPECT_EQ(index.last(), 6) << "the next event added comes after the last one seen";
}

// A device that gave an address waits with a later one that gives it too; possible
// hand-raises are taken before identifies, the newest hand-raise first and the oldest
// identify first.
TEST(WaitingIndexTest, LinksByAddressAndPutsHandRaisesFirst) {
  WaitingIndex index(100);
  index.Add(1, "desk", "", "ada@example.com", Urgency::kMayMakeLead);
  index.Add(2, "other", "", "", Urgency::kMayMakeLead);
  index.Add(3, "laptop", "", "", Urgency::kHandRaise);
  index.Add(4, "laptop", "", "ada@example.com", Urgency::kMayMakeLead);
  index.Add(5, "phone", "", "", Urgency::kHandRaise);
  EXPECT_EQ(index.Carrying(kAddress, 0, 100), (std::vector<int64_t>{1, 4}));
  EXPECT_EQ(index.Carrying(kAddress, 1, 4), (std::vector<int64_t>{}));
  EXPECT_EQ(index.Urgent(10), (std::vector<int64_t>{5, 3, 1, 2, 4}))
      << "hand-raises first, the newest first; then identifies, the oldest first";
  EXPECT_EQ(index.Urgent(3), (std::vector<int64_t>{5, 3, 1}));
  index.Forget(5);
  index.ForgetThrough(1);
  EXPECT_EQ(index.Urgent(10), (std::vector<int64_t>{3, 2, 4}));
  EXPECT_EQ(index.Carrying(kAddress, 0, 100), (std::vector<int64_t>{4}));
}

// Past its capacity the index keeps the newest events; of the older ones still waiting
// only which identities they carry, until they are processed.
TEST(WaitingIndexTest, SummarizesWhatItHasNoRoomFor) {
  WaitingIndex index(8);
  const Identity kA{IdentityKind::kAnonymousId, "a"};
  index.Add(1, "a", "", "", Urgency::kHandRaise);
  for (int64_t id = 2; id <= 8; ++id) index.Add(id, "b", "", "", Urgency::kNone);
  EXPECT_FALSE(index.MayCarryOlder(kA, 0)) << "everything is held";
  index.Add(9, "c", "", "ada@example.com", Urgency::kMayMakeLead);
  EXPECT_EQ(index.size(), 8u);
  EXPECT_TRUE(index.Carrying(kA, 0, 100).empty()) << "the oldest event went into the summary";
  EXPECT_TRUE(index.MayCarryOlder(kA, 0));
  EXPECT_FALSE(index.MayCarryOlder(kA, 1)) << "summarized events up to 1 are processed";
  EXPECT_FALSE(index.MayCarryOlder({IdentityKind::kUserId, "a"}, 0)) << "another kind";
  EXPECT_FALSE(index.MayCarryOlder({IdentityKind::kAnonymousId, "c"}, 0));
  EXPECT_EQ(index.Urgent(10), (std::vector<int64_t>{9})) << "a summarized hand-raise waits";
  EXPECT_EQ(index.Carrying({IdentityKind::kAnonymousId, "b"}, 0, 100).size(), 7u);
  EXPECT_EQ(index.Carrying({IdentityKind::kEmail, "ada@example.com"}, 0, 100),
            (std::vector<int64_t>{9}));
  index.ForgetThrough(1);
  EXPECT_FALSE(index.MayCarryOlder(kA, 0)) << "processed: nothing left of the summary";
  index.Clear();
  EXPECT_EQ(index.size(), 0u);
  EXPECT_EQ(index.last(), 0);
}

// Of many visitors summarized, every one is found, and few others are taken for one
// (which only makes them wait for commit order).
TEST(WaitingIndexTest, ManyVisitorsSummarizedFewCollide) {
  WaitingIndex index(1000);
  for (int64_t id = 1; id <= 100000; ++id) {
    index.Add(id, fmt::format("v{}", id), "", "", Urgency::kNone);
  }
  EXPECT_LE(index.size(), 1000u);
  int summarized = 0, strangers = 0;
  for (int64_t id = 1; id <= 99000; ++id) {
    summarized += index.MayCarryOlder({IdentityKind::kAnonymousId, fmt::format("v{}", id)}, 0);
    strangers += index.MayCarryOlder({IdentityKind::kAnonymousId, fmt::format("w{}", id)}, 0);
  }
  EXPECT_EQ(summarized, 99000) << "no summarized visitor is missed";
  EXPECT_LT(strangers, 99) << "under 0.1% of unrelated visitors wait for nothing";
}

}  // namespace
}  // namespace tandem
