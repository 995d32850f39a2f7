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
  } else if (demo->parsed()) {
    status = tandem::cli::Demo(config, demo_events);
  }
  return status.ok() ? 0 : Fail(status);
}
