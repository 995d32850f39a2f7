#include "config/config.h"

#include <fmt/format.h>

#include <toml++/toml.h>
#include <fstream>
#include <map>
#include <sstream>

#include "catalog/catalog_toml.h"
#include "config/config_rules.h"
#include "config/section_reader.h"
#include "core/zones.h"

namespace tandem {
namespace {

Status ReadServer(const toml::table& t, std::string_view origin, ServerConfig& c) {
  SectionReader r(t, origin, "server");
  r.String("listen", c.listen);
  r.Integer("threads", c.threads, 0, 256);
  r.Bool("trust_proxy", c.trust_proxy);
  r.Integer("read_timeout_ms", c.read_timeout_ms, 100, 3600000);
  r.Integer("idle_timeout_ms", c.idle_timeout_ms, 100, 86400000);
  r.String("public_url", c.public_url);
  r.Integer("shutdown_grace_ms", c.shutdown_grace_ms, 0, 600000);
  r.String("web_root", c.web_root);
  return r.Finish();
}

Status ReadStorage(const toml::table& t, std::string_view origin, StorageConfig& c) {
  SectionReader r(t, origin, "storage");
  r.String("url", c.url);
  r.String("sqlite_synchronous", c.sqlite_synchronous, {"full", "normal"});
  r.Integer("sqlite_mmap_mb", c.sqlite_mmap_mb, 0, 65536);
  return r.Finish();
}

Status ReadIngest(const toml::table& t, std::string_view origin, IngestConfig& c) {
  SectionReader r(t, origin, "ingest");
  r.Integer("queue_max_events", c.queue_max_events, 2500, 100000000);
  r.Integer("commit_max_events", c.commit_max_events, 1, 1000000);
  r.Integer("retry_after_s", c.retry_after_s, 1, 3600);
  r.Integer("event_max_future_s", c.event_max_future_s, 0, 86400);
  r.Integer("event_max_age_days", c.event_max_age_days, 1, 36500);
  return r.Finish();
}

Status ReadAuth(const toml::table& t, std::string_view origin, AuthConfig& c) {
  SectionReader r(t, origin, "auth");
  r.Integer("session_hours", c.session_hours, 1, 24 * 90);
  r.Integer("max_failed_logins", c.max_failed_logins, 1, 100);
  r.Integer("lockout_minutes", c.lockout_minutes, 1, 24 * 60);
  return r.Finish();
}

Status ReadLimits(const toml::table& t, std::string_view origin, LimitsConfig& c) {
  SectionReader r(t, origin, "limits");
  r.Integer("api_per_client_per_minute", c.api_per_client_per_minute, 0, 10000000);
  r.Integer("api_per_client_burst", c.api_per_client_burst, 1, 10000000);
  r.Integer("api_per_token_per_minute", c.api_per_token_per_minute, 0, 10000000);
  r.Integer("api_per_token_burst", c.api_per_token_burst, 1, 10000000);
  r.Integer("signin_per_client_per_minute", c.signin_per_client_per_minute, 1, 10000000);
  r.Integer("signin_per_client_burst", c.signin_per_client_burst, 1, 10000000);
  r.Integer("signin_refusal_delay_ms", c.signin_refusal_delay_ms, 0, 10000);
  r.Integer("password_threads", c.password_threads, 1, 64);
  r.Integer("password_queue", c.password_queue, 1, 10000);
  return r.Finish();
}

Status ReadTracking(const toml::table& t, std::string_view origin, TrackingConfig& c) {
  SectionReader r(t, origin, "tracking");
  r.Bool("respect_dnt", c.respect_dnt);
  return r.Finish();
}

Status ReadMetrics(const toml::table& t, std::string_view origin, MetricsConfig& c) {
  SectionReader r(t, origin, "metrics");
  r.Custom("token", [&](const toml::node& node, std::string_view name) -> Status {
    auto value = node.value<std::string>();
    if (!value || !node.is_string() || (!value->empty() && value->size() < 16) ||
        value->find_first_of(" \t\r\n") != std::string::npos) {
      return ConfigError(origin, node,
                         fmt::format("{} must be \"\" or a string of at least 16 characters "
                                     "and no spaces (a secret scrapers send as a bearer token)",
                                     name));
    }
    c.token = *value;
    return OkStatus();
  });
  r.String("listen", c.listen);
  return r.Finish();
}

Status ReadEmail(const toml::table& t, std::string_view origin, EmailConfig& c) {
  SectionReader r(t, origin, "email");
  r.Custom("relay", [&](const toml::node& node, std::string_view name) -> Status {
    auto value = node.value<std::string>();
    if (!value || !node.is_string() ||
        !(value->empty() || value->starts_with("smtp://") || value->starts_with("smtps://"))) {
      return ConfigError(origin, node,
                         fmt::format("{} must be \"\" or a URL smtp://HOST:PORT or "
                                     "smtps://HOST:PORT",
                                     name));
    }
    c.relay = *value;
    return OkStatus();
  });
  r.String("starttls", c.starttls, {"opportunistic", "required", "off"});
  r.String("username", c.username);
  r.String("password", c.password);
  r.String("ca_file", c.ca_file);
  r.Integer("connections", c.connections, 1, 64);
  r.Double("rate_per_second", c.rate_per_second, 0, 100000);
  r.Integer("timeout_ms", c.timeout_ms, 100, 600000);
  r.Integer("claim_s", c.claim_s, 5, 86400);
  r.String("from_address", c.from_address);
  r.String("from_name", c.from_name);
  r.String("reply_to", c.reply_to);
  r.String("company_name", c.company_name);
  r.String("postal_address", c.postal_address);
  r.String("message_id_domain", c.message_id_domain);
  r.Integer("fetch_timeout_ms", c.fetch_timeout_ms, 100, 60000);
  r.Integer("fetch_cache_s", c.fetch_cache_s, 0, 86400 * 7);
  r.Bool("fetch_private_hosts", c.fetch_private_hosts);
  r.Double("you_focus_min", c.you_focus_min, 0, 100);
  r.Bool("track_clicks", c.track_clicks);
  r.Bool("track_opens", c.track_opens);
  r.Custom("inbound", [&](const toml::node& node, std::string_view) {
    return ReadEmailInbound(node, origin, c.inbound);
  });
  return r.Finish();
}

Status ReadSequences(const toml::table& t, std::string_view origin, SequencesConfig& c) {
  SectionReader r(t, origin, "sequences");
  r.Custom("send_window", [&](const toml::node& node, std::string_view name) -> Status {
    auto text = node.value<std::string>();
    std::optional<int> start, end;
    if (text && node.is_string() && text->size() == 11 && (*text)[5] == '-') {
      start = ParseClockMinutes(text->substr(0, 5));
      end = ParseClockMinutes(text->substr(6));
    }
    if (!start || !end || *start >= *end) {
      return ConfigError(origin, node,
                         fmt::format("{} must look like \"09:00-17:00\" (start before end)", name));
    }
    c.window = SendWindow{*start, *end};
    return OkStatus();
  });
  int64_t sweep = c.sweep_every.count();
  r.Integer("sweep_s", sweep, 1, 86400);
  TANDEM_RETURN_IF_ERROR(r.Finish());  // the values are read here
  c.sweep_every = std::chrono::seconds(sweep);
  return OkStatus();
}

Status ReadLog(const toml::table& t, std::string_view origin, LogConfig& c) {
  SectionReader r(t, origin, "log");
  r.String("level", c.level, {"trace", "debug", "info", "warn", "error"});
  r.String("format", c.format, {"text", "json"});
  return r.Finish();
}

}  // namespace

StatusOr<Config> ParseConfig(std::string_view text, std::string_view origin) {
  TANDEM_ASSIGN_OR_RETURN(toml::table root, ParseTomlText(text, origin));
  using Reader = Status (*)(const toml::table&, std::string_view, Config&);
  static const std::map<std::string, Reader, std::less<>> kSections = {
      {"server", [](const toml::table& t, std::string_view o,
                    Config& c) { return ReadServer(t, o, c.server); }},
      {"storage", [](const toml::table& t, std::string_view o,
                     Config& c) { return ReadStorage(t, o, c.storage); }},
      {"ingest", [](const toml::table& t, std::string_view o,
                    Config& c) { return ReadIngest(t, o, c.ingest); }},
      {"tracking", [](const toml::table& t, std::string_view o,
                      Config& c) { return ReadTracking(t, o, c.tracking); }},
      {"auth",
       [](const toml::table& t, std::string_view o, Config& c) { return ReadAuth(t, o, c.auth); }},
      {"limits", [](const toml::table& t, std::string_view o,
                    Config& c) { return ReadLimits(t, o, c.limits); }},
      {"metrics", [](const toml::table& t, std::string_view o,
                     Config& c) { return ReadMetrics(t, o, c.metrics); }},
      {"log",
       [](const toml::table& t, std::string_view o, Config& c) { return ReadLog(t, o, c.log); }},
      {"scoring", [](const toml::table& t, std::string_view o,
                     Config& c) { return ReadScoring(t, o, c.scoring); }},
      {"routing", [](const toml::table& t, std::string_view o,
                     Config& c) { return ReadRouting(t, o, c.routing); }},
      {"contact", [](const toml::table& t, std::string_view o,
                     Config& c) { return ReadContact(t, o, c.contact); }},
      {"sla",
       [](const toml::table& t, std::string_view o, Config& c) { return ReadSla(t, o, c.sla); }},
      {"email", [](const toml::table& t, std::string_view o,
                   Config& c) { return ReadEmail(t, o, c.email); }},
      {"sequences", [](const toml::table& t, std::string_view o,
                       Config& c) { return ReadSequences(t, o, c.sequences); }},
      {"catalog",
       [](const toml::table& t, std::string_view o, Config& c) -> Status {
         TANDEM_ASSIGN_OR_RETURN(c.catalog, ReadCatalogTable(t, o));
         for (Campaign& campaign : c.catalog.campaigns) campaign.origin = "config";
         for (ContentAsset& asset : c.catalog.content) asset.origin = "config";
         return OkStatus();
       }},
  };
  Config config;
  config.origin = std::string(origin);
  for (auto&& [key, node] : root) {
    if (key.str() == "webhooks") {
      TANDEM_RETURN_IF_ERROR(ReadWebhooks(node, origin, config.webhooks));
      continue;
    }
    auto it = kSections.find(key.str());
    if (it == kSections.end()) {
      return InvalidArgument(
          "config_unknown_key",
          fmt::format(
              "{}:{}: unknown section [{}] (known: server, storage, ingest, log, scoring, "
              "routing, contact, sla, email, sequences, catalog, auth, limits, tracking, metrics, "
              "webhooks)",
              origin, key.source().begin.line, key.str()));
    }
    const toml::table* table = node.as_table();
    if (table == nullptr) {
      return InvalidArgument(
          "config_invalid_value",
          fmt::format("{}:{}: [{}] must be a table", origin, node.source().begin.line, key.str()));
    }
    TANDEM_RETURN_IF_ERROR(it->second(*table, origin, config));
  }
  return config;
}

Status CheckConfigTeams(const Config& config, const std::vector<std::string>& teams) {
  auto known = [&](const std::string& team) {
    return std::find(teams.begin(), teams.end(), team) != teams.end();
  };
  std::string list = teams.empty() ? "none yet; `tandem user add … --team T` creates one"
                                   : fmt::format("{}", fmt::join(teams, ", "));
  for (const RoutingRule& rule : config.routing.rules) {
    if (!known(rule.team)) {
      return InvalidArgument("config_unknown_team",
                             fmt::format("{}:{}: routing rule \"{}\" names unknown team \"{}\" "
                                         "(teams: {})",
                                         config.origin, rule.line, rule.name, rule.team, list));
    }
  }
  if (!config.routing.fallback_team.empty() && !known(config.routing.fallback_team)) {
    return InvalidArgument("config_unknown_team",
                           fmt::format("{}:{}: routing.fallback_team names unknown team \"{}\" "
                                       "(teams: {})",
                                       config.origin, config.routing.fallback_line,
                                       config.routing.fallback_team, list));
  }
  return OkStatus();
}

StatusOr<Config> LoadConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("config_not_found", fmt::format("cannot read config file {}", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return ParseConfig(buffer.str(), path);
}

}  // namespace tandem
