// `tandem report funnel|outcomes|speed-to-lead|attribution --from D --to D [--by DIM]
// [--format csv|json]` (attribution also [--model M] [--half-life-days N]): the
// closed-loop reports from the command line, over every lead (the command line has the
// store's own rights), as the API answers them: CSV on stdout by default, JSON with
// --format json. Bad parameters fail with the API's message (exit 2).
#pragma once

#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <utility>

#include "analytics/funnel_report.h"

#include "config/config.h"
#include "core/status.h"
#include "store/store.h"

namespace tandem::cli {

struct ReportArgs {
  std::string from, to, by, as_of, format = "csv";
  std::string experiment;  // by variant: whose variants (ex_<n>)
  int64_t min_group = 20;
  std::string model, half_life_days;  // attribution's
  std::string limit, cursor;          // the page of groups (analytics/group_page.h)
};

// `report` is "funnel", "outcomes", "speed-to-lead" or "attribution".
Status PrintReport(const Config& config, const std::string& report, const ReportArgs& args);

// A report's pages, its arguments checked: each page's text (JSON or CSV) and the group
// the next page starts after. `store` and `args` must outlive it.
struct ReportPages {
  using Page = std::pair<std::string, std::optional<std::string>>;
  FunnelQuery scope;
  std::function<StatusOr<Page>(const FunnelQuery&)> page;
  bool json = false;
  bool every_page = false;  // CSV without --limit or --cursor: every page, header once
};
StatusOr<ReportPages> PrepareReport(Store& store, const std::string& report,
                                    const ReportArgs& args);
// Writes the pages to `out` as they come.
Status WriteReport(ReportPages pages, std::ostream& out);

}  // namespace tandem::cli
