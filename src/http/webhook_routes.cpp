#include "http/webhook_routes.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "auth/permissions.h"
#include "core/ids.h"
#include "core/random.h"
#include "core/time_format.h"
#include "http/api_common.h"
#include "http/api_schemas.h"
#include "http/auth_routes.h"
#include "http/query_params.h"
#include "webhooks/delivery_worker.h"
#include "webhooks/webhook_sender.h"

namespace tandem::http {
namespace {

using nlohmann::json;
namespace s = schema;

constexpr size_t kTestsAtOnce = 2;

json Nullable(const std::optional<TimePoint>& at) {
  return at ? json(FormatIsoTime(*at)) : json(nullptr);
}

json DeliveryJson(const DeliveryRecord& d) {
  return {{"id", d.id},
          {"message_id", d.message_uid},
          {"type", d.type},
          {"lead_id", d.lead_id ? json(LeadIdText(*d.lead_id)) : json(nullptr)},
          {"state", d.state},
          {"attempts", d.attempts},
          {"last_status", d.last_status ? json(*d.last_status) : json(nullptr)},
          {"last_error", d.last_error},
          {"created_at", FormatIsoTime(d.created_at)},
          {"next_attempt_at", d.state == "pending" ? Nullable(d.next_attempt_at) : json(nullptr)},
          {"delivered_at", Nullable(d.delivered_at)}};
}

Status RequireAdmin(const UserRecord& user) {
  return Require(user, Permission::kChangeRules, "manage the webhooks");
}

}  // namespace

void WebhookRoutes::Register(Router& router) {
  RouteSpec list{.method = "GET",
                 .path = "/api/v1/webhooks",
                 .summary = "The webhook endpoints, with their pending deliveries",
                 .tag = "webhooks"};
  list.response = s::PageOf(s::AnyObject("{url, events, pending, last}"));
  list.errors = {403};
  router.Add(
      std::move(list),
      Authed(store_, clock_, [this](const HttpRequest&, const UserRecord& u) { return List(u); }));
  RouteSpec deliveries{.method = "GET",
                       .path = "/api/v1/webhooks/deliveries",
                       .summary = "An endpoint's deliveries, newest first",
                       .tag = "webhooks"};
  deliveries.query = {{"endpoint", "the endpoint's URL"}, {"limit", "1–200, default 50"}};
  deliveries.response = s::PageOf(s::AnyObject("a delivery"));
  deliveries.errors = {400, 403, 404};
  router.Add(std::move(deliveries),
             Authed(store_, clock_, [this](const HttpRequest& r, const UserRecord& u) {
               return Deliveries(r, u);
             }));
  RouteSpec test{.method = "POST",
                 .path = "/api/v1/webhooks/test",
                 .summary = "Post a signed webhook.test to an endpoint now: what it answered",
                 .tag = "webhooks"};
  test.request_body = s::Object({{"url", s::String()}}, {"url"});
  test.response = s::AnyObject("{url, message_id, ok, status, error, milliseconds}");
  test.errors = {403, 404, 429};
  router.Add(std::move(test), [this](HttpRequest&& request, Responder respond) {
    PostTest(std::move(request), std::move(respond));
  });
}

Response WebhookRoutes::List(const UserRecord& user) {
  if (Status st = RequireAdmin(user); !st.ok()) return ErrorResponse(st);
  json items = json::array();
  for (const WebhookConfig& hook : webhooks_) {
    auto recent = store_.ListDeliveries(hook.url, 1);
    if (!recent.ok()) return ErrorResponse(recent.status());
    auto pending = store_.CountPendingDeliveriesTo(hook.url);
    if (!pending.ok()) return ErrorResponse(pending.status());
    items.push_back({{"url", hook.url},
                     {"events", hook.events},
                     {"pending", *pending},
                     {"last", recent->empty() ? json(nullptr) : DeliveryJson(recent->front())}});
  }
  return Json(200, {{"items", std::move(items)}, {"event_types", WebhookEventTypes()}});
}

Response WebhookRoutes::Deliveries(const HttpRequest& request, const UserRecord& user) {
  if (Status st = RequireAdmin(user); !st.ok()) return ErrorResponse(st);
  const auto params = ParseQuery(request.query());
  auto limit = IntParam(params, "limit", 50, 1, 200);
  if (!limit.ok()) return ErrorResponse(limit.status());
  auto endpoint = FindParam(params, "endpoint");
  if (!endpoint) return ErrorResponse(400, "invalid_parameter", "endpoint is required (its URL)");
  if (std::none_of(webhooks_.begin(), webhooks_.end(),
                   [&](const WebhookConfig& w) { return w.url == *endpoint; })) {
    return ErrorResponse(404, "not_found", "no webhook endpoint has that URL");
  }
  auto found = store_.ListDeliveries(std::string(*endpoint), static_cast<size_t>(*limit));
  if (!found.ok()) return ErrorResponse(found.status());
  json items = json::array();
  for (const DeliveryRecord& d : *found) items.push_back(DeliveryJson(d));
  return Json(200, {{"items", std::move(items)}});
}

void WebhookRoutes::PostTest(HttpRequest&& request, Responder respond) {
  auto user = Authenticate(store_, clock_, request);
  if (!user.ok()) return respond(ErrorResponse(user.status()));
  if (Status st = RequireAdmin(*user); !st.ok()) return respond(ErrorResponse(st));
  auto body = ParseBody(request);
  if (!body.ok()) return respond(ErrorResponse(body.status()));
  const bool has_url = body->is_object() && body->contains("url") && (*body)["url"].is_string();
  const std::string url = has_url ? (*body)["url"].get<std::string>() : "";
  if (!has_url) return respond(ErrorResponse(422, "missing_field", "url is required (a string)"));
  auto hook = std::find_if(webhooks_.begin(), webhooks_.end(),
                           [&](const WebhookConfig& w) { return w.url == url; });
  if (hook == webhooks_.end()) {
    return respond(ErrorResponse(404, "not_found", "no webhook endpoint has that URL"));
  }
  OutboxMessage message;
  message.uid = "test_" + RandomUuid();
  message.type = "webhook.test";
  message.created_at = clock_.Now();
  message.payload =
      json{{"id", message.uid},
           {"type", message.type},
           {"created_at", FormatIsoTime(message.created_at)},
           {"data", {{"message", "A test delivery from Tandem"}, {"by", UserIdText(user->id)}}}}
          .dump();
  std::lock_guard lock(mu_);
  tests_.remove_if([](Test& t) {
    if (!t.done) return false;
    t.thread.join();
    return true;
  });
  if (tests_.size() >= kTestsAtOnce) {
    return respond(ErrorResponse(429, "tests_busy", "two tests are under way; try again"));
  }
  Test& test = tests_.emplace_back();
  const int64_t now_s = ToUnixMillis(clock_.Now()) / 1000;
  test.thread = std::thread([hook = *hook, message, now_s, respond = std::move(respond), &test] {
    auto sender = NewCurlWebhookSender(std::chrono::seconds(10));
    const auto started = std::chrono::steady_clock::now();
    WebhookResponse answer = PostSigned(*sender, hook, message, now_s);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count();
    respond(Json(200, {{"url", hook.url},
                       {"message_id", message.uid},
                       {"ok", answer.status >= 200 && answer.status < 300},
                       {"status", answer.status},
                       {"error", answer.error},
                       {"milliseconds", ms}}));
    test.done = true;
  });
}

void WebhookRoutes::Stop() {
  std::lock_guard lock(mu_);
  for (Test& t : tests_) {
    if (t.thread.joinable()) t.thread.join();
  }
  tests_.clear();
}

}  // namespace tandem::http
