// tandem: the one binary — server, migrations and administration.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>
#include <iostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/audit_commands.h"
#include "cli/backup_commands.h"
#include "cli/commands.h"
#include "cli/email_commands.h"
#include "cli/experiment_commands.h"
#include "cli/export_commands.h"
#include "cli/import_commands.h"
#include "cli/logging.h"
#include "cli/person_commands.h"
#include "cli/report_commands.h"
#include "config/config.h"

namespace {

using tandem::Config;
using tandem::Status;
namespace cli = tandem::cli;

int Fail(const Status& status) {
  std::cerr << "tandem: " << status.message() << " [" << status.error_code() << "]\n";
  return tandem::ExitCodeOf(status.code());
}

// What each subcommand does once the configuration is loaded.
using Action = std::function<Status(const Config&)>;
using Actions = std::vector<std::pair<CLI::App*, Action>>;

// The options every subcommand shares.
struct GlobalOptions {
  std::string config_path, db, listen, log_format, log_level;
};

void AddGlobalOptions(CLI::App& app, GlobalOptions& o) {
  app.add_option("--config", o.config_path,
                 "Configuration file (default: ./tandem.toml when present)");
  app.add_option("--db", o.db,
                 "Store: sqlite:PATH (default sqlite:var/tandem.db) or postgresql://...");
  app.add_option("--log-format", o.log_format, "Log lines on stderr as text or json")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("--log-level", o.log_level, "trace, debug, info, warn or error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
}

// The values the subcommands' arguments are parsed into; they live as long as main.
struct Arguments {
  std::string source_name;
  int64_t demo_events = 4000;
  cli::NewUser new_user;
  std::string token_email, passwd_email;
  bool passwd_revoke_tokens = false;
  cli::NewToken new_token;
  std::string token_list_email, token_revoke_id;
  std::string unsubscribe_lead, catalog_file;
  std::string brief_lead, brief_format = "markdown";
  cli::ReportArgs report;
  cli::ExportLeadsArgs export_leads;
  std::string export_out;
  cli::ExperimentArgs experiment;
  cli::AuditListArgs audit;
  std::string backup_file, restore_file, person, erase_reason;
  bool restore_replace = false;
};

void AddServerCommands(CLI::App& app, GlobalOptions& o, Arguments& a, Actions& actions) {
  auto* serve =
      app.add_subcommand("serve", "Serve ingest and the API over HTTP until SIGTERM or SIGINT");
  serve->add_option("--listen", o.listen, "HOST:PORT to listen on (default 127.0.0.1:8080)");
  actions.emplace_back(serve, cli::Serve);
  actions.emplace_back(
      app.add_subcommand("migrate", "Bring the store's schema up to date and print its version"),
      cli::Migrate);
  auto* source = app.add_subcommand("source", "Manage event sources (websites and apps)");
  source->require_subcommand(1);
  auto* source_add =
      source->add_subcommand("add", "Add a source; prints its write key as the last line");
  source_add
      ->add_option("NAME", a.source_name, "A name people recognize, e.g. \"Marketing website\"")
      ->required();
  actions.emplace_back(source_add,
                       [&a](const Config& c) { return cli::AddSource(c, a.source_name); });
  actions.emplace_back(source->add_subcommand("list", "List sources with their write keys"),
                       cli::ListSources);
  auto* demo = app.add_subcommand(
      "demo", "Create a demo workspace with a few days of website history (once)");
  demo->add_option("--events", a.demo_events, "How many events of history to generate")
      ->check(CLI::Range(int64_t{1}, int64_t{2000000}));
  actions.emplace_back(demo, [&a](const Config& c) { return cli::Demo(c, a.demo_events); });
  actions.emplace_back(
      app.add_subcommand("rescore", "Recompute every lead's score under the current rules"),
      cli::Rescore);
}

void AddUserCommands(CLI::App& app, Arguments& a, Actions& actions) {
  auto* user = app.add_subcommand("user", "Manage the people who use Tandem");
  user->require_subcommand(1);
  auto* add = user->add_subcommand("add", "Add a user; prints an API token as the last line");
  add->add_option("EMAIL", a.new_user.email, "The user's email address")->required();
  add->add_option("--name", a.new_user.name, "Full name")->required();
  add->add_option("--role", a.new_user.role, "admin, marketing, sales_manager, sales_rep or viewer")
      ->required();
  add->add_option("--team", a.new_user.team, "Team, e.g. \"emea\" (created when new)");
  add->add_option("--timezone", a.new_user.timezone, "Area/City, e.g. Europe/Berlin (default UTC)");
  add->add_option("--capacity", a.new_user.capacity, "Open leads the user can work (default 50)");
  add->add_option("--hours", a.new_user.hours, "Working hours, local time (default 09:00-17:30)");
  add->add_option("--token-expires", a.new_user.token_expires,
                  "The API token expires after this many days, e.g. 90d (default: never)");
  actions.emplace_back(add, [&a](const Config& c) { return cli::AddUser(c, a.new_user); });
  actions.emplace_back(user->add_subcommand("list", "List users"), cli::ListUsers);
  auto* token = user->add_subcommand("token", "Issue another API token for a user");
  token->add_option("EMAIL", a.token_email, "The user's email address")->required();
  actions.emplace_back(token, [&a](const Config& c) { return cli::IssueToken(c, a.token_email); });
  auto* passwd = user->add_subcommand(
      "passwd", "Set a user's web sign-in password, read from standard input (ends sessions)");
  passwd->add_option("EMAIL", a.passwd_email, "The user's email address")->required();
  passwd->add_flag("--revoke-tokens", a.passwd_revoke_tokens, "Revoke the user's API tokens too");
  actions.emplace_back(passwd, [&a](const Config& c) {
    return cli::SetPassword(c, a.passwd_email, a.passwd_revoke_tokens);
  });
}

void AddTokenCommands(CLI::App& app, Arguments& a, Actions& actions) {
  auto* token = app.add_subcommand("token", "Manage API tokens");
  token->require_subcommand(1);
  auto* create = token->add_subcommand(
      "create", "Issue an API token for a user; prints it as the last line (shown once)");
  create->add_option("EMAIL", a.new_token.email, "The user's email address")->required();
  create->add_option("--name", a.new_token.name, "What the token is for, e.g. \"zapier\"");
  create->add_option("--expires", a.new_token.expires,
                     "Expires after this many days, e.g. 90d (default: never)");
  actions.emplace_back(create, [&a](const Config& c) { return cli::CreateToken(c, a.new_token); });
  auto* list =
      token->add_subcommand("list", "List API tokens (not their secrets) with their last use");
  list->add_option("EMAIL", a.token_list_email, "Only this user's tokens");
  actions.emplace_back(list,
                       [&a](const Config& c) { return cli::ListTokens(c, a.token_list_email); });
  auto* revoke = token->add_subcommand("revoke", "Revoke an API token at once");
  revoke->add_option("TOKEN_ID", a.token_revoke_id, "The token's id, e.g. tok_12")->required();
  actions.emplace_back(revoke,
                       [&a](const Config& c) { return cli::RevokeToken(c, a.token_revoke_id); });
}

constexpr std::pair<const char*, const char*> kReports[] = {
    {"funnel", "Leads created in the range down the funnel, with conversions"},
    {"outcomes", "Why leads left sales in the range, and the reasons given"},
    {"speed-to-lead",
     "Minutes from MQL to the first sales touch in the range, and what came of it"},
    {"attribution", "Opportunities and won revenue in the range credited to their touchpoints"}};

// What selects a report's figures, for `report` and `export report`.
void AddReportOptions(CLI::App* one, std::string_view name, cli::ReportArgs& r) {
  one->add_option("--from", r.from, "The first day (YYYY-MM-DD) or ISO 8601 time")->required();
  one->add_option("--to", r.to, "The end of the range, excluded")->required();
  one->add_option("--by", r.by,
                  "source, medium, campaign, keyword, referrer_domain, landing_page, form, "
                  "content_item, team, rep, country, company_size, cohort or variant");
  one->add_option("--experiment", r.experiment,
                  "By variant: the experiment whose variants group the leads (ex_N)");
  one->add_option("--as-of", r.as_of, "Answer as the facts stood at this day or ISO 8601 time");
  if (name == "outcomes") {
    one->add_option("--min-group", r.min_group,
                    "Groups with fewer outcomes are flagged small (default 20)")
        ->check(CLI::Range(int64_t{1}, int64_t{1000000}));
  }
  if (name == "attribution") {
    one->add_option("--model", r.model,
                    "first_touch, last_touch, linear (the default), u_shaped, w_shaped or "
                    "time_decay");
    one->add_option("--half-life-days", r.half_life_days,
                    "time_decay's half-life in days (default 7)");
  }
}

void AddLeadCommands(CLI::App& app, Arguments& a, Actions& actions) {
  auto* unsubscribe = app.add_subcommand(
      "unsubscribe-link", "Print a person's signed unsubscribe link (RFC 8058 headers too)");
  unsubscribe->add_option("LEAD", a.unsubscribe_lead, "The lead id (ld_123) or email address")
      ->required();
  actions.emplace_back(
      unsubscribe, [&a](const Config& c) { return cli::UnsubscribeLink(c, a.unsubscribe_lead); });
  auto* catalog = app.add_subcommand("catalog", "The campaign and content catalogs");
  catalog->require_subcommand(1);
  auto* import = catalog->add_subcommand(
      "import", "Add or replace catalog entries from a .toml or .csv file (errors name the line)");
  import->add_option("FILE", a.catalog_file, "The catalog file")->required();
  actions.emplace_back(import,
                       [&a](const Config& c) { return cli::ImportCatalog(c, a.catalog_file); });
  actions.emplace_back(catalog->add_subcommand("list", "List campaigns and content"),
                       cli::ListCatalog);
  auto* brief = app.add_subcommand("brief", "Print a lead's handoff brief");
  brief->add_option("LEAD", a.brief_lead, "The lead id (ld_123) or email address")->required();
  brief->add_option("--format", a.brief_format, "markdown, json or html")
      ->check(CLI::IsMember({"markdown", "json", "html"}));
  actions.emplace_back(
      brief, [&a](const Config& c) { return cli::PrintBrief(c, a.brief_lead, a.brief_format); });
  auto* report = app.add_subcommand(
      "report", "Print a closed-loop report over a date range (CSV, or JSON with --format json)");
  report->require_subcommand(1);
  for (const auto& [name, what] : kReports) {
    auto* one = report->add_subcommand(name, what);
    AddReportOptions(one, name, a.report);
    one->add_option("--format", a.report.format, "csv (the default) or json")
        ->check(CLI::IsMember({"csv", "json"}));
    one->add_option("--limit", a.report.limit,
                    "Groups a page, 1 to 1000 (default 200), in the order of their names");
    one->add_option("--cursor", a.report.cursor,
                    "The page after the previous one (its next_cursor, printed on stderr for CSV)");
    actions.emplace_back(one, [&a, report_name = std::string(name)](const Config& c) {
      return cli::PrintReport(c, report_name, a.report);
    });
  }
}

void AddExportCommands(CLI::App& app, Arguments& a, Actions& actions) {
  auto* exports = app.add_subcommand(
      "export", "Write leads or a whole report as CSV, recorded in the audit trail");
  exports->require_subcommand(1);
  auto* leads = exports->add_subcommand(
      "leads", "Every lead the filters match, newest first (the API's lead list as CSV)");
  cli::ExportLeadsArgs& l = a.export_leads;
  leads->add_option("--owner", l.owner, "The owner's email or user id (usr_N), or none");
  leads->add_option("--stage", l.stage, "A lifecycle stage, or several separated by commas");
  leads->add_option("--reason", l.reason, "The reason of the lead's stage");
  leads->add_option("--priority", l.priority, "hot or mql");
  leads->add_option("--team", l.team, "The owning team");
  leads->add_option("--min-score", l.min_score, "The lowest total score");
  leads->add_option("--updated-since", l.updated_since, "An RFC 3339 time");
  leads->add_option("--source", l.source, "The first touch's source");
  leads->add_option("--form", l.form, "A form the lead submitted");
  leads->add_option("--q", l.q, "Text in the name, email or company");
  leads->add_option("--sla", l.sla, "overdue: only leads past their SLA");
  leads->add_flag("--queued", l.queued, "Only leads waiting for an owner");
  leads->add_option("--sort", l.sort, "created (the default), score, sla or updated");
  leads->add_option("--out", l.out, "Write FILE (must not exist) instead of standard output");
  actions.emplace_back(leads, [&l](const Config& c) { return cli::ExportLeads(c, l); });
  auto* report = exports->add_subcommand("report", "Every group of a report in one CSV");
  report->require_subcommand(1);
  for (const auto& [name, what] : kReports) {
    auto* one = report->add_subcommand(name, what);
    AddReportOptions(one, name, a.report);
    one->add_option("--out", a.export_out,
                    "Write FILE (must not exist) instead of standard output");
    actions.emplace_back(one, [&a, report_name = std::string(name)](const Config& c) {
      return cli::ExportReport(c, report_name, a.report, a.export_out);
    });
  }
}

void AddExperimentCommands(CLI::App& app, Arguments& a, Actions& actions) {
  auto* experiment = app.add_subcommand(
      "experiment", "Experiments judged on what sales did with the leads (the API's JSON)");
  experiment->require_subcommand(1);
  for (const auto& [name, what] :
       {std::pair{"list", "Every version of every experiment, newest first"},
        std::pair{"create", "A new draft from FILE (the API's body; - for standard input)"},
        std::pair{"version", "A new draft version of ID with FILE's changes"},
        std::pair{"start", "Start draft ID: persons are assigned and counted from now"},
        std::pair{"stop", "Stop ID: no one new is assigned"},
        std::pair{"results", "ID's counts, effects, checks and decision"}}) {
    auto* one = experiment->add_subcommand(name, what);
    const std::string action = name;
    if (action != "list" && action != "create") {
      one->add_option("ID", a.experiment.id, "The experiment, ex_<n>")->required();
    }
    if (action == "create" || action == "version") {
      one->add_option("FILE", a.experiment.file, "The JSON body, or - for standard input")
          ->required();
    }
    if (action == "results") {
      one->add_option("--format", a.experiment.format, "text (the default) or json")
          ->check(CLI::IsMember({"text", "json"}));
    }
    actions.emplace_back(one, [&a, action](const Config& c) {
      return cli::RunExperimentCommand(c, action, a.experiment);
    });
  }
}

void AddAuditCommands(CLI::App& app, Arguments& a, Actions& actions) {
  auto* audit = app.add_subcommand(
      "audit", "The audit trail: who read, exported, imported, erased or changed what");
  audit->require_subcommand(1);
  auto* list = audit->add_subcommand("list", "Entries oldest first, one per line");
  list->add_option("--after", a.audit.after, "Entries after this place (seq)");
  list->add_option("--limit", a.audit.limit, "At most this many (default 100)");
  list->add_option("--action", a.audit.action, "Only this action, e.g. brief.read");
  list->add_option("--subject", a.audit.subject, "Only entries about this, e.g. ld_12");
  actions.emplace_back(list, [&a](const Config& c) { return cli::ListAuditTrail(c, a.audit); });
  actions.emplace_back(
      audit->add_subcommand("verify", "Check that no entry was changed, removed or reordered"),
      cli::VerifyAuditTrail);
  auto* person = app.add_subcommand("person", "Requests about a person's data");
  person->require_subcommand(1);
  auto* record = person->add_subcommand(
      "record", "Print everything held about a person (JSON), for an access request");
  record->add_option("LEAD", a.person, "The lead id (ld_123) or an email address they gave")
      ->required();
  actions.emplace_back(record,
                       [&a](const Config& c) { return cli::PrintPersonRecord(c, a.person); });
  auto* erase = person->add_subcommand(
      "erase", "Erase a person: everything held about them (reports keep their counts)");
  erase->add_option("LEAD", a.person, "The lead id (ld_123) or an email address they gave")
      ->required();
  erase->add_option("--reason", a.erase_reason, "Why (required; not kept)")->required();
  actions.emplace_back(
      erase, [&a](const Config& c) { return cli::ErasePersonCli(c, a.person, a.erase_reason); });
  auto* backup = app.add_subcommand(
      "backup", "Copy the SQLite store to FILE while Tandem serves it (PostgreSQL: pg_dump)");
  backup->add_option("FILE", a.backup_file, "The new backup file (must not exist)")->required();
  actions.emplace_back(backup, [&a](const Config& c) { return cli::BackUp(c, a.backup_file); });
  auto* restore = app.add_subcommand(
      "restore", "Put a backup made by `tandem backup` back as the store (stop Tandem first)");
  restore->add_option("FILE", a.restore_file, "The backup file")->required();
  restore->add_flag("--replace", a.restore_replace, "Replace the store when it exists");
  actions.emplace_back(restore, [&a](const Config& c) {
    return cli::Restore(c, a.restore_file, a.restore_replace);
  });
}

// The configuration file with the command line's overrides, and logging set up by it.
tandem::StatusOr<Config> LoadConfig(const GlobalOptions& o) {
  Config config;
  if (!o.config_path.empty() || std::filesystem::exists("tandem.toml")) {
    auto loaded = tandem::LoadConfigFile(o.config_path.empty() ? "tandem.toml" : o.config_path);
    if (!loaded.ok()) return loaded.status();
    config = *loaded;
  }
  if (!o.db.empty()) config.storage.url = o.db;
  if (!o.listen.empty()) config.server.listen = o.listen;
  if (!o.log_format.empty()) config.log.format = o.log_format;
  if (!o.log_level.empty()) config.log.level = o.log_level;
  TANDEM_RETURN_IF_ERROR(tandem::SetUpLogging(config.log.format, config.log.level));
  return config;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Tandem: closed-loop lead management. Captures what prospects do, qualifies them, gives "
      "each\n"
      "lead one owner with the reason to call, and reports which sources bring customers."};
  app.require_subcommand(1);
  app.fallthrough();
  GlobalOptions options;
  Arguments args;
  Actions actions;
  AddGlobalOptions(app, options);
  AddServerCommands(app, options, args, actions);
  AddUserCommands(app, args, actions);
  AddTokenCommands(app, args, actions);
  AddLeadCommands(app, args, actions);
  AddExperimentCommands(app, args, actions);
  AddAuditCommands(app, args, actions);
  AddExportCommands(app, args, actions);
  cli::EmailLintArgs lint_args;
  CLI::App* email_lint = cli::AddEmailCommands(app, lint_args);
  cli::ImportArgs import_args;
  CLI::App* import_leads = cli::AddImportCommands(app, import_args);
  auto* config_cmd = app.add_subcommand("config", "Work with tandem.toml");
  config_cmd->require_subcommand(1);
  std::string check_path;
  auto* config_check = config_cmd->add_subcommand(
      "check", "Validate a configuration file; errors name the line (exit 2)");
  config_check->add_option("FILE", check_path, "The file to check")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }

  if (config_check->parsed()) {
    auto status = cli::CheckConfig(check_path, options.db);
    return status.ok() ? 0 : Fail(status);
  }
  auto config = LoadConfig(options);
  if (!config.ok()) return Fail(config.status());
  if (email_lint->parsed()) {  // exit 1 says the email may not be sent
    auto passed = cli::LintEmailFile(*config, lint_args);
    return !passed.ok() ? Fail(passed.status()) : *passed ? 0 : 1;
  }
  if (import_leads->parsed()) {  // exit 1 says a dry run would reject a row
    auto clean = cli::ImportLeads(*config, import_args);
    return !clean.ok() ? Fail(clean.status()) : *clean ? 0 : 1;
  }
  for (const auto& [command, action] : actions) {
    if (!command->parsed()) continue;
    Status status = action(*config);
    return status.ok() ? 0 : Fail(status);
  }
  return 0;
}
