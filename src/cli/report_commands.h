// `tandem report funnel|outcomes|speed-to-lead|attribution --from D --to D [--by DIM]
// [--format csv|json]` (attribution also [--model M] [--half-life-days N]): the
// closed-loop reports from the command line, over every lead (the command line has the
// store's own rights), as the API answers them: CSV on stdout by default, JSON with
// --format json. Bad parameters fail with the API's message (exit 2).
#pragma once

#include <string>

#include "config/config.h"
#include "core/status.h"

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

}  // namespace tandem::cli
