#include "http/leads_list.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "auth/permissions.h"
#include "brief/brief.h"
#include "brief/brief_input.h"
#include "core/text.h"
#include "core/time_format.h"
#include "http/list_cursor.h"
#include "http/query_params.h"
#include "leads/lead_csv.h"
#include "leads/lead_filter.h"
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
  static const std::vector<std::string> kKnown = [] {
    std::vector<std::string> known = LeadFilterParams();
    for (const char* name : {"sort", "limit", "cursor", "include", "format"}) {
      known.push_back(name);
    }
    return known;
  }();
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
  list.query.half_life_days = engine.scoring()->half_life_days;
  TANDEM_RETURN_IF_ERROR(CheckKnown(params));
  TANDEM_RETURN_IF_ERROR(ParseLeadFilter(params, user.id, list.query));
  const std::string include = Param(params, "include");
  if (!include.empty() && include != "why_now") {
    return Invalid(fmt::format("include \"{}\" must be why_now", include));
  }
  list.why_now = !include.empty();
  const std::string format = Param(params, "format");
  if (!format.empty() && format != "json" && format != "csv") {
    return Invalid(fmt::format("format \"{}\" must be json or csv", format));
  }
  list.csv = format == "csv";
  if (list.csv) {
    // The file holds every matching lead, in the order sort names.
    for (const char* name : {"limit", "cursor", "include"}) {
      if (params.contains(name)) {
        return Invalid(fmt::format(
            "{} does not apply to format=csv, which answers every matching lead", name));
      }
    }
  }
  TANDEM_RETURN_IF_ERROR(ParsePage(params, list));
  return list;
}

bool AsksForCsv(const HttpRequest& request) {
  return Param(ParseQuery(request.query()), "format") == "csv";
}

StatusOr<CsvDownload> PrepareLeadsCsv(Store& store, const LeadEngine& engine,
                                      const HttpRequest& request, const UserRecord& user,
                                      TimePoint now) {
  TANDEM_ASSIGN_OR_RETURN(LeadListRequest list, ParseLeadList(request, user, engine, now));
  LeadQuery& q = list.query;
  if (!RoleHas(user.role, Permission::kViewReports)) {
    if (user.role != Role::kSalesRep) {
      return Require(user, Permission::kViewReports, "export leads");
    }
    if (q.unassigned || q.queued || (q.owner_id && *q.owner_id != user.id)) {
      return PermissionDenied("forbidden",
                              "a sales rep exports the rep's own leads: owner=me or no owner "
                              "filter");
    }
    q.owner_id = user.id;
  }
  q.limit = kLeadsCsvPage;
  CsvDownload download;
  download.name = "leads";
  download.subject = "leads";
  download.detail =
      json{{"format", "csv"}, {"filter", FilterText(request.query(), {"format"})}}.dump();
  download.produce = [&store, q](BodySink& sink) -> Status {
    return WriteLeadsCsv(store, store, store, q,
                         [&sink](std::string chunk) { return sink.Write(std::move(chunk)); })
        .status();
  };
  return download;
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
  in.hand_raise_events = engine.scoring()->hand_raise_events;
  in.hand_raise_forms = engine.scoring()->hand_raise_forms;
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
  const LeadQuery::After after = PositionAfter(q, leads.back());
  return json(EncodeLeadCursor(list.sort, after, q.score_at)).dump();
}

}  // namespace tandem::http
