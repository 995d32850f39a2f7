#include "leads/lifecycle.h"

#include <gtest/gtest.h>

#include "core/time_format.h"

namespace tandem {
namespace {

const TimePoint kNow = *ParseIsoTime("2026-11-22T10:00:00Z");

TEST(Lifecycle, IllegalMovesNameTheAllowedOnes) {
  EXPECT_TRUE(CheckTransition(Stage::kMql, Stage::kSal).ok());
  Status s = CheckTransition(Stage::kLead, Stage::kCustomer);
  EXPECT_EQ(s.code(), StatusCode::kConflict);
  EXPECT_NE(s.message().find("allowed from lead: mql, sal, recycled, disqualified"),
            std::string::npos)
      << s.message();
}

TEST(Lifecycle, OutcomesMoveStagesAndNeedTheirFields) {
  EXPECT_EQ(PlanOutcome(Stage::kMql, {"accepted", "", {}, {}}, kNow)->to, Stage::kSal);
  EXPECT_EQ(PlanOutcome(Stage::kSal, {"qualified", "", {}, {}}, kNow)->to, Stage::kSql);
  EXPECT_EQ(PlanOutcome(Stage::kSql, {"opportunity", "", 5000.0, {}}, kNow)->to,
            Stage::kOpportunity);
  EXPECT_EQ(PlanOutcome(Stage::kOpportunity, {"won", "", 5000.0, {}}, kNow)->to, Stage::kCustomer);

  auto rejected = PlanOutcome(Stage::kMql, {"rejected", "bad_fit", {}, {}}, kNow);
  EXPECT_EQ(rejected->to, Stage::kDisqualified);
  EXPECT_TRUE(rejected->release_owner);
  auto not_ready = PlanOutcome(Stage::kMql, {"rejected", "not_ready", {}, {}}, kNow);
  EXPECT_EQ(not_ready->to, Stage::kRecycled);
  EXPECT_TRUE(not_ready->revisit_on.has_value());

  EXPECT_EQ(PlanOutcome(Stage::kMql, {"rejected", "", {}, {}}, kNow).status().code(),
            StatusCode::kUnprocessable);
  EXPECT_EQ(PlanOutcome(Stage::kMql, {"rejected", "too tall", {}, {}}, kNow).status().code(),
            StatusCode::kUnprocessable);
  EXPECT_EQ(PlanOutcome(Stage::kSql, {"opportunity", "", {}, {}}, kNow).status().code(),
            StatusCode::kUnprocessable);
  EXPECT_EQ(PlanOutcome(Stage::kSal, {"recycled", "timing", {}, {}}, kNow).status().code(),
            StatusCode::kUnprocessable);
  EXPECT_EQ(PlanOutcome(Stage::kLead, {"won", "", 1.0, {}}, kNow).status().code(),
            StatusCode::kConflict);
  EXPECT_EQ(PlanOutcome(Stage::kLead, {"married", "", {}, {}}, kNow).status().code(),
            StatusCode::kUnprocessable);
}

}  // namespace
}  // namespace tandem
