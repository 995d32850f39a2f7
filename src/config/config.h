// Tandem's configuration: tandem.toml, with a default for every key.
//
// Unknown sections or keys, and values of the wrong type or out of range, are errors
// that name the file, the line and the key, so a typo never silently falls back to a
// default.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <vector>

#include "catalog/catalog.h"
#include "contact/contact_policy.h"
#include "core/status.h"
#include "email/email_config.h"
#include "outbox/webhook_config.h"
#include "routing/router.h"
#include "scoring/scoring_config.h"
#include "sequences/sequences_config.h"
#include "sla/sla_config.h"

namespace tandem {

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";
  // Number of HTTP worker threads; 0 means one per core less one (the writer's).
  int threads = 0;
  // Honour X-Forwarded-For for context.ip (only behind a proxy you run).
  bool trust_proxy = false;
  // How long a client may take to send one request (headers and body).
  int64_t read_timeout_ms = 15000;
  // How long an idle keep-alive connection is kept open.
  int64_t idle_timeout_ms = 60000;
  // Base URL clients reach this server at, e.g. "https://t.example.com"; used where
  // Tandem tells clients where to send (the browser library's settings). Empty: taken
  // from each request's Host header.
  std::string public_url;
  // How long a graceful shutdown waits for in-flight requests.
  int64_t shutdown_grace_ms = 10000;
  // Where the web app's files are ("" = the "web" directory beside the binary, where
  // `make build` puts them).
  std::string web_root;
};

struct StorageConfig {
  // "sqlite:PATH" (embedded) or "postgresql://..." (shared).
  std::string url = "sqlite:var/tandem.db";
  // SQLite commit durability: "full" survives power loss, "normal" survives a
  // process crash (kill -9) but may lose the last commits on power loss.
  std::string sqlite_synchronous = "full";
  // How much of the SQLite file each reading connection maps, in MB: mapped pages are
  // read without a copy, but each connection's mapping counts in Tandem's resident
  // memory once touched. 0 turns mapping off.
  int64_t sqlite_mmap_mb = 1024;
};

struct IngestConfig {
  // Events that may wait for the writer before new requests get 429.
  int64_t queue_max_events = 200000;
  // Most events committed in one transaction (group commit).
  int64_t commit_max_events = 20000;
  // Seconds a shed client is told to wait (Retry-After).
  int64_t retry_after_s = 1;
  // How far an event's time may lie after / before the moment it was received; a time
  // outside is moved to the bound (the client's value is kept as originalTimestamp).
  int64_t event_max_future_s = 300;
  int64_t event_max_age_days = 1825;
};

struct LogConfig {
  std::string level = "info";   // trace, debug, info, warn, error
  std::string format = "text";  // text or json
};

// The website snippet (GET /t.js).
struct TrackingConfig {
  // Send nothing from browsers that ask not to be tracked (Do-Not-Track, Global
  // Privacy Control).
  bool respect_dnt = true;
};

// Signing in to the web app.
struct AuthConfig {
  int64_t session_hours = 12;     // a session ends this long after sign-in
  int64_t max_failed_logins = 5;  // sign-in attempts on one email address at once …
  int64_t lockout_minutes = 15;   // … and as many again every this many minutes
};

// [limits]: request rates as token buckets (a refill per minute and a burst), and the
// threads that check passwords. Ingest (/v1/*) has its own queue-based back-pressure.
struct LimitsConfig {
  int64_t api_per_client_per_minute = 1200;  // /api/v1 requests per client address; 0: none
  int64_t api_per_client_burst = 300;
  int64_t api_per_token_per_minute = 600;  // per API token or session; 0: none
  int64_t api_per_token_burst = 120;
  int64_t signin_per_client_per_minute = 6;  // sign-in attempts per client (a success is
  int64_t signin_per_client_burst = 10;      // given back)
  int64_t signin_refusal_delay_ms = 1000;    // a refused sign-in (429, 503) is answered
                                             // this late, so a flood slows itself down
  int64_t password_threads = 1;              // threads hashing passwords, off the HTTP threads
  int64_t password_queue = 8;                // sign-ins waiting for them; more are answered 503
};

// Who may read GET /metrics. With neither key set, only clients on this machine
// (loopback peers, not relayed by a proxy) may.
struct MetricsConfig {
  // Scrapers must send "Authorization: Bearer <token>" (at least 16 characters).
  std::string token;
  // "HOST:PORT" of a listener of its own that serves /metrics only; the main port then
  // has no /metrics. Empty: /metrics is on the main port.
  std::string listen;
};

struct Config {
  ServerConfig server;
  StorageConfig storage;
  IngestConfig ingest;
  LogConfig log;
  AuthConfig auth;
  LimitsConfig limits;
  TrackingConfig tracking;
  MetricsConfig metrics;
  ScoringConfig scoring = DefaultScoring();
  RoutingConfig routing;
  std::vector<WebhookConfig> webhooks;
  ContactConfig contact;
  SlaConfig sla;
  EmailConfig email;
  SequencesConfig sequences;
  // Campaigns and content defined in the file ([[catalog.campaigns]],
  // [[catalog.content]]); written to the store at every start, marked origin "config".
  Catalog catalog;
  std::string origin = "defaults";  // the file it came from, for errors found later
};

// Checks what needs the database: every team routing names must exist. `teams` are
// the team names known to the store.
Status CheckConfigTeams(const Config& config, const std::vector<std::string>& teams);

// Reads and validates a tandem.toml file.
StatusOr<Config> LoadConfigFile(const std::string& path);
// Same, from text; `origin` names the source in error messages.
StatusOr<Config> ParseConfig(std::string_view text, std::string_view origin);

}  // namespace tandem
