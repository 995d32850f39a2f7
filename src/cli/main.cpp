// tandem: the one binary — server, migrations and administration.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/logging.h"
#include "config/config.h"

namespace {

int Fail(const tandem::Status& status) {
  std::cerr << "tandem: " << status.message() << " [" << status.error_code() << "]\n";
  return tandem::ExitCodeOf(status.code());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Tandem: closed-loop lead management. Captures what prospects do, qualifies them, gives "
      "each\n"
      "lead one owner with the reason to call, and reports which sources bring customers."};
  app.require_subcommand(1);
  app.fallthrough();

  std::string config_path, db, listen, log_format, log_level;
  app.add_option("--config", config_path,
                 "Configuration file (default: ./tandem.toml when present)");
  app.add_option("--db", db,
                 "Store: sqlite:PATH (default sqlite:var/tandem.db) or postgresql://...");
  app.add_option("--log-format", log_format, "Log lines on stderr as text or json")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("--log-level", log_level, "trace, debug, info, warn or error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));

  auto* serve =
      app.add_subcommand("serve", "Serve ingest and the API over HTTP until SIGTERM or SIGINT");
  serve->add_option("--listen", listen, "HOST:PORT to listen on (default 127.0.0.1:8080)");
  auto* migrate =
      app.add_subcommand("migrate", "Bring the store's schema up to date and print its version");
  auto* source = app.add_subcommand("source", "Manage event sources (websites and apps)");
  source->require_subcommand(1);
  std::string source_name;
  auto* source_add =
      source->add_subcommand("add", "Add a source; prints its write key as the last line");
  source_add->add_option("NAME", source_name, "A name people recognize, e.g. \"Marketing website\"")
      ->required();
  auto* source_list = source->add_subcommand("list", "List sources with their write keys");
  int64_t demo_events = 4000;
  auto* demo = app.add_subcommand(
      "demo", "Create a demo workspace with a few days of website history (once)");
  demo->add_option("--events", demo_events, "How many events of history to generate")
      ->check(CLI::Range(int64_t{1}, int64_t{2000000}));

  auto* user = app.add_subcommand("user", "Manage the people who use Tandem");
  user->require_subcommand(1);
  tandem::cli::NewUser new_user;
  auto* user_add = user->add_subcommand("add", "Add a user; prints an API token as the last line");
  user_add->add_option("EMAIL", new_user.email, "The user's email address")->required();
  user_add->add_option("--name", new_user.name, "Full name")->required();
  user_add
      ->add_option("--role", new_user.role, "admin, marketing, sales_manager, sales_rep or viewer")
      ->required();
  user_add->add_option("--team", new_user.team, "Team, e.g. \"emea\" (created when new)");
  user_add->add_option("--timezone", new_user.timezone,
                       "Area/City, e.g. Europe/Berlin (default UTC)");
  user_add->add_option("--capacity", new_user.capacity,
                       "Open leads the user can work (default 50)");
  user_add->add_option("--hours", new_user.hours,
                       "Working hours, local time (default 09:00-17:30)");
  user_add->add_option("--token-expires", new_user.token_expires,
                       "The API token expires after this many days, e.g. 90d (default: never)");
  auto* user_list = user->add_subcommand("list", "List users");
  std::string token_email;
  auto* user_token = user->add_subcommand("token", "Issue another API token for a user");
  user_token->add_option("EMAIL", token_email, "The user's email address")->required();
  std::string passwd_email;
  bool passwd_revoke_tokens = false;
  auto* user_passwd = user->add_subcommand(
      "passwd", "Set a user's web sign-in password, read from standard input (ends sessions)");
  user_passwd->add_option("EMAIL", passwd_email, "The user's email address")->required();
  user_passwd->add_flag("--revoke-tokens", passwd_revoke_tokens,
                        "Revoke the user's API tokens too");
  auto* token = app.add_subcommand("token", "Manage API tokens");
  token->require_subcommand(1);
  tandem::cli::NewToken new_token;
  auto* token_create = token->add_subcommand(
      "create", "Issue an API token for a user; prints it as the last line (shown once)");
  token_create->add_option("EMAIL", new_token.email, "The user's email address")->required();
  token_create->add_option("--name", new_token.name, "What the token is for, e.g. \"zapier\"");
  token_create->add_option("--expires", new_token.expires,
                           "Expires after this many days, e.g. 90d (default: never)");
  std::string token_list_email;
  auto* token_list =
      token->add_subcommand("list", "List API tokens (not their secrets) with their last use");
  token_list->add_option("EMAIL", token_list_email, "Only this user's tokens");
  std::string token_revoke_id;
  auto* token_revoke = token->add_subcommand("revoke", "Revoke an API token at once");
  token_revoke->add_option("TOKEN_ID", token_revoke_id, "The token's id, e.g. tok_12")->required();
  auto* rescore =
      app.add_subcommand("rescore", "Recompute every lead's score under the current rules");
  std::string unsubscribe_lead;
  auto* unsubscribe = app.add_subcommand(
      "unsubscribe-link", "Print a person's signed unsubscribe link (RFC 8058 headers too)");
  unsubscribe->add_option("LEAD", unsubscribe_lead, "The lead id (ld_123) or email address")
      ->required();
  auto* catalog = app.add_subcommand("catalog", "The campaign and content catalogs");
  catalog->require_subcommand(1);
  std::string catalog_file;
  auto* catalog_import = catalog->add_subcommand(
      "import", "Add or replace catalog entries from a .toml or .csv file (errors name the line)");
  catalog_import->add_option("FILE", catalog_file, "The catalog file")->required();
  auto* catalog_list = catalog->add_subcommand("list", "List campaigns and content");
  std::string brief_lead, brief_format = "markdown";
  auto* brief = app.add_subcommand("brief", "Print a lead's handoff brief");
  brief->add_option("LEAD", brief_lead, "The lead id (ld_123) or email address")->required();
  brief->add_option("--format", brief_format, "markdown, json or html")
      ->check(CLI::IsMember({"markdown", "json", "html"}));
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
    auto status = tandem::cli::CheckConfig(check_path, db);
    return status.ok() ? 0 : Fail(status);
  }
  tandem::Config config;
  if (!config_path.empty() || std::filesystem::exists("tandem.toml")) {
    auto loaded = tandem::LoadConfigFile(config_path.empty() ? "tandem.toml" : config_path);
    if (!loaded.ok()) return Fail(loaded.status());
    config = *loaded;
  }
  if (!db.empty()) config.storage.url = db;
  if (!listen.empty()) config.server.listen = listen;
  if (!log_format.empty()) config.log.format = log_format;
  if (!log_level.empty()) config.log.level = log_level;
  if (auto s = tandem::SetUpLogging(config.log.format, config.log.level); !s.ok()) return Fail(s);

