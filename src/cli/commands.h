// The subcommands of the `tandem` binary. Each returns a Status; main maps it to an
// exit code (0 ok, 2 usage or runtime error) and prints the message on stderr.
#pragma once

#include <string>

#include "config/config.h"
#include "core/status.h"

namespace tandem::cli {

Status Serve(const Config& config);
Status Migrate(const Config& config);
Status AddSource(const Config& config, const std::string& name);
Status ListSources(const Config& config);
struct NewUser {
  std::string email, name, role, team, timezone = "UTC", hours = "09:00-17:30";
  int capacity = 50;
};
// Adds a user; prints its API token as the last line.
Status AddUser(const Config& config, const NewUser& user);
Status ListUsers(const Config& config);
// Issues another API token for a user; prints it as the last line.
Status IssueToken(const Config& config, const std::string& email);
// Reads a password from standard input (without echo on a terminal) and sets it.
Status SetPassword(const Config& config, const std::string& email);
// Recomputes every lead's score under the configured rules.
Status Rescore(const Config& config);
// Validates a configuration file (and, when the store exists, the teams it names).
Status CheckConfig(const std::string& path, const std::string& db_override);
// Creates the demo workspace (a source and a few days of website history) once.
Status Demo(const Config& config, int64_t events);
// Prints a person's signed unsubscribe link (and the RFC 8058 headers that carry it).
Status UnsubscribeLink(const Config& config, const std::string& lead_or_email);
// Adds the entries of a .toml or .csv catalog file, replacing those with the same key.
Status ImportCatalog(const Config& config, const std::string& path);
Status ListCatalog(const Config& config);
// `format`: markdown, json or html.
Status PrintBrief(const Config& config, const std::string& lead_or_email,
                  const std::string& format);

}  // namespace tandem::cli
