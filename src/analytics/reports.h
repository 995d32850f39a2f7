// Each report run over the store: its total over every lead (or outcome, MQL, deal) of
// the scope, and one page of its groups (analytics/group_page.h) — the store answers the
// rows of the page's groups only (and one more group, to tell whether another page
// follows), so a dimension with millions of values never reaches the server whole. The
// API and the command line answer the same.
#pragma once

#include "analytics/analytics_store.h"
#include "analytics/attribution.h"
#include "analytics/funnel_report.h"
#include "analytics/outcomes.h"
#include "analytics/speed_to_lead.h"
#include "core/status.h"

namespace tandem {

StatusOr<FunnelReport> RunFunnel(AnalyticsReads& store, const FunnelQuery& scope);
StatusOr<OutcomesReport> RunOutcomes(AnalyticsReads& store, const OutcomeQuery& query);
StatusOr<SpeedReport> RunSpeedToLead(AnalyticsReads& store, const FunnelQuery& scope);
// Every deal of the scope is credited (the groups a page shows come from all of them);
// the page is taken when the report is written out.
StatusOr<AttributionBuilder> RunAttribution(AnalyticsReads& store, const AttributionQuery& query);

// The last group of a report's page when another page follows.
std::optional<std::string> NextAfter(const FunnelReport& report);
std::optional<std::string> NextAfter(const OutcomesReport& report);
std::optional<std::string> NextAfter(const SpeedReport& report);
std::optional<std::string> NextAfter(const AttributionBuilder& report);

}  // namespace tandem
