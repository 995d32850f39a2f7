#include "cli/import_commands.h"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "app/rules_sync.h"
#include "brief/brief_input.h"
#include "cli/audit_commands.h"
#include "cli/commands.h"
#include "imports/import_run.h"
#include "leads/rescore.h"
#include "metrics/metrics.h"
#include "pipeline/event_pipeline.h"

namespace tandem::cli {
namespace {

StatusOr<std::map<std::string, ImportField>> ReadMapping(const std::string& path) {
  if (path.empty()) return std::map<std::string, ImportField>{};
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return InvalidArgument("unreadable_file", fmt::format("cannot open the mapping file {}", path));
  }
  std::vector<CsvRecord> records;
  std::vector<CsvProblem> problems;
  TANDEM_RETURN_IF_ERROR(ReadCsv(
                             in,
                             [&](CsvRecord&& r) {
                               records.push_back(std::move(r));
                               return OkStatus();
                             },
                             [&](CsvProblem&& p) { problems.push_back(std::move(p)); })
                             .status());
  if (!problems.empty()) {
    return Unprocessable("invalid_mapping", fmt::format("{}: {}", path, problems[0].message));
  }
  auto mapping = ReadMappingFile(records);
  if (!mapping.ok()) {
    return Unprocessable(mapping.status().error_code(),
                         fmt::format("{}: {}", path, mapping.status().message()));
  }
  return mapping;
}

// "\rimporting: 45,000 rows (37%)" on stderr while the file is read, when it is a terminal.
class ProgressBar {
 public:
  ProgressBar(std::istream& in, uintmax_t size) : in_(in), size_(size), on_(isatty(2) == 1) {}
  void Show(int64_t rows) {
    if (!on_) return;
    const std::streamoff at = in_.tellg();
    const int percent =
        at < 0 || size_ == 0 ? 100 : static_cast<int>(100.0 * static_cast<double>(at) / size_);
    constexpr int kWidth = 30;
    const int filled = kWidth * std::min(percent, 100) / 100;
    std::cerr << fmt::format("\r[{}{}] {:3}%  {} rows", std::string(filled, '#'),
                             std::string(kWidth - filled, ' '), std::min(percent, 100), rows)
              << std::flush;
  }
  void Done() {
    if (on_) std::cerr << "\n";
  }

 private:
  std::istream& in_;
  const uintmax_t size_;
  const bool on_;
};

void PrintSummary(const ImportSummary& s, const ImportArgs& args) {
  for (const CsvProblem& p : s.rejected) {
    std::cout << (args.dry_run ? "would reject " : "rejected ") << p.message << "\n";
  }
  std::cout << fmt::format("{} ({}, {}): {} rows, {} {}", args.file, s.recognized_as, s.encoding,
                           s.rows, s.accepted, args.dry_run ? "would be imported" : "imported");
  if (!args.dry_run) {
    std::cout << fmt::format(" ({} now, {} by an earlier run of this file)", s.stored,
                             s.already_imported);
  }
  std::cout << fmt::format(", {} rejected", s.rejected.size());
  if (s.repeated_addresses > 0) {
    std::cout << fmt::format(", {} rows repeat an earlier row's address (merged into its lead)",
                             s.repeated_addresses);
  }
  std::cout << "\n";
  if (!s.ignored_columns.empty()) {
    std::cout << fmt::format("columns not imported: {}\n", fmt::join(s.ignored_columns, ", "));
  }
}

}  // namespace

CLI::App* AddImportCommands(CLI::App& app, ImportArgs& args) {
  auto* import = app.add_subcommand("import", "Import data from CSV files");
  import->require_subcommand(1);
  auto* leads = import->add_subcommand(
      "leads",
      "Import leads from a CSV export (HubSpot, Salesforce, or any with --mapping); running it "
      "again on the same file resumes it. Exit 1 when a dry run would reject a row");
  leads->add_option("FILE", args.file, "The CSV file")->required();
  leads->add_option("--mapping", args.mapping_file,
                    "A CSV file of \"column,field\" lines naming what each column holds");
  leads->add_option("--address-source", args.address_source,
                    "Where the addresses came from, for rows that do not say: form, event, api, "
                    "import, purchased or harvested (default import)");
  leads->add_option("--consent-basis", args.consent_basis,
                    "Email marketing consent for rows that do not say: consent or none "
                    "(default none)");
  leads->add_option("--consent-wording", args.consent_wording,
                    "The text the people agreed to, with --consent-basis consent");
  leads->add_flag("--dry-run", args.dry_run,
                  "Check every row and list the rejected ones; "
                  "import nothing");
  leads->add_flag("--json", args.json, "Print the summary as the API's JSON");
  return leads;
}

StatusOr<bool> ImportLeads(const Config& config, const ImportArgs& args) {
  ImportOptions options;
  options.defaults = {args.address_source, args.consent_basis, args.consent_wording};
  options.dry_run = args.dry_run;
  TANDEM_RETURN_IF_ERROR(CheckImportDefaults(options.defaults));
  TANDEM_ASSIGN_OR_RETURN(options.mapping, ReadMapping(args.mapping_file));
  std::ifstream in(args.file, std::ios::binary);
  if (!in) return InvalidArgument("unreadable_file", fmt::format("cannot open {}", args.file));
  TANDEM_ASSIGN_OR_RETURN(std::string key, ImportFileKey(in));
  in.clear();
  in.seekg(0);
  std::error_code size_error;
  const uintmax_t size = std::filesystem::file_size(args.file, size_error);
  // A batch job over a store that may be large: reads by system call rather than mapping
  // the file, so the import's memory is its own, not the pages of the store it read.
  Config batch = config;
  batch.storage.sqlite_mmap_mb = 0;
  TANDEM_ASSIGN_OR_RETURN(auto store, OpenConfiguredStore(batch));
  TANDEM_ASSIGN_OR_RETURN(std::vector<UserRecord> users, store->ListUsers());
  const SystemClock clock;
  if (!args.dry_run) {
    // Recorded before a row is stored: an import cut short is on the trail too.
    const nlohmann::json detail = {{"file", key},
                                   {"bytes", size_error ? 0 : size},
                                   {"address_source", args.address_source},
                                   {"consent_basis", args.consent_basis}};
    TANDEM_RETURN_IF_ERROR(AuditCli(*store, audit_action::kImported, key, detail.dump()));
  }
  ProgressBar bar(in, size_error ? 0 : size);
  auto summary = ImportLeadFile(*store, in, key, options, users, clock.Now(),
                                [&bar](int64_t rows) { bar.Show(rows); });
  bar.Done();
  if (!summary.ok()) return summary.status();
  if (!args.dry_run) {
    // The rows become leads here, as a server would process them (one serving the same
    // store takes its share).
    TANDEM_ASSIGN_OR_RETURN(
        auto engine, EngineInForce(config, *store, clock.Now(), /*seed=*/true, OwnerBriefFor));
    Metrics metrics;
    EventPipeline::Options pipeline_options;
    pipeline_options.leads = engine.get();
    EventPipeline pipeline(*store, clock, metrics, pipeline_options);
    TANDEM_RETURN_IF_ERROR(RescoreIfNeeded(*store, *engine, clock).status());
    TANDEM_RETURN_IF_ERROR(pipeline.Drain());
  }
  if (args.json) {
    std::cout << ImportSummaryToJson(*summary, args.dry_run).dump(2) << "\n";
  } else {
    PrintSummary(*summary, args);
  }
  return !args.dry_run || summary->rejected.empty();
}

}  // namespace tandem::cli
