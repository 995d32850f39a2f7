// Drill-down: the leads behind one figure of a report, chosen with the report's own
// scope (range, dimension, owner) and grouping, so "why does the report say 37" has 37
// leads for an answer. A figure is one group (or the total) and what the report counts
// there: the leads that reached a stage (funnel), the leads with an outcome and reason
// (outcomes), the MQLs in a response bucket (speed to lead), the leads whose deals gave
// the group credit (attribution). Lead ids ascending, a page at a time, each lead once:
// where a report counts events (outcomes, moves to MQL), a lead behind a figure twice
// (lost twice for the same reason) is listed once. A rep's scope is the report's: for
// outcomes, the rep's leads and the outcomes the rep recorded.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/attribution.h"
#include "analytics/funnel.h"
#include "core/stage.h"

namespace tandem {

enum class ReportKind { kFunnel, kOutcomes, kSpeedToLead, kAttribution };

struct DrillDown {
  ReportKind report = ReportKind::kFunnel;
  FunnelQuery scope;
  std::optional<std::string> group;  // one group's leads; none: the total's
  // funnel: the leads that reached it (lead … customer; none: every lead);
  // attribution: deals of it (opportunity or customer; none: both).
  std::optional<Stage> stage;
  std::optional<std::string> outcome;  // outcomes: rejected, lost, recycled, disqualified
  std::optional<std::string> reason;   // outcomes: as recorded
  std::optional<size_t> bucket;        // speed to lead: an index into kSpeedBuckets
  int64_t after = 0;                   // only leads with a greater id
  size_t limit = 50;
};

// A drill-down from a request's parameters (`param` gives one, or nullopt when absent):
// group, stage, outcome, reason, bucket as the report allows, limit (1–200, default 50),
// cursor (the previous page's next_cursor). InvalidArgument ("invalid_parameter") naming
// the parameter otherwise.
StatusOr<DrillDown> ParseDrillDown(
    ReportKind report, FunnelQuery scope,
    const std::function<std::optional<std::string_view>(std::string_view)>& param);

// The opaque cursor after `lead_id`, and back.
std::string DrillCursor(int64_t lead_id);

// A lead's part of an attribution figure: its deals' credit to the group.
struct DrillCredit {
  int64_t lead_id = 0;
  int64_t micros = 0;  // summed over the lead's deals in scope, as AttributionBuilder sums
  int64_t cents = 0;
};

// Collects the page of leads an attribution drill-down selects from the deals given to
// Add (in any order).
class AttributionDrill {
 public:
  AttributionDrill(DrillDown drill, AttributionQuery query);
  void Add(const Deal& deal);
  // Ascending lead ids above drill.after, at most drill.limit; `more` whether any is left.
  std::vector<DrillCredit> Page(bool* more) const;

 private:
  DrillDown drill_;
  AttributionQuery query_;
  std::map<int64_t, DrillCredit> leads_;
};

}  // namespace tandem
