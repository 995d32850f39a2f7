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
#include "core/csv_cell.h"

namespace tandem::cli {

namespace {

using Page = ReportPages::Page;

// One page of a report as text (JSON or CSV), and the group the next page starts after.
template <typename Report>
StatusOr<Page> Render(StatusOr<Report> built, bool json, nlohmann::json (*to_json)(const Report&),
                      std::string (*to_csv)(const Report&)) {
  if (!built.ok()) return built.status();
  return Page{json ? to_json(*built).dump(2) + "\n" : to_csv(*built), NextAfter(*built)};
}

}  // namespace

StatusOr<ReportPages> PrepareReport(Store& store, const std::string& report,
                                    const ReportArgs& args) {
  ReportPages pages;
  TANDEM_ASSIGN_OR_RETURN(pages.scope, ParseReportScope(args.from, args.to, args.by, args.as_of));
  TANDEM_ASSIGN_OR_RETURN(pages.scope.groups, ParseGroupPage(args.limit, args.cursor));
  TANDEM_RETURN_IF_ERROR(ScopeVariants(store, args.experiment, pages.scope));
  const bool json = pages.json = args.format == "json";
  if (report == "funnel") {
    pages.page = [&store, json](const FunnelQuery& q) {
      return Render(RunFunnel(store, q), json, &FunnelToJson, &FunnelToCsv);
    };
  } else if (report == "attribution") {
    TANDEM_ASSIGN_OR_RETURN(AttributionQuery query,
                            ParseAttribution(pages.scope, args.model, args.half_life_days));
    pages.page = [&store, json, query](const FunnelQuery& q) mutable {
      query.scope = q;
      return Render(RunAttribution(store, query), json, &AttributionToJson, &AttributionToCsv);
    };
  } else if (report == "speed-to-lead") {
    pages.page = [&store, json](const FunnelQuery& q) {
      return Render(RunSpeedToLead(store, q), json, &SpeedToLeadToJson, &SpeedToLeadToCsv);
    };
  } else {
    pages.page = [&store, json, min_group = args.min_group](const FunnelQuery& q) {
      return Render(RunOutcomes(store, OutcomeQuery{.scope = q, .min_group = min_group}), json,
                    &OutcomesToJson, &OutcomesToCsv);
    };
  }
  pages.every_page = !json && args.limit.empty() && args.cursor.empty();
  if (pages.every_page) pages.scope.groups.limit = 1000;
  return pages;
}

// A page of groups as --limit and --cursor ask; without them, CSV goes through every
// page (a thousand groups at a time, written as they come: the header and the total
// once, then each page's groups) and JSON gives the first with its next_cursor.
Status WriteReport(ReportPages pages, std::ostream& out) {
  for (bool first = true;; first = false) {
    TANDEM_ASSIGN_OR_RETURN(Page text, pages.page(pages.scope));
    out << (first ? text.first : CsvRecordsStartingWith(text.first, "group")) << std::flush;
    if (!out) return Unavailable("write_failed", "cannot write the report");
    if (!text.second) return OkStatus();
    if (!pages.every_page) {
      if (!pages.json) {
        std::cerr << "more groups follow: --cursor " << GroupCursor(*text.second) << "\n";
      }
      return OkStatus();
    }
    pages.scope.groups.after = std::move(text.second);
  }
}

Status PrintReport(const Config& config, const std::string& report, const ReportArgs& args) {
  TANDEM_ASSIGN_OR_RETURN(auto store, OpenExistingStore(config));
  TANDEM_ASSIGN_OR_RETURN(ReportPages pages, PrepareReport(*store, report, args));
  return WriteReport(std::move(pages), std::cout);
}

}  // namespace tandem::cli
