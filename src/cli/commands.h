// The subcommands of the `tandem` binary. Each returns a Status; main maps it to an
// exit code (0 ok, 2 usage or runtime error) and prints the message on stderr.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "config/config.h"
#include "core/status.h"
#include "store/store.h"

namespace tandem::cli {

// The store the configuration names, created if it is a SQLite file not there yet.
StatusOr<std::unique_ptr<Store>> OpenConfiguredStore(const Config& config);
// The same, for commands about what a store holds: a SQLite file that is not there is
// an error naming it (not a new, empty store that has nothing to answer with).
StatusOr<std::unique_ptr<Store>> OpenExistingStore(const Config& config);
// A lead named by id (ld_123) or by an email address of its person; NotFound otherwise.
StatusOr<std::optional<int64_t>> FindLead(Store& store, const std::string& lead_or_email);

Status Serve(const Config& config);
Status Migrate(const Config& config);
Status AddSource(const Config& config, const std::string& name);
Status ListSources(const Config& config);
struct NewUser {
  std::string email, name, role, team, timezone = "UTC", hours = "09:00-17:30";
  int capacity = 50;
  std::string token_expires;  // "" (never) or days, "90d"
};
// Adds a user; prints its API token as the last line.
Status AddUser(const Config& config, const NewUser& user);
Status ListUsers(const Config& config);
// Issues another API token for a user; prints it as the last line.
Status IssueToken(const Config& config, const std::string& email);
// Reads a password from standard input (without echo on a terminal) and sets it; ends the
// user's sessions and, with `revoke_tokens`, its API tokens.
Status SetPassword(const Config& config, const std::string& email, bool revoke_tokens);

// API tokens (cli/token_commands.cpp). "90d" → 90; "" → nullopt (never expires).
StatusOr<std::optional<int>> ParseTokenExpiry(const std::string& text);
struct NewToken {
  std::string email, name, expires;
};
// Issues a token; prints its id, then the token itself as the last line.
Status CreateToken(const Config& config, const NewToken& token);
// Every token, or those of the user with `email` when it is not empty.
Status ListTokens(const Config& config, const std::string& email);
Status RevokeToken(const Config& config, const std::string& token_id);
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
