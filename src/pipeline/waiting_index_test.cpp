#include "pipeline/waiting_index.h"

#include <gtest/gtest.h>

namespace tandem {
namespace {

const Identity kLaptop{IdentityKind::kAnonymousId, "laptop"};
const Identity kBuyer{IdentityKind::kUserId, "buyer"};

TEST(WaitingIndexTest, FindsAVisitorsWaitingEventsBetweenTwoPoints) {
  WaitingIndex index(100);
  ASSERT_TRUE(index.Add(10, "laptop", "", false));
  ASSERT_TRUE(index.Add(11, "other", "", false));
  ASSERT_TRUE(index.Add(12, "phone", "buyer", false));
  ASSERT_TRUE(index.Add(13, "laptop", "buyer", true));
  ASSERT_TRUE(index.Add(14, "laptop", "", false));
  EXPECT_EQ(index.Carrying(kLaptop, 0, 13), (std::vector<int64_t>{10}));
  EXPECT_EQ(index.Carrying(kLaptop, 0, 100), (std::vector<int64_t>{10, 13, 14}));
  EXPECT_EQ(index.Carrying(kLaptop, 10, 14), (std::vector<int64_t>{13}));
  EXPECT_EQ(index.Carrying(kBuyer, 0, 13), (std::vector<int64_t>{12}));
  EXPECT_TRUE(index.Carrying({IdentityKind::kEmail, "laptop"}, 0, 100).empty());
  EXPECT_TRUE(index.Carrying({IdentityKind::kUserId, "laptop"}, 0, 100).empty())
      << "a user id is not an anonymous id";
  EXPECT_EQ(index.Urgent(10), (std::vector<int64_t>{13}));
  EXPECT_EQ(index.last(), 14);
}

TEST(WaitingIndexTest, ForgetsWhatIsProcessedInOrderOrAhead) {
  WaitingIndex index(100);
  for (int64_t id = 1; id <= 6; ++id) ASSERT_TRUE(index.Add(id, "laptop", "", id % 2 == 0));
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

TEST(WaitingIndexTest, HoldsNoMoreThanItsCapacity) {
  WaitingIndex index(2);
  EXPECT_TRUE(index.Add(1, "a", "", false));
  EXPECT_TRUE(index.Add(2, "b", "", false));
  EXPECT_TRUE(index.full());
  EXPECT_FALSE(index.Add(3, "c", "", true));
  EXPECT_EQ(index.last(), 2);
  EXPECT_TRUE(index.Urgent(10).empty());
  index.ForgetThrough(1);
  EXPECT_TRUE(index.Add(3, "c", "", true));
  index.Clear();
  EXPECT_EQ(index.size(), 0u);
  EXPECT_EQ(index.last(), 0);
}

}  // namespace
}  // namespace tandem
