#include "cli/report_commands.h"

#include <iostream>
#include <nlohmann/json.hpp>

#include "analytics/attribution.h"
#include "analytics/funnel_report.h"
#include "analytics/outcomes.h"
#include "analytics/speed_to_lead.h"
#include "cli/commands.h"

namespace tandem::cli {

Status PrintReport(const Config& config, const std::string& report, const ReportArgs& args) {
  TANDEM_ASSIGN_OR_RETURN(FunnelQuery scope,
                          ParseReportScope(args.from, args.to, args.by, args.as_of));
  TANDEM_ASSIGN_OR_RETURN(auto store, OpenConfiguredStore(config));
  const bool json = args.format == "json";
  if (report == "funnel") {
    TANDEM_ASSIGN_OR_RETURN(auto counts, store->CountFunnel(scope));
    TANDEM_ASSIGN_OR_RETURN(auto velocity, store->CountVelocity(scope));
    const FunnelReport built = BuildFunnel(scope, counts, velocity);
    std::cout << (json ? FunnelToJson(built).dump(2) + "\n" : FunnelToCsv(built));
    return OkStatus();
  }
  if (report == "attribution") {
    TANDEM_ASSIGN_OR_RETURN(AttributionQuery query,
                            ParseAttribution(scope, args.model, args.half_life_days));
    AttributionBuilder built(query);
    TANDEM_RETURN_IF_ERROR(store->ForEachDeal(query, [&built](Deal deal) {
      built.Add(deal);
      return OkStatus();
    }));
    std::cout << (json ? AttributionToJson(built).dump(2) + "\n" : AttributionToCsv(built));
    return OkStatus();
  }
  if (report == "speed-to-lead") {
    TANDEM_ASSIGN_OR_RETURN(auto counts, store->CountSpeedToLead(scope));
    const SpeedReport built = BuildSpeedToLead(scope, counts);
    std::cout << (json ? SpeedToLeadToJson(built).dump(2) + "\n" : SpeedToLeadToCsv(built));
    return OkStatus();
  }
  OutcomeQuery query{.scope = scope, .min_group = args.min_group};
  TANDEM_ASSIGN_OR_RETURN(auto counts, store->CountOutcomes(query));
  const OutcomesReport built = BuildOutcomes(query, counts);
  std::cout << (json ? OutcomesToJson(built).dump(2) + "\n" : OutcomesToCsv(built));
  return OkStatus();
}

}  // namespace tandem::cli
