#include "http/notification_routes.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/ids.h"
#include "core/time_format.h"
#include "http/api_common.h"
#include "http/api_schemas.h"
#include "http/email_json.h"
#include "http/query_params.h"

namespace tandem::http {
namespace {

using nlohmann::json;
namespace s = schema;

json NotificationJson(const Notification& n) {
  return {{"id", fmt::format("ntf_{}", n.id)},
          {"kind", n.kind},
          {"lead_id", n.lead_id ? json(LeadIdText(*n.lead_id)) : json(nullptr)},
          {"title", n.title},
          {"body", n.body},
          {"created_at", FormatIsoTime(n.created_at)},
          {"read", n.read_at.has_value()}};
}

std::optional<int64_t> NotificationId(std::string_view text) {
  return ParsePrefixedId(text, "ntf_");
}

Response List(Store& store, const HttpRequest& r, const UserRecord& u) {
  const auto params = ParseQuery(r.query());
  auto limit = IntParam(params, "limit", 20, 1, 200);
  if (!limit.ok()) return ErrorResponse(limit.status());
  const auto unread = FindParam(params, "unread");
  if (unread && *unread != "true" && *unread != "false") {
    return ErrorResponse(400, "invalid_parameter", "unread must be true or false");
  }
  std::optional<int64_t> before;
  if (auto b = FindParam(params, "before")) {
    before = NotificationId(*b);
    if (!before) return ErrorResponse(400, "invalid_parameter", "before must be ntf_<n>");
  }
  auto items = store.ListNotifications(u.id, unread && *unread == "true", before,
                                       static_cast<size_t>(*limit));
  if (!items.ok()) return ErrorResponse(items.status());
  auto count = store.CountUnreadNotifications(u.id);
  if (!count.ok()) return ErrorResponse(count.status());
  json out = {{"items", json::array()}, {"unread", *count}, {"next_cursor", nullptr}};
  for (const Notification& n : *items) out["items"].push_back(NotificationJson(n));
  if (items->size() == static_cast<size_t>(*limit)) {
    out["next_cursor"] = fmt::format("ntf_{}", items->back().id);
  }
  return Json(200, out);
}

Response MarkRead(Store& store, const Clock& clock, const HttpRequest& r, const UserRecord& u) {
  auto body = ParseBody(r);
  if (!body.ok()) return ErrorResponse(body.status());
  std::vector<int64_t> ids;
  const bool all = body->is_object() && body->contains("all") && (*body)["all"] == true;
  if (!all) {
    if (!body->is_object() || !body->contains("ids") || !(*body)["ids"].is_array() ||
        (*body)["ids"].empty()) {
      return ErrorResponse(422, "invalid_field",
                           "give \"ids\" (a list of ntf_<n>) or \"all\": true");
    }
    for (const json& id : (*body)["ids"]) {
      auto n = id.is_string() ? NotificationId(id.get<std::string>()) : std::nullopt;
      if (!n) return ErrorResponse(422, "invalid_field", "each id must be ntf_<n>");
      ids.push_back(*n);
    }
  }
  auto marked = store.MarkNotificationsRead(u.id, ids, clock.Now());
  if (!marked.ok()) return ErrorResponse(marked.status());
  auto count = store.CountUnreadNotifications(u.id);
  if (!count.ok()) return ErrorResponse(count.status());
  return Json(200, {{"marked", *marked}, {"unread", *count}});
}

Response Settings(Store& store, const UserRecord& u) {
  auto choices = store.NotifyChoices(u.id);
  if (!choices.ok()) return ErrorResponse(choices.status());
  json kinds = json::array();
  for (const NotificationKind& kind : NotificationKinds()) {
    auto it = choices->find(kind.name);
    const NotifyChoice choice = it == choices->end() ? NotifyChoice{} : it->second;
    kinds.push_back({{"kind", kind.name},
                     {"description", kind.description},
                     {"app", choice.app},
                     {"email", choice.email}});
  }
  return Json(200, {{"kinds", std::move(kinds)}, {"notify_by", u.notify_by}});
}

Response SetSettings(Store& store, const HttpRequest& r, const UserRecord& u) {
  auto body = ParseBody(r);
  if (!body.ok()) return ErrorResponse(body.status());
  if (!body->is_object() || !body->contains("choices") || !(*body)["choices"].is_object()) {
    return ErrorResponse(422, "invalid_field", "choices must be an object of kinds");
  }
  auto current = store.NotifyChoices(u.id);
  if (!current.ok()) return ErrorResponse(current.status());
  for (const auto& [name, value] : (*body)["choices"].items()) {
    bool known = false;
    for (const NotificationKind& kind : NotificationKinds()) known = known || name == kind.name;
    if (!known) {
      return ErrorResponse(422, "invalid_field",
                           fmt::format("\"{}\" is not a kind of notification (kinds: new_lead, "
                                       "sla_reminder, sla_breach, reply, mention)",
                                       name));
    }
    NotifyChoice& choice = (*current)[name];
    if (!value.is_object())
      return ErrorResponse(422, "invalid_field", "each choice is {app, email}");
    for (const auto& [key, on] : value.items()) {
      if ((key != "app" && key != "email") || !on.is_boolean()) {
        return ErrorResponse(422, "invalid_field",
                             fmt::format("{}: only \"app\" and \"email\", true or false", name));
      }
      (key == "app" ? choice.app : choice.email) = on.get<bool>();
    }
  }
  if (Status st = store.SetNotifyChoices(u.id, *current); !st.ok()) return ErrorResponse(st);
  return Settings(store, u);
}

RouteSpec Spec(std::string method, std::string path, std::string summary, json response) {
  RouteSpec spec{.method = std::move(method),
                 .path = std::move(path),
                 .summary = std::move(summary),
                 .tag = "notifications"};
  spec.response = std::move(response);
  spec.errors = {400, 422};
  return spec;
}

}  // namespace

void RegisterNotificationRoutes(Router& router, Store& store, const Clock& clock) {
  const json settings = s::AnyObject("{kinds: [{kind, description, app, email}], notify_by}");
  router.Add(Spec("GET", "/api/v1/notifications", "Your notifications, newest first",
                  s::AnyObject("{items, unread, next_cursor}")),
             Authed(store, clock, [&store](const HttpRequest& r, const UserRecord& u) {
               return List(store, r, u);
             }));
  router.Add(Spec("POST", "/api/v1/notifications/read", "Mark your notifications read",
                  s::AnyObject("{marked, unread}")),
             Authed(store, clock, [&store, &clock](const HttpRequest& r, const UserRecord& u) {
               return MarkRead(store, clock, r, u);
             }));
  router.Add(Spec("GET", "/api/v1/notification-settings",
                  "Where you hear of each kind of notification", settings),
             Authed(store, clock, [&store](const HttpRequest&, const UserRecord& u) {
               return Settings(store, u);
             }));
  router.Add(Spec("PUT", "/api/v1/notification-settings",
                  "Choose where you hear of each kind of notification", settings),
             Authed(store, clock, [&store](const HttpRequest& r, const UserRecord& u) {
               return SetSettings(store, r, u);
             }));
}

}  // namespace tandem::http
