#include "pipeline/waiting_index.h"

#include <gtest/gtest.h>

namespace tandem {
namespace {

using Urgency = WaitingIndex::Urgency;

const Identity kLaptop{IdentityKind::kAnonymousId, "laptop"};
const Identity kBuyer{IdentityKind::kUserId, "buyer"};
const Identity kAddress{IdentityKind::kEmail, "ada@example.com"};

TEST(WaitingIndexTest, FindsAVisitorsWaitingEventsBetweenTwoPoints) {
  WaitingIndex index(100);
  ASSERT_TRUE(index.Add(10, "laptop", "", "", Urgency::kNone));
  ASSERT_TRUE(index.Add(11, "other", "", "", Urgency::kNone));
  ASSERT_TRUE(index.Add(12, "phone", "buyer", "", Urgency::kNone));
  ASSERT_TRUE(index.Add(13, "laptop", "buyer", "", Urgency::kMayMakeLead));
  ASSERT_TRUE(index.Add(14, "laptop", "", "", Urgency::kNone));
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
    ASSERT_TRUE(
        index.Add(id, "laptop", "", "", id % 2 == 0 ? Urgency::kMayMakeLead : Urgency::kNone));
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
  ASSERT_TRUE(index.Add(1, "desk", "", "ada@example.com", Urgency::kMayMakeLead));
  ASSERT_TRUE(index.Add(2, "other", "", "", Urgency::kMayMakeLead));
  ASSERT_TRUE(index.Add(3, "laptop", "", "", Urgency::kHandRaise));
  ASSERT_TRUE(index.Add(4, "laptop", "", "ada@example.com", Urgency::kMayMakeLead));
  ASSERT_TRUE(index.Add(5, "phone", "", "", Urgency::kHandRaise));
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

TEST(WaitingIndexTest, AnAliassPreviousIdIsFoundAsAUserIdAndAsAnAnonymousId) {
  WaitingIndex index(100);
  ASSERT_TRUE(index.Add(1, "", "buyer", "", Urgency::kMayMakeLead, "laptop"));
  ASSERT_TRUE(index.Add(2, "", "buyer", "", Urgency::kMayMakeLead, "old-account"));
  ASSERT_TRUE(index.Add(3, "laptop", "", "", Urgency::kNone));
  EXPECT_EQ(index.Carrying(kLaptop, 0, 100), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(index.Carrying({IdentityKind::kUserId, "old-account"}, 0, 100),
            (std::vector<int64_t>{2}));
  EXPECT_EQ(index.Carrying(kBuyer, 0, 100), (std::vector<int64_t>{1, 2}));
  index.ForgetThrough(2);
  EXPECT_EQ(index.Carrying(kLaptop, 0, 100), (std::vector<int64_t>{3}));
  EXPECT_TRUE(index.Carrying({IdentityKind::kUserId, "old-account"}, 0, 100).empty());
}

TEST(WaitingIndexTest, HoldsNoMoreThanItsCapacity) {
  WaitingIndex index(2);
  EXPECT_TRUE(index.Add(1, "a", "", "", Urgency::kNone));
  EXPECT_TRUE(index.Add(2, "b", "", "", Urgency::kNone));
  EXPECT_TRUE(index.full());
  EXPECT_FALSE(index.Add(3, "c", "", "", Urgency::kMayMakeLead));
  EXPECT_EQ(index.last(), 2);
  EXPECT_TRUE(index.Urgent(10).empty());
  index.ForgetThrough(1);
  EXPECT_TRUE(index.Add(3, "c", "", "", Urgency::kMayMakeLead));
  index.Clear();
  EXPECT_EQ(index.size(), 0u);
  EXPECT_EQ(index.last(), 0);
}

}  // namespace
}  // namespace tandem
