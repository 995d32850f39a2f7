#include "http/api_routes.h"

#include <fmt/format.h>
#include <boost/beast/http/field.hpp>

#include <algorithm>
#include <charconv>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

#include "auth/permissions.h"
#include "auth/tokens.h"
#include "brief/brief.h"
#include "core/text.h"
#include "core/time_format.h"
#include "http/api_common.h"
#include "http/list_cursor.h"
#include "http/query_params.h"
#include "leads/lead_json.h"

namespace tandem::http {
namespace {

using nlohmann::json;

}  // namespace

void ApiRoutes::Register(Router& router) {
  // Wraps a handler with authentication and error rendering.
  auto authed = [this](auto body) { return Authed(store_, clock_, body); };
  // /api/v1/leads/{id}[/{action}]
  auto lead_route = [this](std::string_view method) {
    return [this, method](const HttpRequest& request, const UserRecord& user) -> Response {
      std::string_view rest = request.path().substr(std::string_view("/api/v1/leads/").size());
      std::string_view id_text = rest.substr(0, rest.find('/'));
      std::string_view action =
          rest.find('/') == std::string_view::npos ? "" : rest.substr(rest.find('/') + 1);
      auto lead_id = FindLeadId(id_text);
      if (!lead_id.ok()) return ErrorResponse(lead_id.status());
      if (method == "GET" && action.empty()) return GetLead(*lead_id);
      if (method == "GET" && action == "timeline") return Timeline(request, *lead_id);
      if (method == "GET" && action == "score") return Score(*lead_id);
      if (method == "PATCH" && action.empty()) return PatchLead(request, user, *lead_id);
      if (method == "POST" && action == "outcome") return RecordOutcome(request, user, *lead_id);
      if (auto response = contact_.HandleLead(method, action, request, user, *lead_id)) {
        return std::move(*response);
      }
      if (auto response = brief_.HandleLead(method, action, request, *lead_id)) {
        return std::move(*response);
      }
      return ErrorResponse(404, "not_found",
                           fmt::format("no {} {} in the API", method, request.path()));
    };
  };
  router.Add("GET", "/api/v1/leads",
             authed([this](const HttpRequest& r, const UserRecord& u) { return ListLeads(r, u); }));
  router.Add("GET", "/api/v1/leads/*", authed(lead_route("GET")));
  router.Add("PATCH", "/api/v1/leads/*", authed(lead_route("PATCH")));
  router.Add("POST", "/api/v1/leads/*", authed(lead_route("POST")));
  router.Add("PUT", "/api/v1/leads/*", authed(lead_route("PUT")));
  router.Add("GET", "/api/v1/teams",
             authed([this](const HttpRequest&, const UserRecord&) { return ListTeams(); }));
}

StatusOr<int64_t> ApiRoutes::FindLeadId(std::string_view text) {
  auto id = ParseLeadId(text);
  if (!id) {
    return NotFound("not_found",
                    fmt::format("lead \"{}\" does not exist (lead ids look like ld_123)", text));
  }
  TANDEM_ASSIGN_OR_RETURN(auto resolved, store_.ResolveLeadId(*id));
  if (!resolved)
    return NotFound("not_found", fmt::format("lead {} does not exist", LeadIdText(*id)));
  return *resolved;
}

Response ApiRoutes::ListLeads(const HttpRequest& request, const UserRecord& user) {
  auto params = ParseQuery(request.query());
  const TimePoint now = clock_.Now();
  LeadQuery q;
  q.score_at = now;
  q.half_life_days = engine_.scoring().half_life_days;
  static const std::vector<std::string> kKnown = {
      "owner", "stage", "priority", "team",  "min_score", "updated_since", "source",
      "q",     "sla",   "sort",     "limit", "cursor",    "queued",        "include"};
  for (const auto& [name, value] : params) {
    if (std::find(kKnown.begin(), kKnown.end(), name) == kKnown.end()) {
      return ErrorResponse(
          400, "invalid_parameter",
          fmt::format("unknown query parameter \"{}\" (known: {})", name, fmt::join(kKnown, ", ")));
    }
  }
  // A NUL or line break in q (or any filter) would match nothing sensible, and cut at
  // the NUL it would match every lead: refused, naming the parameter.
  if (Status clean = CheckNoControlCharacters(params); !clean.ok()) return ErrorResponse(clean);
  auto param = [&](const char* name) -> std::string {
    auto it = params.find(name);
    return it == params.end() ? "" : it->second;
  };
  auto invalid = [](std::string message) {
    return ErrorResponse(400, "invalid_parameter", message);
  };
  if (std::string owner = param("owner"); !owner.empty()) {
    if (owner == "me") {
      q.owner_id = user.id;
    } else if (owner == "none") {
      q.unassigned = true;
    } else if (auto id = ParseUserId(owner)) {
      q.owner_id = *id;
    } else {
      return invalid(fmt::format("owner \"{}\" must be me, none or a user id (usr_12)", owner));
    }
  }
  // stage=mql or stage=mql,sal,sql: any of them.
  const std::string stages = param("stage");
  for (std::string_view rest = stages; !rest.empty();) {
    std::string stage(rest.substr(0, rest.find(',')));
    rest = rest.find(',') == std::string_view::npos ? "" : rest.substr(rest.find(',') + 1);
    if (!ParseStage(stage))
      return invalid(fmt::format("stage \"{}\" is not a lifecycle stage", stage));
    q.stages.push_back(std::move(stage));
  }
  if (std::string priority = param("priority"); !priority.empty()) {
    if (priority != "hot" && priority != "mql") return invalid("priority must be hot or mql");
    q.priority = priority;
  }
  q.team = param("team");
  q.queued = param("queued") == "true";
  q.source = param("source");
  q.search = std::string(TrimSpace(param("q")));
  if (std::string sla = param("sla"); !sla.empty()) {
    if (sla != "overdue") return invalid(fmt::format("sla \"{}\" must be overdue", sla));
    q.sla_overdue = true;
  }
  const std::string include = param("include");
  if (!include.empty() && include != "why_now") {
    return invalid(fmt::format("include \"{}\" must be why_now", include));
  }
  if (std::string min = param("min_score"); !min.empty()) {
    double value = 0;
    auto [end, ec] = std::from_chars(min.data(), min.data() + min.size(), value);
    if (ec != std::errc() || end != min.data() + min.size()) {
      return invalid(fmt::format("min_score \"{}\" is not a number", min));
    }
    q.min_score = value;
  }
  if (std::string since = param("updated_since"); !since.empty()) {
    auto t = ParseIsoTime(since);
    if (!t) return invalid(fmt::format("updated_since \"{}\" is not an RFC 3339 time", since));
    q.updated_since = *t;
  }
  std::string sort = param("sort").empty() ? "created" : param("sort");
  if (sort == "score") {
    q.sort = LeadQuery::Sort::kScore;
  } else if (sort == "created") {
    q.sort = LeadQuery::Sort::kCreated;
  } else if (sort == "sla") {
    q.sort = LeadQuery::Sort::kSla;
  } else if (sort == "updated") {
    q.sort = LeadQuery::Sort::kUpdated;
  } else {
    return invalid(fmt::format("sort \"{}\" must be score, created, sla or updated", sort));
  }
  if (std::string limit = param("limit"); !limit.empty()) {
    int value = 0;
    auto [end, ec] = std::from_chars(limit.data(), limit.data() + limit.size(), value);
    if (ec != std::errc() || end != limit.data() + limit.size() || value < 1 || value > 500) {
      return invalid(fmt::format("limit \"{}\" must be a number from 1 to 500", limit));
    }
    q.limit = static_cast<size_t>(value);
  }
  if (std::string cursor = param("cursor"); !cursor.empty()) {
    auto decoded = DecodeLeadCursor(sort, cursor);
    if (!decoded.ok()) return ErrorResponse(decoded.status());
    q.after = decoded->first;
    q.score_at = decoded->second;  // the whole listing compares scores at one moment
  }
  auto leads = store_.ListLeads(q);
  if (!leads.ok()) return ErrorResponse(leads.status());
  OwnerCache owners;  // a page has few owners; look each up once
  std::string body = "{\"items\":[";
  for (size_t i = 0; i < leads->size(); ++i) {
    auto rendered = RenderLead(store_, engine_, (*leads)[i], now, &owners);
    if (!rendered.ok()) return ErrorResponse(rendered.status());
    if (i > 0) body += ',';
    body += *rendered;
    if (!include.empty()) {
      // The brief's why-now line, as one more member of the lead's object.
      auto input = engine_.BriefInputFor(store_, (*leads)[i], now);
      if (!input.ok()) return ErrorResponse(input.status());
      body.pop_back();
      body += ",\"why_now\":";
      body += BuildWhyNow(*input).dump();
      body += '}';
    }
  }
  body += "],\"next_cursor\":";
  if (leads->size() == q.limit) {
    const LeadRecord& last = leads->back();
    LeadQuery::After after;
    after.id = last.id;
    switch (q.sort) {
      case LeadQuery::Sort::kScore:
        after.key = last.fit + EngagementFromRef(last.engagement_ref, q.score_at, q.half_life_days);
        break;
      case LeadQuery::Sort::kCreated:
        after.key = static_cast<double>(ToUnixMillis(last.created_at));
        break;
      case LeadQuery::Sort::kUpdated:
        after.key = static_cast<double>(ToUnixMillis(last.updated_at));
        break;
      case LeadQuery::Sort::kSla:
        after.is_null = !last.sla_due_at;
        after.key = last.sla_due_at ? static_cast<double>(ToUnixMillis(*last.sla_due_at)) : 0;
        break;
    }
    body += json(EncodeLeadCursor(sort, after, q.score_at)).dump();
  } else {
    body += "null";
  }
  body += "}";
  return JsonResponse(200, std::move(body));
}

Response ApiRoutes::GetLead(int64_t lead_id) {
  auto lead = store_.GetLead(lead_id);
  if (!lead.ok()) return ErrorResponse(lead.status());
  if (!*lead)
    return ErrorResponse(404, "not_found",
                         fmt::format("lead {} does not exist", LeadIdText(lead_id)));
  auto body = RenderLead(store_, engine_, **lead, clock_.Now());
  if (!body.ok()) return ErrorResponse(body.status());
  return JsonResponse(200, std::move(*body));
}

Response ApiRoutes::PatchLead(const HttpRequest& request, const UserRecord& user, int64_t lead_id) {
  auto body = ParseBody(request);
  if (!body.ok()) return ErrorResponse(body.status());
  static const std::vector<std::string> kWritable = {"stage",    "reason", "revisit_on", "priority",
                                                     "owner_id", "name",   "title",      "phone",
                                                     "company",  "traits"};
  static const std::vector<std::string> kReadOnly = {
      "id",          "email",      "score",        "created_at", "updated_at",
      "first_touch", "last_touch", "sla",          "visits",     "mql_at",
      "team",        "queued",     "stage_reason", "owner",      "last_activity_at",
      "contacted_at"};
  for (const auto& [key, value] : body->items()) {
    if (std::find(kReadOnly.begin(), kReadOnly.end(), key) != kReadOnly.end()) {
      std::string hint = key == "owner"   ? " (set owner_id with a reason to reassign)"
                         : key == "score" ? " (computed by the scoring rules)"
                                          : "";
      return ErrorResponse(422, "read_only_field",
                           fmt::format("field \"{}\" is read-only{}", key, hint));
    }
    if (std::find(kWritable.begin(), kWritable.end(), key) == kWritable.end()) {
      return ErrorResponse(422, "unknown_field",
                           fmt::format("field \"{}\" is not a lead field (writable: {})", key,
                                       fmt::join(kWritable, ", ")));
    }
  }
  json traits = body->contains("traits") ? (*body)["traits"] : json::object();
  if (!traits.is_object()) return ErrorResponse(422, "invalid_field", "traits must be an object");
  for (const char* key : {"name", "title", "phone", "company"}) {
    if (body->contains(key)) traits[key] = (*body)[key];
  }
  std::optional<std::string> priority;
  if (body->contains("priority")) {
    const json& p = (*body)["priority"];
    if (!(p.is_null() || (p.is_string() && (p == "hot" || p == "mql")))) {
      return ErrorResponse(422, "invalid_field", "priority must be \"hot\", \"mql\" or null");
    }
    priority = p.is_null() ? "" : p.get<std::string>();
  }
  auto reason = StringField(*body, "reason");
  auto revisit = TimeField(*body, "revisit_on");
  auto stage_text = StringField(*body, "stage");
  for (const Status* s : {&reason.status(), &revisit.status(), &stage_text.status()}) {
    if (!s->ok()) return ErrorResponse(*s);
  }
  std::optional<Stage> stage;
  if (!stage_text->empty()) {
    stage = ParseStage(*stage_text);
    if (!stage)
      return ErrorResponse(422, "invalid_field",
                           fmt::format("stage \"{}\" is not a lifecycle stage", *stage_text));
  }
  std::optional<int64_t> owner;
  if (body->contains("owner_id")) {
    const json& o = (*body)["owner_id"];
    if (o.is_string()) owner = ParseUserId(o.get<std::string>());
    if (!owner)
      return ErrorResponse(422, "invalid_field", "owner_id must be a user id such as \"usr_3\"");
  }
  const TimePoint now = clock_.Now();
  const Actor actor{user};
  auto result = InLeadTxn(store_, [&](LeadTxn& txn) -> StatusOr<LeadRecord> {
    StatusOr<LeadRecord> lead = Status(StatusCode::kInternal, "internal", "no change");
    if (!traits.empty() || priority || (!stage && !owner)) {
      lead = engine_.EditLead(txn, lead_id, actor, traits, priority, now);
      if (!lead.ok()) return lead;
    }
    if (stage) {
      lead = engine_.ChangeStage(txn, lead_id, actor, *stage, *reason, *revisit, now);
      if (!lead.ok()) return lead;
    }
    if (owner) lead = engine_.Reassign(txn, lead_id, actor, *owner, *reason, now);
    return lead;
  });
  if (!result.ok()) return ErrorResponse(result.status());
  auto rendered = RenderLead(store_, engine_, *result, now);
  if (!rendered.ok()) return ErrorResponse(rendered.status());
  return JsonResponse(200, std::move(*rendered));
}

Response ApiRoutes::Timeline(const HttpRequest& request, int64_t lead_id) {
  auto params = ParseQuery(request.query());
  // The same bounds as the lists: 1 to 500 entries a page (default 200); the cursor is
  // the position where the next page starts.
  auto limit_param = IntParam(params, "limit", 200, 1, 500);
  if (!limit_param.ok()) return ErrorResponse(limit_param.status());
  auto cursor_param = IntParam(params, "cursor", 0, 0, std::numeric_limits<int32_t>::max());
  if (!cursor_param.ok()) return ErrorResponse(cursor_param.status());
  const size_t limit = static_cast<size_t>(*limit_param);
  const size_t offset = static_cast<size_t>(*cursor_param);
  auto events = store_.PersonEvents(lead_id, 100000);
  auto log = store_.ListLeadLog(lead_id);
  auto items = store_.ListScoreItems(lead_id);
  if (!events.ok()) return ErrorResponse(events.status());
  if (!log.ok()) return ErrorResponse(log.status());
  if (!items.ok()) return ErrorResponse(items.status());
  std::map<int64_t, double> points;  // engagement points each event earned
  for (const ScoreItem& item : *items) {
    if (item.event_id) points[*item.event_id] += item.points;
  }
  struct Entry {
    TimePoint at;
    int order;
    int64_t id;
    json body;
  };
  std::vector<Entry> entries;
  for (const StoredEvent& e : *events) {
    json message = json::parse(e.record.payload, nullptr, false);
    json body = {{"at", FormatIsoTime(e.record.timestamp)},
                 {"kind", "event"},
                 {"event_id", e.id},
                 {"type", e.record.type},
                 {"name", e.record.event.empty() ? json() : json(e.record.event)}};
    if (message.is_object()) {
      if (auto path = FieldText(message, "context.page.path"); !path.empty()) body["path"] = path;
      if (message.contains("properties")) body["properties"] = message["properties"];
      if (message.contains("traits")) body["traits"] = message["traits"];
    }
    if (auto it = points.find(e.id); it != points.end()) body["points"] = RoundPoints(it->second);
    entries.push_back({e.record.timestamp, 0, e.id, std::move(body)});
  }
  for (const LeadLogEntry& l : *log) {
    json body = json::parse(l.data, nullptr, false);
    if (!body.is_object()) body = json::object();
    body["at"] = FormatIsoTime(l.at);
    body["kind"] = l.kind;
    body["actor"] = l.actor;
    entries.push_back({l.at, 1, l.id, std::move(body)});
  }
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    if (a.at != b.at) return a.at < b.at;
    if (a.order != b.order) return a.order < b.order;
    return a.id < b.id;
  });
  json out = {{"items", json::array()}, {"next_cursor", nullptr}};
  for (size_t i = offset; i < entries.size() && i < offset + limit; ++i) {
    out["items"].push_back(std::move(entries[i].body));
  }
  if (offset + limit < entries.size()) out["next_cursor"] = std::to_string(offset + limit);
  return Json(200, out);
}

