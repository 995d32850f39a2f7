// What the analytics domain asks of the store: its facts (analytics/facts/), read by
// lead or person, and by time range a page at a time for the reports and their
// drill-downs. Reads run outside any write transaction; a report's reads run in one
// read transaction (InOneSnapshot).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "analytics/attribution.h"
#include "analytics/drill_down.h"
#include "analytics/facts/fact_store.h"
#include "analytics/funnel.h"
#include "analytics/outcomes.h"
#include "analytics/speed_to_lead.h"
#include "core/clock.h"
#include "core/status.h"

namespace tandem {

// A page of facts whose time is in [from, to), oldest first; after: continue past the
// last fact of the previous page (its time and id: the transition's id, the
// touchpoint's event id).
struct FactRange {
  TimePoint from;
  TimePoint to;
  struct After {
    TimePoint at;
    int64_t id = 0;
  };
  std::optional<After> after;
  size_t limit = 1000;
};

class AnalyticsReads {
 public:
  virtual ~AnalyticsReads() = default;
  // A lead's transitions, oldest first (by time, then as written).
  virtual StatusOr<std::vector<StageTransition>> StageTransitionsOf(int64_t lead_id) = 0;
  // A person's touchpoints, oldest first (by time, then event id); none unless the
  // person has a lead (fact_store.h).
  virtual StatusOr<std::vector<Touchpoint>> TouchpointsOf(int64_t person_id) = 0;
  virtual StatusOr<std::vector<StageTransition>> ListStageTransitions(const FactRange& range) = 0;
  virtual StatusOr<std::vector<Touchpoint>> ListTouchpoints(const FactRange& range) = 0;
  // The leads `query` selects, counted by group and funnel ranks (one row per
  // combination that has leads). Grouped counts here answer the groups of query.groups
  // (analytics/group_page.h) and the one after them, in the order of their bytes.
  virtual StatusOr<std::vector<FunnelCount>> CountFunnel(const FunnelQuery& query) = 0;
  // The leads `query` selects, counted by group, funnel step and whole hours the step
  // took (analytics/funnel.h VelocityCount).
  virtual StatusOr<std::vector<VelocityCount>> CountVelocity(const FunnelQuery& query) = 0;
  // The outcomes (rejected, lost, recycled, disqualified) recorded in the query's range,
  // counted by group, outcome and reason (one row per combination that has any).
  virtual StatusOr<std::vector<OutcomeCount>> CountOutcomes(const OutcomeQuery& query) = 0;
  // The moves to MQL in the query's range, counted by group, the minutes to the first
  // sales touch after each (whole minutes under an hour, quarter hours under a day, whole
  // hours beyond, each rounded down), and how far the lead went afterwards.
  virtual StatusOr<std::vector<SpeedCount>> CountSpeedToLead(const FunnelQuery& query) = 0;
  // The page of lead ids (ascending, above drill.after, at most drill.limit + 1 so the
  // caller sees whether more follow) behind a funnel, outcomes or speed-to-lead figure
  // (analytics/drill_down.h); attribution is drilled from ForEachDeal.
  virtual StatusOr<std::vector<int64_t>> DrillDownLeads(const DrillDown& drill) = 0;
  // The deals (analytics/attribution.h) made in the query's range, oldest first, each
  // with its touchpoints; stops at the first error `sink` returns.
  virtual Status ForEachDeal(const AttributionQuery& query,
                             const std::function<Status(Deal)>& sink) = 0;
  // The attribution of the deals of the query's whole days as the store keeps it summed
  // while deals are made, or nullopt when it keeps none for the query (an as-of moment,
  // one owner's leads, time decay, a range without a whole day). The deals of the range
  // outside [sums.from, sums.to) are left to ForEachDeal.
  virtual StatusOr<std::optional<AttributionSums>> SumAttribution(
      const AttributionQuery& query) = 0;
  // A lead's deals, oldest first, each with its touchpoints.
  virtual StatusOr<std::vector<Deal>> DealsOf(int64_t lead_id) = 0;
  // Runs `reads` with reads that all see the store as of one moment: a write committing
  // meanwhile shows in every figure of a report or in none.
  virtual Status InOneSnapshot(const std::function<Status(AnalyticsReads&)>& reads) = 0;
};

}  // namespace tandem
