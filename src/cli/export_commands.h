// `tandem export leads [filters] [--out FILE]` and `tandem export report NAME --from D
// --to D [--by DIM] [...] [--out FILE]`: the API's CSV files from the command line —
// every lead the list's filters match (GET /api/v1/leads?format=csv) and every page of a
// report (format=csv&all=true) — over every lead (the command line has the store's own
// rights). Each export is recorded in the audit trail (actor "cli") before anything is
// written. On standard output by default; --out writes FILE (which must not exist) by way
// of FILE.partial, renamed only once the file is complete.
#pragma once

#include <string>

#include "cli/report_commands.h"
#include "config/config.h"
#include "core/status.h"

namespace tandem::cli {

struct ExportLeadsArgs {
  // The list's filters (docs/api.md): owner is an email, a user id (usr_N) or none.
  std::string owner, stage, reason, priority, team, min_score, updated_since, source, form, q, sla;
  bool queued = false;
  std::string sort = "created";  // score, created, sla or updated
  std::string out;               // "" or "-": standard output
};
Status ExportLeads(const Config& config, const ExportLeadsArgs& args);

// `report` is "funnel", "outcomes", "speed-to-lead" or "attribution"; args.format,
// limit and cursor do not apply (CSV, every page).
Status ExportReport(const Config& config, const std::string& report, const ReportArgs& args,
                    const std::string& out);

}  // namespace tandem::cli