Response ApiRoutes::Score(int64_t lead_id) {
  auto items = store_.ListScoreItems(lead_id);
  if (!items.ok()) return ErrorResponse(items.status());
  auto score = engine_.ExplainScore(std::move(*items), clock_.Now());
  if (!score.ok()) return ErrorResponse(score.status());
  json out = ExplanationToJson(*score);
  out["lead_id"] = LeadIdText(lead_id);
  out["at"] = FormatIsoTime(clock_.Now());
  return Json(200, out);
}

Response ApiRoutes::RecordOutcome(const HttpRequest& request, const UserRecord& user,
                                  int64_t lead_id) {
  auto body = ParseBody(request);
  if (!body.ok()) return ErrorResponse(body.status());
  Outcome outcome;
  auto disposition = StringField(*body, "disposition");
  auto reason = StringField(*body, "reason");
  auto revisit = TimeField(*body, "revisit_on");
  for (const Status* s : {&disposition.status(), &reason.status(), &revisit.status()}) {
    if (!s->ok()) return ErrorResponse(*s);
  }
  if (disposition->empty())
    return ErrorResponse(422, "disposition_required", "disposition is required");
  outcome.disposition = *disposition;
  outcome.reason = *reason;
  outcome.revisit_on = *revisit;
  if (auto it = body->find("amount"); it != body->end() && !it->is_null()) {
    if (!it->is_number()) return ErrorResponse(422, "invalid_field", "amount must be a number");
    outcome.amount = it->get<double>();
  }
  const TimePoint now = clock_.Now();
  auto result = InLeadTxn(store_, [&](LeadTxn& txn) {
    return engine_.RecordOutcome(txn, lead_id, Actor{user}, outcome, now);
  });
  if (!result.ok()) return ErrorResponse(result.status());
  auto rendered = RenderLead(store_, engine_, *result, now);
  if (!rendered.ok()) return ErrorResponse(rendered.status());
  return JsonResponse(200, std::move(*rendered));
}

Response ApiRoutes::ListTeams() {
  auto teams = store_.ListTeams();
  auto users = store_.ListUsers();
  if (!teams.ok()) return ErrorResponse(teams.status());
  if (!users.ok()) return ErrorResponse(users.status());
  json out = {{"items", json::array()}, {"next_cursor", nullptr}};
  for (const std::string& team : *teams) {
    json members = json::array();
    for (const UserRecord& u : *users) {
      if (u.team == team) members.push_back(UserIdText(u.id));
    }
    out["items"].push_back({{"name", team}, {"members", members}});
  }
  return Json(200, out);
}

}  // namespace tandem::http
