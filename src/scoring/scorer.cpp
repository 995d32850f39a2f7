#include "scoring/scorer.h"

#include "core/text.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>

namespace tandem {
namespace {

constexpr double kMillisPerDay = 86400000.0;
// The decay epoch: 2024-01-01T00:00:00Z. Engagement refs grow by 2^(t/half-life)
// after it: with a half-life of 14 days, 2^900 (the bound below) is 34 years away.
constexpr int64_t kDecayEpochMs = 1704067200000;
// Exponents of 2 stay within ±900, so a ref times any sane sum of points stays finite
// (2^1024 overflows): a pathological time or half-life saturates, never reaches inf.
constexpr double kMaxExponent = 900;

// Scores are finite whatever the input: a NaN or an infinity counts as nothing.
double Finite(double x) { return std::isfinite(x) ? x : 0; }

double SafeHalfLife(double half_life_days) {
  return std::isfinite(half_life_days) && half_life_days > 0 ? half_life_days : 1;
}

double Pow2(double exponent) {
  if (std::isnan(exponent)) return 1;
  return std::exp2(std::clamp(exponent, -kMaxExponent, kMaxExponent));
}

}  // namespace

std::string_view ScoreAxisName(ScoreAxis axis) {
  return axis == ScoreAxis::kFit ? "fit" : "engagement";
}

std::vector<ScoreItem> FitItems(const ScoringConfig& config, const nlohmann::json& traits,
                                TimePoint at) {
  std::vector<ScoreItem> items;
  for (const FitRule& rule : config.fit) {
    if (!rule.condition.Holds(traits)) continue;
    ScoreItem item;
    item.axis = ScoreAxis::kFit;
    item.rule = rule.name;
    item.points = rule.points;
    item.at = at;
    item.trait = rule.condition.field + "=" + FieldText(traits, rule.condition.field);
    items.push_back(std::move(item));
  }
  return items;
}

std::vector<const EngagementRule*> MatchingEngagementRules(const ScoringConfig& config,
                                                           const EventFacts& event) {
  std::vector<const EngagementRule*> out;
  for (const EngagementRule& rule : config.engagement) {
    if (!rule.type.empty() && rule.type != event.type) continue;
    if (!rule.event.empty() && !EqualsNoCase(rule.event, event.name)) continue;
    if (!rule.path.empty() && !GlobMatch(rule.path, event.path)) continue;
    bool all = std::all_of(rule.where.begin(), rule.where.end(), [&](const Condition& c) {
      return event.message != nullptr && c.Holds(*event.message);
    });
    if (all) out.push_back(&rule);
  }
  return out;
}

double CappedPoints(const EngagementRule& rule, double already_today) {
  if (rule.cap_per_day <= 0) return rule.points;
  double remaining = rule.cap_per_day - std::abs(already_today);
  if (remaining <= 0) return 0;
  double magnitude = std::min(std::abs(rule.points), remaining);
  return rule.points < 0 ? -magnitude : magnitude;
}

int64_t UtcDay(TimePoint at) {
  return static_cast<int64_t>(std::floor(static_cast<double>(ToUnixMillis(at)) / kMillisPerDay));
}

bool IsHandRaise(const ScoringConfig& config, const EventFacts& event) {
  if (event.type != "track") return false;
  for (const std::string& name : config.hand_raise_events) {
    if (EqualsNoCase(name, event.name)) return true;
  }
  if (!EqualsNoCase(event.name, "Form Submitted") || event.message == nullptr) return false;
  std::string form = FieldText(*event.message, "properties.form");
  if (form.empty()) form = FieldText(*event.message, "properties.form_id");
  return std::any_of(config.hand_raise_forms.begin(), config.hand_raise_forms.end(),
                     [&](const std::string& f) { return EqualsNoCase(f, form); });
}

bool MayBeHandRaise(const ScoringConfig& config, std::string_view event_name) {
  for (const std::string& name : config.hand_raise_events) {
    if (EqualsNoCase(name, event_name)) return true;
  }
  return !config.hand_raise_forms.empty() && EqualsNoCase(event_name, "Form Submitted");
}

double DecayFactor(double half_life_days, TimePoint from, TimePoint to) {
  // An event dated after `to` has age 0: decay never grows a score.
  double days = static_cast<double>(std::max<int64_t>(0, ToUnixMillis(to) - ToUnixMillis(from))) /
                kMillisPerDay;
  return Pow2(-days / SafeHalfLife(half_life_days));
}

double EngagementRef(double points, TimePoint at, TimePoint now, double half_life_days) {
  double days =
      static_cast<double>(ToUnixMillis(std::min(at, now)) - kDecayEpochMs) / kMillisPerDay;
  return Finite(Finite(points) * Pow2(days / SafeHalfLife(half_life_days)));
}

double EngagementFromRef(double ref, TimePoint now, double half_life_days) {
  double days = static_cast<double>(ToUnixMillis(now) - kDecayEpochMs) / kMillisPerDay;
  return Finite(Finite(ref) * Pow2(-days / SafeHalfLife(half_life_days)));
}

double RoundPoints(double points) {
  double rounded = std::round(points * 100.0) / 100.0;
  return rounded == 0 ? 0 : rounded;  // no "-0"
}

ScoreExplanation Explain(std::vector<ScoreItem> items, double half_life_days, TimePoint now) {
  std::stable_sort(items.begin(), items.end(), [](const ScoreItem& a, const ScoreItem& b) {
    if (a.axis != b.axis) return a.axis == ScoreAxis::kFit;
    return a.axis == ScoreAxis::kEngagement && a.at > b.at;
  });
  ScoreExplanation out;
  double fit_cents = 0, engagement_cents = 0;  // sums in cents stay exact
  for (ScoreItem& item : items) {
    double points = Finite(item.points);
    double decayed = item.axis == ScoreAxis::kFit
                         ? RoundPoints(points)
                         : RoundPoints(points * DecayFactor(half_life_days, item.at, now));
    (item.axis == ScoreAxis::kFit ? fit_cents : engagement_cents) += std::round(decayed * 100);
    out.items.push_back({std::move(item), decayed});
  }
  out.fit = fit_cents / 100.0;
  out.engagement = engagement_cents / 100.0;
  out.total = (fit_cents + engagement_cents) / 100.0;
  return out;
}

bool MeetsMql(const ScoringConfig& config, double fit, double engagement) {
  return fit >= config.mql_fit && engagement >= config.mql_engagement;
}

}  // namespace tandem
