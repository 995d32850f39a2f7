// Saved lead filters and broadcasts (see email_routes.h).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "auth/permissions.h"
#include "core/text.h"
#include "http/api_common.h"
#include "http/api_schemas.h"
#include "http/email_json.h"
#include "http/email_routes.h"
#include "http/query_params.h"
#include "leads/lead_filter.h"

namespace tandem::http {
namespace {

using nlohmann::json;
namespace s = schema;

json FilterSchema() {
  return s::Object(
      {{"id", s::String("flt_<n>")},
       {"name", s::String()},
       {"query", s::String("the lead list's filter parameters: stage=mql,sal&team=emea")}});
}

json BroadcastSchema() {
  return s::Object(
      {{"id", s::String("bc_<n>")},
       {"name", s::String()},
       {"template", s::String()},
       {"template_version", s::Integer()},
       {"filter_id", s::String("flt_<n>")},
       {"state", s::Enum({"draft", "scheduled", "sending", "paused", "cancelled", "done"})},
       {"progress", s::AnyObject("sends by status, refusals by reason")}});
}

RouteSpec Spec(std::string method, std::string path, std::string summary, json response,
               std::string tag) {
  RouteSpec spec{.method = std::move(method),
                 .path = std::move(path),
                 .summary = std::move(summary),
                 .tag = std::move(tag)};
  spec.response = std::move(response);
  if (spec.path.find("{filter_id}") != std::string::npos) {
    spec.path_params = {{"filter_id", "flt_<n>"}};
  }
  if (spec.path.find("{broadcast_id}") != std::string::npos) {
    spec.path_params = {{"broadcast_id", "bc_<n>"}};
  }
  return spec;
}

// Anyone but a viewer saves a filter; its author, managers, marketing and admins change
// it (a broadcast keeps the query it started with).
Status CheckMayChangeFilter(Store& store, const UserRecord& user, int64_t id) {
  if (user.role == Role::kViewer) {
    return PermissionDenied("forbidden", "role viewer may not save lead filters");
  }
  if (id == 0 || user.role != Role::kSalesRep) return OkStatus();
  TANDEM_ASSIGN_OR_RETURN(auto filter, store.GetFilter(id));
  if (!filter) return NotFound("not_found", fmt::format("lead filter flt_{} does not exist", id));
  if (filter->created_by == user.id) return OkStatus();
  return PermissionDenied("forbidden",
                          fmt::format("lead filter flt_{} is another user's; a sales rep changes "
                                      "only their own",
                                      id));
}

Response WithProgress(Store& store, const StatusOr<Broadcast>& b, unsigned status = 200) {
  if (!b.ok()) return ErrorResponse(b.status());
  auto counts = store.CountSends(b->id);
  if (!counts.ok()) return ErrorResponse(counts.status());
  return Json(status, BroadcastJson(*b, *counts));
}

}  // namespace

void EmailRoutes::RegisterFilters(Router& router) {
  auto authed = [this](auto body) { return Authed(store_, clock_, body); };
  router.Add(
      Spec("GET", "/api/v1/lead-filters", "Saved lead filters", s::PageOf(FilterSchema()), "email"),
      authed([this](const HttpRequest&, const UserRecord&) {
        auto all = store_.ListFilters();
        if (!all.ok()) return ErrorResponse(all.status());
        json out = {{"items", json::array()}, {"next_cursor", nullptr}};
        for (const SavedFilter& f : *all) out["items"].push_back(FilterJson(f));
        return Json(200, out);
      }));
  RouteSpec create =
      Spec("POST", "/api/v1/lead-filters", "Save a lead filter", FilterSchema(), "email");
  create.request_body = FilterSchema();
  create.status = 201;
  create.errors = {400, 409, 422};
  router.Add(std::move(create), authed([this](const HttpRequest& r, const UserRecord& u) {
               return PutFilter(r, u, 0);
             }));
  RouteSpec put = Spec("PUT", "/api/v1/lead-filters/{filter_id}", "Change a saved lead filter",
                       FilterSchema(), "email");
  put.request_body = FilterSchema();
  put.errors = {400, 404, 409, 422};
  router.Add(std::move(put), authed([this](const HttpRequest& r, const UserRecord& u) {
               auto id = PathId(r, "filter_id", "flt_", "lead filter");
               if (!id.ok()) return ErrorResponse(id.status());
               return PutFilter(r, u, *id);
             }));
  RouteSpec del = Spec("DELETE", "/api/v1/lead-filters/{filter_id}", "Remove a saved lead filter",
                       s::Object({{"deleted", s::String()}}), "email");
  del.errors = {404};
  router.Add(std::move(del), authed([this](const HttpRequest& r, const UserRecord& u) {
               auto id = PathId(r, "filter_id", "flt_", "lead filter");
               if (!id.ok()) return ErrorResponse(id.status());
               if (Status may = CheckMayChangeFilter(store_, u, *id); !may.ok()) {
                 return ErrorResponse(may);
               }
               auto deleted = store_.DeleteFilter(*id);
               if (!deleted.ok()) return ErrorResponse(deleted.status());
               if (!*deleted) return ErrorResponse(404, "not_found", "no such lead filter");
               return Json(200, {{"deleted", fmt::format("flt_{}", *id)}});
             }));
}

Response EmailRoutes::PutFilter(const HttpRequest& request, const UserRecord& user, int64_t id) {
  if (Status may = CheckMayChangeFilter(store_, user, id); !may.ok()) return ErrorResponse(may);
  auto body = ParseBody(request);
  if (!body.ok()) return ErrorResponse(body.status());
  auto name = StringField(*body, "name");
  auto query = StringField(*body, "query");
  if (!name.ok()) return ErrorResponse(name.status());
  if (!query.ok()) return ErrorResponse(query.status());
  if (TrimSpace(*name).empty() || name->size() > 200) {
    return ErrorResponse(422, "invalid_field", "name must be 1 to 200 characters");
  }
  std::string text = *query;
  if (text.starts_with('?')) text.erase(0, 1);
  if (auto parsed = ParseSavedLeadFilter(text, user.id); !parsed.ok()) {
    return ErrorResponse(422, "invalid_field", "query: " + parsed.status().message());
  }
  SavedFilter f;
  f.id = id;
  f.name = std::string(TrimSpace(*name));
  f.query = text;
  f.created_by = user.id;
  f.created_at = f.updated_at = clock_.Now();
  auto saved = store_.PutFilter(f);
  if (!saved.ok()) return ErrorResponse(saved.status());
  return Json(id == 0 ? 201 : 200, FilterJson(*saved));
}

void EmailRoutes::RegisterBroadcasts(Router& router) {
  auto authed = [this](auto body) { return Authed(store_, clock_, body); };
  router.Add(Spec("GET", "/api/v1/broadcasts", "Broadcasts, newest first, with their progress",
                  s::PageOf(BroadcastSchema()), "broadcasts"),
             authed([this](const HttpRequest&, const UserRecord&) {
               auto all = store_.ListBroadcasts();
               if (!all.ok()) return ErrorResponse(all.status());
               json out = {{"items", json::array()}, {"next_cursor", nullptr}};
               for (const Broadcast& b : *all) {
                 auto counts = store_.CountSends(b.id);
                 if (!counts.ok()) return ErrorResponse(counts.status());
                 out["items"].push_back(BroadcastJson(b, *counts));
               }
               return Json(200, out);
             }));
  RouteSpec create = Spec("POST", "/api/v1/broadcasts",
                          "Draft a broadcast: a marketing template to a saved lead filter",
                          BroadcastSchema(), "broadcasts");
  create.request_body = s::Object({{"name", s::String()},
                                   {"template", s::String()},
                                   {"version", s::Integer("the latest when absent")},
                                   {"filter_id", s::String("flt_<n>")}},
                                  {"name", "template", "filter_id"});
  create.status = 201;
  create.errors = {400, 403, 422};
  router.Add(std::move(create), authed([this](const HttpRequest& r, const UserRecord& u) {
               return CreateBroadcast(r, u);
             }));
  RouteSpec get = Spec("GET", "/api/v1/broadcasts/{broadcast_id}", "A broadcast and its progress",
                       BroadcastSchema(), "broadcasts");
  get.errors = {404};
  router.Add(std::move(get), authed([this](const HttpRequest& r, const UserRecord&) {
               auto id = PathId(r, "broadcast_id", "bc_", "broadcast");
               if (!id.ok()) return ErrorResponse(id.status());
               return WithProgress(store_, GetBroadcastOr404(store_, *id));
             }));
  RouteSpec sends = Spec("GET", "/api/v1/broadcasts/{broadcast_id}/sends",
                         "The broadcast's recipients so far, by status (status=refused lists the "
                         "refused with their reasons)",
                         s::PageOf(s::AnyObject()), "broadcasts");
  sends.query = {
      {"status", "one send status"}, {"limit", "1 to 500"}, {"cursor", "from the last page"}};
  sends.errors = {400, 404};
  router.Add(std::move(sends), authed([this](const HttpRequest& r, const UserRecord&) {
               auto id = PathId(r, "broadcast_id", "bc_", "broadcast");
               if (!id.ok()) return ErrorResponse(id.status());
               return ListBroadcastSends(r, *id);
             }));
}

Response EmailRoutes::CreateBroadcast(const HttpRequest& request, const UserRecord& user) {
  if (Status s = Require(user, Permission::kSendBroadcasts, "send broadcasts"); !s.ok()) {
    return ErrorResponse(s);
  }
  auto body = ParseBody(request);
  if (!body.ok()) return ErrorResponse(body.status());
  Broadcast draft;
  auto name = StringField(*body, "name");
  auto key = StringField(*body, "template");
  auto filter = StringField(*body, "filter_id");
  for (const auto* field : {&name, &key, &filter}) {
    if (!field->ok()) return ErrorResponse(field->status());
  }
  draft.name = *name;
  draft.template_key = *key;
  if (auto v = body->find("version"); v != body->end() && !v->is_null()) {
    if (!v->is_number_integer() || v->get<int64_t>() < 1) {
      return ErrorResponse(422, "invalid_field", "version must be a positive integer");
    }
    draft.template_version = v->get<int64_t>();
  }
  auto filter_id = ParsePrefixedId(*filter, "flt_");
  if (!filter_id) return ErrorResponse(422, "invalid_field", "filter_id must be flt_<n>");
  draft.filter_id = *filter_id;
  draft.created_by = user.id;
  return WithProgress(store_, DraftBroadcast(service_, draft, clock_.Now()), 201);
}

Response EmailRoutes::ListBroadcastSends(const HttpRequest& request, int64_t broadcast_id) {
  SendQuery query;
  query.broadcast_id = broadcast_id;
  const auto params = ParseQuery(request.query());
  if (auto it = params.find("status"); it != params.end()) {
    query.status = ParseSendStatus(it->second);
    if (!query.status) {
      return ErrorResponse(400, "invalid_parameter",
                           fmt::format("status \"{}\" is not a send status", it->second));
    }
  }
  return SendsPage(store_, request, query);
}

}  // namespace tandem::http
