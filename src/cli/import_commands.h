// `tandem import leads FILE [--mapping FILE] [--address-source S] [--consent-basis B]
// [--consent-wording W] [--dry-run] [--json]`: a CRM's or a spreadsheet's CSV export
// imported as leads (imports/import_run.h), with a progress bar on a terminal. Running it
// again on the same file resumes where an interrupted run stopped. Exit 0 when the file
// was imported (its rejected rows listed), 1 when a dry run found a row to reject, 2 on
// a usage error or an unusable file.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "config/config.h"
#include "core/status.h"

namespace tandem::cli {

struct ImportArgs {
  std::string file, mapping_file;
  std::string address_source = "import";
  std::string consent_basis = "none";
  std::string consent_wording;
  bool dry_run = false;
  bool json = false;
};

// Adds `import leads` to `app`; returns the `leads` subcommand.
CLI::App* AddImportCommands(CLI::App& app, ImportArgs& args);

// Imports (or checks, with dry_run) the file; false when a dry run rejected a row.
StatusOr<bool> ImportLeads(const Config& config, const ImportArgs& args);

}  // namespace tandem::cli
