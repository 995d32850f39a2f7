// What the funnel report (analytics/funnel_report.h) asks the store to count: the
// leads created in a date range, by group of one dimension and by how far down the
// funnel they have been (their current stage, their deepest stage transition).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/group_page.h"
#include "core/clock.h"
#include "core/status.h"
#include "experiments/experiment_store.h"

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
  kTeam,         // the owner's team as the lead records it
  kRep,          // the owner, "usr_<id>"
  kCountry,      // the lead's (leads/lead_traits.h CountryOf)
  kCompanySize,  // the lead's band (CompanySizeBand)
  kCohort,       // the month the lead was created, "YYYY-MM" (UTC)
  kVariant,      // the variant of the lead's person in one experiment (FunnelQuery::variant)
};

// Whether a dimension is the lead's own (team, rep, country, company size) rather than
// a field of a touchpoint; the cohort and the variant are the lead's too.
bool IsLeadDimension(Dimension dimension);

// "source", "medium", "campaign", "keyword", "referrer_domain", "landing_page", "form",
// "content_item", "team", "rep", "country", "company_size", "cohort", "variant"; kNone
// is "".
std::string_view DimensionName(Dimension dimension);
std::optional<Dimension> ParseDimension(std::string_view name);

struct FunnelQuery {
  TimePoint from, to;  // leads created in [from, to)
  Dimension by = Dimension::kNone;
  std::optional<int64_t> owner_id;  // only this user's leads
  // As the facts stood at this moment: only what happened before it counts (leads
  // created, stage moves, touchpoints, outcomes, deals). The lead's own dimensions
  // (team, rep, country, company size) stay today's.
  std::optional<TimePoint> as_of;
  // Which groups a grouped count reads (its rows of up to groups.limit + 1 groups, in
  // the order of their names); counts without a dimension read every row.
  GroupPage groups;
  // By variant: the experiment whose arms group the leads, and its variants' keys (arm
  // order). A lead's group is the key of the arm its person was exposed to — today's,
  // also as of a moment —, or "" when it was not exposed or was exposed to two arms.
  struct Variants {
    int64_t experiment_id = 0;
    std::vector<std::string> keys;
  };
  std::optional<Variants> variants;
};

// A report's range and grouping from its parameters as given (the API's query, the
// command line): `from` and `to` a date (YYYY-MM-DD, midnight UTC) or an ISO 8601 time,
// `to` later than `from` and at most 10 years on; `by` a dimension's name or "" for
// none; `as_of` "" or a date or time after `from`. InvalidArgument ("invalid_parameter")
// naming the parameter otherwise.
StatusOr<FunnelQuery> ParseReportScope(std::string_view from, std::string_view to,
                                       std::string_view by, std::string_view as_of = "");

// By variant, the experiment (`experiment`: ex_<n>) whose arms group the leads, read from
// `store` into query.variants. InvalidArgument ("invalid_parameter") when by is variant
// without an experiment, or an experiment is given for another dimension; NotFound when
// there is no such experiment.
Status ScopeVariants(ExperimentStore& store, std::string_view experiment, FunnelQuery& query);

// Leads of one group that took `hours` (whole hours) to go from funnel rank `step` to
// the next (1: lead → MQL … 5: opportunity → customer): from the lead's creation, or its
// first move to that rank or further, to its first move to the next rank or further.
struct VelocityCount {
  std::string group;
  int step = 1;
  int64_t hours = 0;
  int64_t leads = 0;
};

// Leads of one group whose current stage and deepest transition have these funnel
// ranks (leads/lifecycle.h FunnelRank: lead 1 … customer 6; 0 for none).
struct FunnelCount {
  std::string group;  // "" when the lead has no value for the dimension
  int current_rank = 0;
  int transition_rank = 0;
  int64_t leads = 0;
};

}  // namespace tandem