  tandem::Status status;
  if (serve->parsed()) {
    status = tandem::cli::Serve(config);
  } else if (migrate->parsed()) {
    status = tandem::cli::Migrate(config);
  } else if (source_add->parsed()) {
    status = tandem::cli::AddSource(config, source_name);
  } else if (source_list->parsed()) {
    status = tandem::cli::ListSources(config);
  } else if (user_add->parsed()) {
    status = tandem::cli::AddUser(config, new_user);
  } else if (user_list->parsed()) {
    status = tandem::cli::ListUsers(config);
  } else if (user_passwd->parsed()) {
    status = tandem::cli::SetPassword(config, passwd_email, passwd_revoke_tokens);
  } else if (user_token->parsed()) {
    status = tandem::cli::IssueToken(config, token_email);
  } else if (token_create->parsed()) {
    status = tandem::cli::CreateToken(config, new_token);
  } else if (token_list->parsed()) {
    status = tandem::cli::ListTokens(config, token_list_email);
  } else if (token_revoke->parsed()) {
    status = tandem::cli::RevokeToken(config, token_revoke_id);
  } else if (unsubscribe->parsed()) {
    status = tandem::cli::UnsubscribeLink(config, unsubscribe_lead);
  } else if (catalog_import->parsed()) {
    status = tandem::cli::ImportCatalog(config, catalog_file);
  } else if (catalog_list->parsed()) {
    status = tandem::cli::ListCatalog(config);
  } else if (brief->parsed()) {
    status = tandem::cli::PrintBrief(config, brief_lead, brief_format);
  } else if (rescore->parsed()) {
    status = tandem::cli::Rescore(config);
  } else if (demo->parsed()) {
    status = tandem::cli::Demo(config, demo_events);
  }
  return status.ok() ? 0 : Fail(status);
}
