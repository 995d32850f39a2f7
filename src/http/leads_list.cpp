#include "http/leads_list.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "brief/brief.h"
#include "brief/brief_input.h"
#include "core/text.h"
#include "core/time_format.h"
#include "http/list_cursor.h"
#include "http/query_params.h"
#include "leads/lead_json.h"

namespace tandem::http {
namespace {

using nlohmann::json;
using Params = std::map<std::string, std::string, std::less<>>;

Status Invalid(std::string message) {
  return InvalidArgument("invalid_parameter", std::move(message));
}

std::string Param(const Params& params, const char* name) {
  auto it = params.find(name);
  return it == params.end() ? "" : it->second;
}

Status CheckKnown(const Params& params) {
  static const std::vector<std::string> kKnown = {
      "owner", "stage", "priority", "team",  "min_score", "updated_since", "source",
      "q",     "sla",   "sort",     "limit", "cursor",    "queued",        "include"};
  for (const auto& [name, value] : params) {
    if (std::find(kKnown.begin(), kKnown.end(), name) == kKnown.end()) {
      return Invalid(
          fmt::format("unknown query parameter \"{}\" (known: {})", name, fmt::join(kKnown, ", ")));
    }
  }
  // A NUL or line break in q (or any filter) would match nothing sensible, and cut at
  // the NUL it would match every lead: refused, naming the parameter.
  return CheckNoControlCharacters(params);
}

// owner, stage, priority, team, queued, source, q, sla.
Status ParseFilters(const Params& params, const UserRecord& user, LeadQuery& q) {
  if (std::string owner = Param(params, "owner"); !owner.empty()) {
    if (owner == "me") {
      q.owner_id = user.id;
    } else if (owner == "none") {
      q.unassigned = true;
    } else if (auto id = ParseUserId(owner)) {
      q.owner_id = *id;
    } else {
      return Invalid(fmt::format("owner \"{}\" must be me, none or a user id (usr_12)", owner));
    }
  }
  // stage=mql or stage=mql,sal,sql: any of them.
  const std::string stages = Param(params, "stage");
  for (std::string_view rest = stages; !rest.empty();) {
    std::string stage(rest.substr(0, rest.find(',')));
    rest = rest.find(',') == std::string_view::npos ? "" : rest.substr(rest.find(',') + 1);
    auto parsed = ParseStage(stage);
    if (!parsed) return Invalid(fmt::format("stage \"{}\" is not a lifecycle stage", stage));
    q.stages.push_back(*parsed);
  }
  if (std::string priority = Param(params, "priority"); !priority.empty()) {
    if (priority != "hot" && priority != "mql") return Invalid("priority must be hot or mql");
    q.priority = priority;
  }
  q.team = Param(params, "team");
  q.queued = Param(params, "queued") == "true";
  q.source = Param(params, "source");
  q.search = std::string(TrimSpace(Param(params, "q")));
  if (std::string sla = Param(params, "sla"); !sla.empty()) {
    if (sla != "overdue") return Invalid(fmt::format("sla \"{}\" must be overdue", sla));
    q.sla_overdue = true;
  }
  return OkStatus();
}

// min_score, updated_since.
Status ParseBounds(const Params& params, LeadQuery& q) {
  if (std::string min = Param(params, "min_score"); !min.empty()) {
    double value = 0;
    auto [end, ec] = std::from_chars(min.data(), min.data() + min.size(), value);
    if (ec != std::errc() || end != min.data() + min.size()) {
      return Invalid(fmt::format("min_score \"{}\" is not a number", min));
    }
    q.min_score = value;
  }
  if (std::string since = Param(params, "updated_since"); !since.empty()) {
    auto t = ParseIsoTime(since);
    if (!t) return Invalid(fmt::format("updated_since \"{}\" is not an RFC 3339 time", since));
    q.updated_since = *t;
  }
  return OkStatus();
}

// sort, limit, cursor.
Status ParsePage(const Params& params, LeadListRequest& list) {
  LeadQuery& q = list.query;
  list.sort = Param(params, "sort").empty() ? "created" : Param(params, "sort");
  if (list.sort == "score") {
    q.sort = LeadQuery::Sort::kScore;
  } else if (list.sort == "created") {
    q.sort = LeadQuery::Sort::kCreated;
  } else if (list.sort == "sla") {
    q.sort = LeadQuery::Sort::kSla;
  } else if (list.sort == "updated") {
    q.sort = LeadQuery::Sort::kUpdated;
  } else {
    return Invalid(fmt::format("sort \"{}\" must be score, created, sla or updated", list.sort));
  }
  if (std::string limit = Param(params, "limit"); !limit.empty()) {
    int value = 0;
    auto [end, ec] = std::from_chars(limit.data(), limit.data() + limit.size(), value);
    if (ec != std::errc() || end != limit.data() + limit.size() || value < 1 || value > 500) {
      return Invalid(fmt::format("limit \"{}\" must be a number from 1 to 500", limit));
    }
    q.limit = static_cast<size_t>(value);
  }
  if (std::string cursor = Param(params, "cursor"); !cursor.empty()) {
    TANDEM_ASSIGN_OR_RETURN(auto decoded, DecodeLeadCursor(list.sort, cursor));
    q.after = decoded.first;
    q.score_at = decoded.second;  // the whole listing compares scores at one moment
  }
  return OkStatus();
}

}  // namespace

StatusOr<LeadListRequest> ParseLeadList(const HttpRequest& request, const UserRecord& user,
                                        const LeadEngine& engine, TimePoint now) {
  const Params params = ParseQuery(request.query());
  LeadListRequest list;
  list.query.score_at = now;
  list.query.half_life_days = engine.scoring().half_life_days;
  TANDEM_RETURN_IF_ERROR(CheckKnown(params));
  TANDEM_RETURN_IF_ERROR(ParseFilters(params, user, list.query));
  const std::string include = Param(params, "include");
  if (!include.empty() && include != "why_now") {
    return Invalid(fmt::format("include \"{}\" must be why_now", include));
  }
  list.why_now = !include.empty();
  TANDEM_RETURN_IF_ERROR(ParseBounds(params, list.query));
  TANDEM_RETURN_IF_ERROR(ParsePage(params, list));
  return list;
}

StatusOr<std::vector<json>> WhyNowForPage(Store& store, const LeadEngine& engine,
                                          std::span<const LeadRecord> leads, TimePoint now) {
  std::vector<int64_t> ids;
  for (const LeadRecord& lead : leads) ids.push_back(lead.id);
  TANDEM_ASSIGN_OR_RETURN(auto activity, store.ListWhyNowActivity(ids, kWhyNowEventsRead));
  // Why-now reads the lead, its events and trigger log, the catalog and the hand-raise
  // names: one input, refilled per lead.
  BriefInput in;
  in.now = now;
  in.hand_raise_events = engine.scoring().hand_raise_events;
  in.hand_raise_forms = engine.scoring().hand_raise_forms;
  TANDEM_ASSIGN_OR_RETURN(in.catalog, store.LoadCatalog());
  std::vector<json> out;
  out.reserve(leads.size());
  for (const LeadRecord& lead : leads) {
    WhyNowActivity& read = activity[lead.id];
    if (read.more) {
      TANDEM_ASSIGN_OR_RETURN(BriefInput full, BriefInputFor(engine, store, lead, now));
      out.push_back(BuildWhyNow(full));
      continue;
    }
    in.lead = lead;
    in.events = std::move(read.events);
    in.log = std::move(read.log);
    out.push_back(BuildWhyNow(in));
  }
  return out;
}

std::string NextLeadCursor(const LeadListRequest& list, const std::vector<LeadRecord>& leads) {
  const LeadQuery& q = list.query;
  if (leads.size() != q.limit) return "null";
  const LeadRecord& last = leads.back();
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
  return json(EncodeLeadCursor(list.sort, after, q.score_at)).dump();
}

}  // namespace tandem::http
