// Scorer: the pure arithmetic of lead scores and their explanations.
//
// Every point a lead has is a ScoreItem naming its rule and its cause (an event or a
// trait). Fit items count in full; engagement items decay with a half-life from the
// moment of their event. An explanation lists each item with its decayed value, and
// the totals are the sums of exactly those values (rounded to 0.01 item by item), so
// explanations always add up.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "scoring/scoring_config.h"

namespace tandem {

enum class ScoreAxis { kFit, kEngagement };
std::string_view ScoreAxisName(ScoreAxis axis);

struct ScoreItem {
  ScoreAxis axis = ScoreAxis::kFit;
  std::string rule;
  double points = 0;
  TimePoint at;
  std::optional<int64_t> event_id;  // engagement: the event that earned it
  std::string trait;                // fit: the trait and its value, e.g. "title=VP Sales"
};

// What the scorer needs of an event.
struct EventFacts {
  int64_t id = 0;
  std::string type;  // track, page, identify, …
  std::string name;  // track event or page name
  std::string path;  // page path (context.page.path or properties.path)
  TimePoint at;
  const nlohmann::json* message = nullptr;  // the whole Segment message
};

// The fit items the traits earn now.
std::vector<ScoreItem> FitItems(const ScoringConfig& config, const nlohmann::json& traits,
                                TimePoint at);
// The engagement rules an event matches, in config order.
std::vector<const EngagementRule*> MatchingEngagementRules(const ScoringConfig& config,
                                                           const EventFacts& event);
// Points a rule may still grant today, given what it already granted (`already`, same
// sign as the rule's points).
double CappedPoints(const EngagementRule& rule, double already_today);
// UTC day number of a time point, the unit of caps per day.
int64_t UtcDay(TimePoint at);
bool IsHandRaise(const ScoringConfig& config, const EventFacts& event);
// Whether a track event of this name may be a hand-raise before its properties are read:
// a hand-raise event, or a form submission while hand-raise forms are listed.
bool MayBeHandRaise(const ScoringConfig& config, std::string_view event_name);

// Every figure below is finite whatever the input (NaN, infinities, any time, any
// half-life), and decay never grows points: an item dated after "now" counts as now.
//
// 2^-((to - from) / half-life): what one point at `from` is worth at `to`; 1 when
// `from` is after `to`.
double DecayFactor(double half_life_days, TimePoint from, TimePoint to);
// An engagement item earned `at` (taken as `now` if later), scaled to the decay epoch
// (see leads table); sums of these order leads by current engagement.
double EngagementRef(double points, TimePoint at, TimePoint now, double half_life_days);
double EngagementFromRef(double ref, TimePoint now, double half_life_days);

struct ExplainedItem {
  ScoreItem item;
  double decayed_points = 0;  // rounded to 0.01
};

struct ScoreExplanation {
  double fit = 0;
  double engagement = 0;
  double total = 0;
  std::vector<ExplainedItem> items;  // fit first, then engagement newest first
};

ScoreExplanation Explain(std::vector<ScoreItem> items, double half_life_days, TimePoint now);
double RoundPoints(double points);
bool MeetsMql(const ScoringConfig& config, double fit, double engagement);

}  // namespace tandem
