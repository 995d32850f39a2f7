#include "analytics/reports.h"

#include <optional>
#include <utility>

namespace tandem {
namespace {

// The report over a page of its groups (when grouped) with the total of the whole scope:
// `build(query)` counts and builds one. Every row of a report falls in exactly one group,
// so a page that holds every group (none before it, none after) holds every row, and the
// total it adds up is the whole scope's; only a partial page needs a count of its own.
template <typename Report, typename Build>
StatusOr<Report> TotalAndPage(const FunnelQuery& scope, Build build) {
  StatusOr<Report> page = build(scope);
  if (!page.ok() || scope.by == Dimension::kNone || (!scope.groups.after && !page->next_after)) {
    return page;
  }
  FunnelQuery whole = scope;
  whole.by = Dimension::kNone;
  StatusOr<Report> total = build(whole);
  if (!total.ok()) return total.status();
  page->total = std::move(total->total);
  return page;
}

// `run(reads)` with every read in one snapshot of the store (InOneSnapshot), so the
// figures of one report agree with each other.
template <typename Report, typename Run>
StatusOr<Report> InOneSnapshot(AnalyticsReads& store, Run run) {
  std::optional<StatusOr<Report>> report;
  auto read = [&](AnalyticsReads& reads) {
    report.emplace(run(reads));
    return report->status();
  };
  TANDEM_RETURN_IF_ERROR(store.InOneSnapshot(read));
  if (!report) return Internal("the store ran no reads for the report");
  return std::move(*report);
}

StatusOr<FunnelReport> Funnel(AnalyticsReads& store, const FunnelQuery& scope) {
  return TotalAndPage<FunnelReport>(
      scope, [&store](const FunnelQuery& q) -> StatusOr<FunnelReport> {
        StatusOr<std::vector<FunnelCount>> counts = store.CountFunnel(q);
        if (!counts.ok()) return counts.status();
        std::optional<std::string> next = TrimToPage(*counts, q.groups.limit);
        StatusOr<std::vector<VelocityCount>> velocity = store.CountVelocity(q);
        if (!velocity.ok()) return velocity.status();
        KeepGroups(*velocity, *counts);
        FunnelReport report = BuildFunnel(q, *counts, *velocity);
        report.next_after = std::move(next);
        return report;
      });
}

StatusOr<OutcomesReport> Outcomes(AnalyticsReads& store, const OutcomeQuery& query) {
  return TotalAndPage<OutcomesReport>(
      query.scope, [&store, &query](const FunnelQuery& q) -> StatusOr<OutcomesReport> {
        OutcomeQuery scoped = query;
        scoped.scope = q;
        StatusOr<std::vector<OutcomeCount>> counts = store.CountOutcomes(scoped);
        if (!counts.ok()) return counts.status();
        std::optional<std::string> next = TrimToPage(*counts, q.groups.limit);
        OutcomesReport report = BuildOutcomes(scoped, *counts);
        report.next_after = std::move(next);
        return report;
      });
}

StatusOr<SpeedReport> SpeedToLead(AnalyticsReads& store, const FunnelQuery& scope) {
  return TotalAndPage<SpeedReport>(scope, [&store](const FunnelQuery& q) -> StatusOr<SpeedReport> {
    StatusOr<std::vector<SpeedCount>> counts = store.CountSpeedToLead(q);
    if (!counts.ok()) return counts.status();
    std::optional<std::string> next = TrimToPage(*counts, q.groups.limit);
    SpeedReport report = BuildSpeedToLead(q, *counts);
    report.next_after = std::move(next);
    return report;
  });
}

StatusOr<AttributionBuilder> Attribution(AnalyticsReads& store, const AttributionQuery& query) {
  AttributionBuilder report(query);
  auto credit = [&](TimePoint from, TimePoint to) -> Status {
    if (from >= to) return OkStatus();
    AttributionQuery part = query;
    part.scope.from = from;
    part.scope.to = to;
    return store.ForEachDeal(part, [&report](Deal deal) {
      report.Add(deal);
      return OkStatus();
    });
  };
  TANDEM_ASSIGN_OR_RETURN(std::optional<AttributionSums> sums, store.SumAttribution(query));
  if (!sums) {
    TANDEM_RETURN_IF_ERROR(credit(query.scope.from, query.scope.to));
    return report;
  }
  // The whole days as kept, the deals of the hours at either end one by one.
  report.AddSums(*sums);
  TANDEM_RETURN_IF_ERROR(credit(query.scope.from, sums->from));
  TANDEM_RETURN_IF_ERROR(credit(sums->to, query.scope.to));
  return report;
}

}  // namespace

StatusOr<FunnelReport> RunFunnel(AnalyticsReads& store, const FunnelQuery& scope) {
  return InOneSnapshot<FunnelReport>(store,
                                     [&](AnalyticsReads& reads) { return Funnel(reads, scope); });
}

StatusOr<OutcomesReport> RunOutcomes(AnalyticsReads& store, const OutcomeQuery& query) {
  return InOneSnapshot<OutcomesReport>(
      store, [&](AnalyticsReads& reads) { return Outcomes(reads, query); });
}

StatusOr<SpeedReport> RunSpeedToLead(AnalyticsReads& store, const FunnelQuery& scope) {
  return InOneSnapshot<SpeedReport>(
      store, [&](AnalyticsReads& reads) { return SpeedToLead(reads, scope); });
}

StatusOr<AttributionBuilder> RunAttribution(AnalyticsReads& store, const AttributionQuery& query) {
  return InOneSnapshot<AttributionBuilder>(
      store, [&](AnalyticsReads& reads) { return Attribution(reads, query); });
}

std::optional<std::string> NextAfter(const FunnelReport& report) { return report.next_after; }
std::optional<std::string> NextAfter(const OutcomesReport& report) { return report.next_after; }
std::optional<std::string> NextAfter(const SpeedReport& report) { return report.next_after; }
std::optional<std::string> NextAfter(const AttributionBuilder& report) {
  return report.next_after();
}

}  // namespace tandem
