// What the funnel report (analytics/funnel_report.h) asks the store to count: the
// leads created in a date range, by group of one dimension and by how far down the
// funnel they have been (their current stage, their deepest stage transition).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace tandem {

// What a funnel is grouped by: a field of the lead's first touchpoint, or its owner.
enum class Dimension {
  kNone,
  kSource,
  kMedium,
  kCampaign,
  kKeyword,  // the touchpoint's term
  kReferrerDomain,
  kLandingPage,
  kForm,
  kContentItem,
  kTeam,  // the owner's team as the lead records it
  kRep,   // the owner, "usr_<id>"
};

// "source", "medium", "campaign", "keyword", "referrer_domain", "landing_page", "form",
// "content_item", "team", "rep"; kNone is "".
std::string_view DimensionName(Dimension dimension);
std::optional<Dimension> ParseDimension(std::string_view name);

struct FunnelQuery {
  TimePoint from, to;  // leads created in [from, to)
  Dimension by = Dimension::kNone;
  std::optional<int64_t> owner_id;  // only this user's leads
};

// A report's range and grouping from its parameters as given (the API's query, the
// command line): `from` and `to` a date (YYYY-MM-DD, midnight UTC) or an ISO 8601 time,
// `to` later than `from` and at most 10 years on; `by` a dimension's name or "" for
// none. InvalidArgument ("invalid_parameter") naming the parameter otherwise.
StatusOr<FunnelQuery> ParseReportScope(std::string_view from, std::string_view to,
                                       std::string_view by);

// Leads of one group whose current stage and deepest transition have these funnel
// ranks (leads/lifecycle.h FunnelRank: lead 1 … customer 6; 0 for none).
struct FunnelCount {
  std::string group;  // "" when the lead has no value for the dimension
  int current_rank = 0;
  int transition_rank = 0;
  int64_t leads = 0;
};

}  // namespace tandem
