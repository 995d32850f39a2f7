#include "scoring/scorer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "core/time_format.h"

namespace tandem {
namespace {

TimePoint At(const char* text) { return *ParseIsoTime(text); }

TEST(GlobMatch, StarsAndQuestionMarks) {
  EXPECT_TRUE(GlobMatch("/pricing*", "/pricing"));
  EXPECT_TRUE(GlobMatch("/pricing*", "/pricing/enterprise"));
  EXPECT_TRUE(GlobMatch("/*/guide", "/resources/guide"));
  EXPECT_TRUE(GlobMatch("/p?ge", "/page"));
  EXPECT_FALSE(GlobMatch("/pricing*", "/about/pricing"));
  EXPECT_FALSE(GlobMatch("/pricing", "/pricing/x"));
}

TEST(Decay, HalvesEveryHalfLife) {
  TimePoint t0 = At("2026-11-01T00:00:00Z");
  EXPECT_DOUBLE_EQ(DecayFactor(30, t0, t0), 1.0);
  EXPECT_NEAR(DecayFactor(30, t0, t0 + std::chrono::hours(24 * 30)), 0.5, 1e-12);
  EXPECT_NEAR(DecayFactor(30, t0, t0 + std::chrono::hours(24 * 60)), 0.25, 1e-12);
  // The stored reference decays exactly like the items it sums.
  const TimePoint t1 = t0 + std::chrono::hours(24 * 30);
  double ref = EngagementRef(10, t0, t0, 30) + EngagementRef(4, t1, t1, 30);
  EXPECT_NEAR(EngagementFromRef(ref, t0 + std::chrono::hours(24 * 60), 30), 10 * 0.25 + 4 * 0.5,
              1e-9);
}

TEST(Decay, NeverGrowsAScore) {
  const TimePoint now = At("2026-12-01T12:00:00Z");
  const TimePoint next_year = At("2027-12-01T12:00:00Z");
  EXPECT_DOUBLE_EQ(DecayFactor(14, next_year, now), 1.0) << "an event from the future has age 0";
  // A 15-point download dated next year is worth 15 points now, not 15 * 2^(365/14).
  EXPECT_NEAR(EngagementFromRef(EngagementRef(15, next_year, now, 14), now, 14), 15, 1e-9);
  ScoreExplanation e =
      Explain({{ScoreAxis::kEngagement, "content download", 15, next_year, 1, ""}}, 14, now);
  EXPECT_EQ(e.engagement, 15);
  EXPECT_EQ(e.items[0].decayed_points, 15);
}

TEST(Scores, AreFiniteForAnyInput) {
  const TimePoint now = At("2026-12-01T12:00:00Z");
  const TimePoint far = At("9999-12-31T23:59:59Z");
  const TimePoint ancient = At("0001-01-01T00:00:00Z");
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (double half_life : {0.01, 1.0, 14.0, 36500.0, 0.0, -3.0, inf, nan}) {
    for (TimePoint at : {now, far, ancient}) {
      for (TimePoint when : {now, far, ancient}) {
        double ref = EngagementRef(25, at, when, half_life);
        EXPECT_TRUE(std::isfinite(ref)) << half_life;
        EXPECT_TRUE(std::isfinite(EngagementFromRef(ref, when, half_life))) << half_life;
        EXPECT_TRUE(std::isfinite(DecayFactor(half_life, at, when))) << half_life;
        ScoreExplanation e = Explain({{ScoreAxis::kEngagement, "r", 25, at, 1, ""},
                                      {ScoreAxis::kEngagement, "r", inf, at, 2, ""},
                                      {ScoreAxis::kFit, "f", nan, at, std::nullopt, "t=x"}},
                                     half_life, when);
        EXPECT_TRUE(std::isfinite(e.total) && std::isfinite(e.fit) && std::isfinite(e.engagement));
      }
    }
  }
  EXPECT_EQ(EngagementFromRef(inf, now, 14), 0) << "a stored infinity counts as nothing";
  EXPECT_EQ(EngagementFromRef(nan, now, 14), 0);
}

TEST(Caps, LimitPointsPerRuleAndDay) {
  EngagementRule rule;
  rule.points = 10;
  rule.cap_per_day = 25;
  EXPECT_EQ(CappedPoints(rule, 0), 10);
  EXPECT_EQ(CappedPoints(rule, 20), 5);
  EXPECT_EQ(CappedPoints(rule, 25), 0);
  rule.points = -10;
  EXPECT_EQ(CappedPoints(rule, -20), -5);
  rule.cap_per_day = 0;
  EXPECT_EQ(CappedPoints(rule, 1000), -10);
  EXPECT_EQ(UtcDay(At("2026-11-22T23:59:59Z")), UtcDay(At("2026-11-22T00:00:00Z")));
  EXPECT_EQ(UtcDay(At("2026-11-23T00:00:00Z")), UtcDay(At("2026-11-22T00:00:00Z")) + 1);
}

TEST(Explain, TotalsAreTheSumsOfTheExplainedItems) {
  TimePoint now = At("2026-11-22T10:00:00Z");
  std::vector<ScoreItem> items;
  items.push_back({ScoreAxis::kFit, "title", 15, now, std::nullopt, "title=VP"});
  for (int i = 0; i < 37; ++i) {
    items.push_back(
        {ScoreAxis::kEngagement, "page view", 1.0 / 3, now - std::chrono::hours(7 * i), i, ""});
  }
  ScoreExplanation e = Explain(items, 30, now);
  double fit = 0, engagement = 0;
  for (const ExplainedItem& item : e.items) {
    (item.item.axis == ScoreAxis::kFit ? fit : engagement) += item.decayed_points;
    EXPECT_EQ(item.decayed_points, RoundPoints(item.decayed_points));
  }
  EXPECT_NEAR(e.fit, fit, 1e-9);
  EXPECT_NEAR(e.engagement, engagement, 1e-9);
  EXPECT_NEAR(e.total, fit + engagement, 1e-9);
  EXPECT_EQ(e.items.front().item.axis, ScoreAxis::kFit);
}

TEST(Rules, FitAndEngagementMatchTheirConditions) {
  ScoringConfig config = DefaultScoring();
  nlohmann::json traits = {{"title", "VP Marketing"},
                           {"company", {{"name", "Acme"}, {"size", "250"}}}};
  auto items = FitItems(config, traits, At("2026-11-22T10:00:00Z"));
  std::vector<std::string> rules;
  for (auto& i : items) rules.push_back(i.rule);
  EXPECT_EQ(rules, (std::vector<std::string>{"decision maker", "company of 50+", "company named"}));
  EXPECT_EQ(items[0].trait, "title=VP Marketing");

  nlohmann::json message = {{"properties", {{"form", "contact-sales"}}}};
  EventFacts page{1, "page", "Pricing", "/pricing/teams", At("2026-11-22T10:00:00Z"), &message};
  auto matched = MatchingEngagementRules(config, page);
  ASSERT_EQ(matched.size(), 2u);
  EXPECT_EQ(matched[1]->name, "pricing page");
  EventFacts form{2, "track", "Form Submitted", "", At("2026-11-22T10:00:00Z"), &message};
  EXPECT_TRUE(IsHandRaise(config, form));
  EventFacts demo{3, "track", "demo requested", "", At("2026-11-22T10:00:00Z"), nullptr};
  EXPECT_TRUE(IsHandRaise(config, demo));
  EXPECT_FALSE(IsHandRaise(config, page));
}

}  // namespace
}  // namespace tandem
