#include "http/rule_routes.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <nlohmann/json.hpp>

#include "auth/permissions.h"
#include "config/rules_text.h"
#include "core/ids.h"
#include "core/text.h"
#include "core/time_format.h"
#include "http/api_common.h"
#include "http/api_schemas.h"
#include "http/audit_routes.h"
#include "http/query_params.h"
#include "leads/rules_dry_run.h"
#include "scoring/scorer.h"

namespace tandem::http {
namespace {

using nlohmann::json;
namespace s = schema;

// The most leads a dry run recomputes (the newest), and the most changes it lists.
constexpr size_t kDryRunLeads = 20000;
constexpr size_t kListedChanges = 500;

json VersionJson(const RuleVersion& v) {
  return {{"version", v.version},
          {"toml", v.toml},
          {"origin", v.origin},
          {"created_by", v.created_by ? json(UserIdText(*v.created_by)) : json(nullptr)},
          {"note", v.note},
          {"created_at", FormatIsoTime(v.created_at)}};
}

json VersionSchema() {
  return s::Object({{"version", s::Integer()},
                    {"toml", s::String("[scoring] and [routing], as tandem.toml holds them")},
                    {"origin", s::Enum({"config", "app"})},
                    {"created_by", s::NullableString("usr_<n>")},
                    {"note", s::String()},
                    {"created_at", s::String("date-time")}});
}

// The rules a body's "toml" holds, checked as a start checks tandem.toml: 422
// invalid_rules naming the line, or a team nobody is in.
StatusOr<LeadRules> RulesOf(Store& store, const json& body) {
  if (!body.is_object() || !body.contains("toml") || !body["toml"].is_string()) {
    return Unprocessable("missing_field", "toml is required: the [scoring] and [routing] sections");
  }
  auto rules = ParseRules(body["toml"].get<std::string>(), "rules");
  if (!rules.ok()) return Unprocessable("invalid_rules", rules.status().message());
  TANDEM_ASSIGN_OR_RETURN(std::vector<std::string> teams, store.ListTeams());
  auto known = [&](const std::string& team) {
    return std::find(teams.begin(), teams.end(), team) != teams.end();
  };
  for (const RoutingRule& rule : rules->routing.rules) {
    if (!known(rule.team)) {
      return Unprocessable("invalid_rules",
                           fmt::format("rules:{}: routing rule \"{}\" names team \"{}\", which "
                                       "nobody is in (teams: {})",
                                       rule.line, rule.name, rule.team, fmt::join(teams, ", ")));
    }
  }
  if (!rules->routing.fallback_team.empty() && !known(rules->routing.fallback_team)) {
    return Unprocessable("invalid_rules",
                         fmt::format("rules:{}: fallback_team \"{}\" is a team nobody is in",
                                     rules->routing.fallback_line, rules->routing.fallback_team));
  }
  return rules;
}

json ScoreJson(double fit, double engagement) {
  auto one = [](double x) { return std::round(x * 10) / 10; };
  return {{"fit", one(fit)}, {"engagement", one(engagement)}, {"total", one(fit + engagement)}};
}

json ChangeJson(const RuleChange& c) {
  return {{"lead_id", LeadIdText(c.lead.id)},
          {"email", c.lead.email},
          {"name", c.lead.name},
          {"stage", std::string(StageName(c.lead.stage))},
          {"owner_id", c.lead.owner_id ? json(UserIdText(*c.lead.owner_id)) : json(nullptr)},
          {"score",
           {{"before", ScoreJson(c.fit_before, c.engagement_before)},
            {"after", ScoreJson(c.fit_after, c.engagement_after)}}},
          {"qualifies", c.qualifies},
          {"team",
           {{"before", c.team_before.team},
            {"after", c.team_after.team},
            {"rule_before", c.team_before.rule},
            {"rule_after", c.team_after.rule}}}};
}

Response Current(Store& store, const LeadEngine& engine) {
  auto latest = store.LatestRuleVersion();
  if (!latest.ok()) return ErrorResponse(latest.status());
  auto teams = store.ListTeams();
  if (!teams.ok()) return ErrorResponse(teams.status());
  json out;
  if (*latest) {
    out = VersionJson(**latest);
  } else {
    const auto rules = engine.rules();
    out = VersionJson(RuleVersion{
        0, RulesToml(rules->scoring, rules->router.config()), "config", std::nullopt, "", {}});
  }
  out["teams"] = *teams;
  return Json(200, out);
}

// One dry run at a time: each rescoring pass holds lead transactions for a moment.
std::atomic<bool> dry_run_busy{false};

Response DryRun(Store& store, const LeadEngine& engine, const Clock& clock, const json& body) {
  if (dry_run_busy.exchange(true)) {
    return ErrorResponse(429, "dry_run_busy", "another check of the rules is running; try again");
  }
  struct Release {
    ~Release() { dry_run_busy = false; }
  } release;
  auto rules = RulesOf(store, body);
  if (!rules.ok()) return ErrorResponse(rules.status());
  const LeadEngine candidate(rules->scoring, rules->routing, {}, engine.contact(), engine.sla());
  auto run = DryRunRules(store, store, engine, candidate, clock.Now(), kDryRunLeads);
  if (!run.ok()) return ErrorResponse(run.status());
  json changes = json::array();
  for (size_t i = 0; i < run->changes.size() && i < kListedChanges; ++i) {
    changes.push_back(ChangeJson(run->changes[i]));
  }
  const auto count = [&](auto pick) {
    return std::count_if(run->changes.begin(), run->changes.end(), pick);
  };
  return Json(200,
              {{"valid", true},
               {"leads", run->leads},
               {"examined", run->examined},
               {"changed", run->changes.size()},
               {"score_changes", count([](const RuleChange& c) {
                  return c.fit_before != c.fit_after || c.engagement_before != c.engagement_after;
                })},
               {"qualify", count([](const RuleChange& c) { return c.qualifies; })},
               {"team_changes",
                count([](const RuleChange& c) { return c.team_before.team != c.team_after.team; })},
               {"changes", std::move(changes)}});
}

Response Save(Store& store, const Clock& clock, const RulesSaved& saved, const HttpRequest& r,
              const UserRecord& u) {
  if (Status st = Require(u, Permission::kChangeRules, "change the scoring and routing rules");
      !st.ok()) {
    return ErrorResponse(st);
  }
  auto body = ParseBody(r);
  if (!body.ok()) return ErrorResponse(body.status());
  auto rules = RulesOf(store, *body);
  if (!rules.ok()) return ErrorResponse(rules.status());
  if (!body->contains("base_version") || !(*body)["base_version"].is_number_integer()) {
    return ErrorResponse(422, "missing_field",
                         "base_version is required: the version the change was made from");
  }
  const json note = body->value("note", json(""));
  if (!note.is_string() ||
      FirstChars(note.get<std::string>(), 1000).size() != note.get<std::string>().size()) {
    return ErrorResponse(422, "invalid_field", "note must be text of at most 1000 characters");
  }
  RuleVersion version;
  version.toml = RulesToml(rules->scoring, rules->routing);
  version.origin = "app";
  version.created_by = u.id;
  version.note = note.get<std::string>();
  version.created_at = clock.Now();
  auto added = store.AddRuleVersion(version, (*body)["base_version"].get<int64_t>());
  if (!added.ok()) return ErrorResponse(added.status());
  AuditDone(store, clock, u, audit_action::kRulesChanged, fmt::format("rules/{}", added->version),
            json{{"version", added->version}, {"note", added->note}}.dump());
  if (Status st = saved(*added); !st.ok()) return ErrorResponse(st);
  return Json(200, VersionJson(*added));
}

RouteSpec Spec(std::string method, std::string path, std::string summary, json response) {
  RouteSpec spec{.method = std::move(method),
                 .path = std::move(path),
                 .summary = std::move(summary),
                 .tag = "rules"};
  spec.response = std::move(response);
  spec.errors = {403};
  return spec;
}

}  // namespace

void RegisterRuleRoutes(Router& router, Store& store, const LeadEngine& engine, const Clock& clock,
                        RulesSaved saved) {
  auto readers = [&store, &clock](auto body) {
    return Authed(store, clock, [body](const HttpRequest& r, const UserRecord& u) {
      if (Status st = Require(u, Permission::kViewReports, "read the scoring and routing rules");
          !st.ok()) {
        return ErrorResponse(st);
      }
      return body(r, u);
    });
  };
  json current = VersionSchema();
  current["properties"]["teams"] = s::ArrayOf(s::String());
  router.Add(Spec("GET", "/api/v1/rules", "The scoring and routing rules in force", current),
             readers([&store, &engine](const HttpRequest&, const UserRecord&) {
               return Current(store, engine);
             }));
  router.Add(Spec("GET", "/api/v1/rules/versions", "Every version of the rules, newest first",
                  s::PageOf(VersionSchema())),
             readers([&store](const HttpRequest& r, const UserRecord&) {
               auto limit = IntParam(ParseQuery(r.query()), "limit", 50, 1, 500);
               if (!limit.ok()) return ErrorResponse(limit.status());
               auto versions = store.ListRuleVersions(static_cast<size_t>(*limit));
               if (!versions.ok()) return ErrorResponse(versions.status());
               json items = json::array();
               for (const RuleVersion& v : *versions) items.push_back(VersionJson(v));
               return Json(200, {{"items", std::move(items)}});
             }));
  RouteSpec dry = Spec("POST", "/api/v1/rules/dry-run",
                       "What new rules would change: leads whose score, qualification or team "
                       "differs; nothing is saved",
                       s::AnyObject("{valid, leads, examined, changed, changes: […]}"));
  dry.request_body = s::Object({{"toml", s::String()}}, {"toml"});
  dry.errors = {400, 403, 422, 429};
  router.Add(std::move(dry),
             readers([&store, &engine, &clock](const HttpRequest& r, const UserRecord&) {
               auto body = ParseBody(r);
               if (!body.ok()) return ErrorResponse(body.status());
               return DryRun(store, engine, clock, *body);
             }));
  RouteSpec save =
      Spec("PUT", "/api/v1/rules", "Save new rules (admins): in force at once", VersionSchema());
  save.request_body =
      s::Object({{"toml", s::String()}, {"note", s::String()}, {"base_version", s::Integer()}},
                {"toml", "base_version"});
  save.errors = {400, 403, 409, 422};
  router.Add(
      std::move(save),
      Authed(store, clock, [&store, &clock, saved](const HttpRequest& r, const UserRecord& u) {
        return Save(store, clock, saved, r, u);
      }));
}

}  // namespace tandem::http
