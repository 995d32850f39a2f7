#include "cli/report_commands.h"

#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>

#include "analytics/attribution.h"
#include "analytics/funnel_report.h"
#include "analytics/outcomes.h"
#include "analytics/reports.h"
#include "analytics/speed_to_lead.h"
#include "cli/commands.h"

namespace tandem::cli {

namespace {

// One page of a report as text (JSON or CSV), and the group the next page starts after.
using Page = std::pair<std::string, std::optional<std::string>>;

template <typename Report>
StatusOr<Page> Render(StatusOr<Report> built, bool json, nlohmann::json (*to_json)(const Report&),
                      std::string (*to_csv)(const Report&)) {
  if (!built.ok()) return built.status();
  return Page{json ? to_json(*built).dump(2) + "\n" : to_csv(*built), NextAfter(*built)};
}

// The lines of a CSV page that are its groups' (each begins with its scope, "group").
std::string GroupLines(const std::string& csv) {
  std::string out;
  for (size_t at = 0; at < csv.size();) {
    const size_t end = std::min(csv.find('\n', at), csv.size() - 1) + 1;
    if (csv.compare(at, 6, "group,") == 0) out.append(csv, at, end - at);
    at = end;
  }
  return out;
}

}  // namespace

// A page of groups as --limit and --cursor ask; without them, CSV goes through every
// page (a thousand groups at a time, printed as they come) and JSON gives the first
// with its next_cursor.
Status PrintReport(const Config& config, const std::string& report, const ReportArgs& args) {
  TANDEM_ASSIGN_OR_RETURN(FunnelQuery scope,
                          ParseReportScope(args.from, args.to, args.by, args.as_of));
  TANDEM_ASSIGN_OR_RETURN(scope.groups, ParseGroupPage(args.limit, args.cursor));
  TANDEM_ASSIGN_OR_RETURN(auto store, OpenConfiguredStore(config));
  TANDEM_RETURN_IF_ERROR(ScopeVariants(*store, args.experiment, scope));
  const bool json = args.format == "json";
  std::function<StatusOr<Page>(const FunnelQuery&)> page;
  if (report == "funnel") {
    page = [&](const FunnelQuery& q) {
      return Render(RunFunnel(*store, q), json, &FunnelToJson, &FunnelToCsv);
    };
  } else if (report == "attribution") {
    TANDEM_ASSIGN_OR_RETURN(AttributionQuery query,
                            ParseAttribution(scope, args.model, args.half_life_days));
    page = [&, query](const FunnelQuery& q) mutable {
      query.scope = q;
      return Render(RunAttribution(*store, query), json, &AttributionToJson, &AttributionToCsv);
    };
  } else if (report == "speed-to-lead") {
    page = [&](const FunnelQuery& q) {
      return Render(RunSpeedToLead(*store, q), json, &SpeedToLeadToJson, &SpeedToLeadToCsv);
    };
  } else {
    page = [&](const FunnelQuery& q) {
      return Render(RunOutcomes(*store, OutcomeQuery{.scope = q, .min_group = args.min_group}),
                    json, &OutcomesToJson, &OutcomesToCsv);
    };
  }
  const bool every_page = !json && args.limit.empty() && args.cursor.empty();
  if (every_page) scope.groups.limit = 1000;
  for (bool first = true;; first = false) {
    TANDEM_ASSIGN_OR_RETURN(Page text, page(scope));
    std::cout << (first ? text.first : GroupLines(text.first)) << std::flush;
    if (!text.second) return OkStatus();
    if (!every_page) {
      if (!json) std::cerr << "more groups follow: --cursor " << GroupCursor(*text.second) << "\n";
      return OkStatus();
    }
    scope.groups.after = std::move(text.second);
  }
}

}  // namespace tandem::cli
