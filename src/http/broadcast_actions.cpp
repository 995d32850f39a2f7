// A broadcast's actions: count its audience, preview it as one recipient, test-send it
// to a user, schedule, pause, resume and cancel it (see email_routes.h).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "auth/permissions.h"
#include "core/time_format.h"
#include "http/api_common.h"
#include "http/api_schemas.h"
#include "http/email_json.h"
#include "http/email_routes.h"
#include "leads/lead_json.h"

namespace tandem::http {
namespace {

using nlohmann::json;
namespace s = schema;

RouteSpec ActionSpec(std::string method, std::string action, std::string summary, json response) {
  RouteSpec spec{.method = std::move(method),
                 .path = "/api/v1/broadcasts/{broadcast_id}/" + action,
                 .summary = std::move(summary),
                 .tag = "broadcasts"};
  spec.path_params = {{"broadcast_id", "bc_<n>"}};
  spec.response = std::move(response);
  spec.errors = {400, 403, 404, 409, 422};
  return spec;
}

StatusOr<int64_t> BroadcastId(const HttpRequest& request) {
  const std::string text(request.params.Get("broadcast_id"));
  auto id = ParsePrefixedId(text, "bc_");
  if (!id) return NotFound("not_found", fmt::format("broadcast {} does not exist", text));
  return *id;
}

// The lead a preview or test renders for: "lead" in the body (404 when it names none).
StatusOr<int64_t> LeadOf(Store& store, const json& body) {
  TANDEM_ASSIGN_OR_RETURN(std::string lead, StringField(body, "lead_id"));
  if (lead.empty()) return Unprocessable("invalid_field", "lead_id is required (ld_<n>)");
  return FindLeadId(store, lead);
}

}  // namespace

void EmailRoutes::RegisterBroadcastActions(Router& router) {
  // Authenticated, the broadcast id read, then `body` on the email threads.
  auto async = [this](bool manage, auto body) -> Handler {
    return [this, manage, body](HttpRequest&& request, Responder respond) {
      auto user = Authenticate(store_, clock_, request);
      if (!user.ok()) {
        Response res = ErrorResponse(user.status());
        res.set(boost::beast::http::field::www_authenticate, "Bearer");
        return respond(std::move(res));
      }
      if (manage) {
        if (Status s = Require(*user, Permission::kSendBroadcasts, "send broadcasts"); !s.ok()) {
          return respond(ErrorResponse(s));
        }
      }
      auto id = BroadcastId(request);
      if (!id.ok()) return respond(ErrorResponse(id.status()));
      auto shared = std::make_shared<HttpRequest>(std::move(request));
      OffThread(std::move(respond),
                [shared, body, u = *user, id = *id] { return body(*shared, u, id); });
    };
  };
  RouteSpec audience =
      ActionSpec("POST", "audience",
                 "Count the recipients now: included, and excluded by reason (nothing is sent)",
                 s::Object({{"leads", s::Integer()},
                            {"included", s::Integer()},
                            {"excluded", s::Integer()},
                            {"excluded_by_reason", s::AnyObject()}}));
  router.Add(std::move(audience),
             async(false, [this](const HttpRequest&, const UserRecord&, int64_t id) {
               auto b = GetBroadcastOr404(store_, id);
               if (!b.ok()) return ErrorResponse(b.status());
               auto count = CountAudience(service_, *b, clock_.Now());
               if (!count.ok()) return ErrorResponse(count.status());
               return Json(200, AudienceJson(*count));
             }));
  RouteSpec preview = ActionSpec("POST", "preview", "The broadcast as one recipient would get it",
                                 s::AnyObject("the composition"));
  preview.request_body = s::Object({{"lead_id", s::String("ld_<n>")}}, {"lead_id"});
  router.Add(std::move(preview),
             async(false, [this](const HttpRequest& r, const UserRecord&, int64_t id) {
               return BroadcastPreview(r, id);
             }));
  RouteSpec test =
      ActionSpec("POST", "test", "Send the broadcast, as rendered for a lead, to a user of Tandem",
                 s::AnyObject("the test email"));
  test.request_body = s::Object(
      {{"lead_id", s::String("ld_<n>")}, {"user_id", s::String("usr_<n>; yourself when absent")}},
      {"lead_id"});
  test.status = 201;
  router.Add(std::move(test), async(true, [this](const HttpRequest& r, const UserRecord& u,
                                                 int64_t id) { return BroadcastTest(r, u, id); }));
  RouteSpec schedule = ActionSpec("POST", "schedule", "Start the broadcast now or at a time",
                                  s::AnyObject("the broadcast"));
  schedule.request_body = s::Object({{"at", s::String("RFC 3339; now when absent")}});
  router.Add(std::move(schedule), async(true, [this](const HttpRequest& r, const UserRecord&,
                                                     int64_t id) { return Schedule(r, id); }));
  using Change = StatusOr<Broadcast> (*)(EmailStore&, int64_t, TimePoint);
  const std::pair<const char*, Change> changes[] = {
      {"pause", &PauseBroadcast}, {"resume", &ResumeBroadcast}, {"cancel", &CancelBroadcast}};
  for (const auto& [action, change] : changes) {
    RouteSpec spec = ActionSpec("POST", action, fmt::format("{} the broadcast", action),
                                s::AnyObject("the broadcast"));
    spec.summary[0] = static_cast<char>(std::toupper(spec.summary[0]));
    router.Add(std::move(spec),
               async(true, [this, change](const HttpRequest&, const UserRecord&, int64_t id) {
                 auto b = change(store_, id, clock_.Now());
                 if (!b.ok()) return ErrorResponse(b.status());
                 if (broadcasts_changed_) broadcasts_changed_();
                 auto counts = store_.CountSends(id);
                 if (!counts.ok()) return ErrorResponse(counts.status());
                 return Json(200, BroadcastJson(*b, *counts));
               }));
  }
}

Response EmailRoutes::BroadcastPreview(const HttpRequest& request, int64_t broadcast_id) {
  auto b = GetBroadcastOr404(store_, broadcast_id);
  if (!b.ok()) return ErrorResponse(b.status());
  auto body = ParseBody(request);
  if (!body.ok()) return ErrorResponse(body.status());
  auto lead_id = LeadOf(store_, *body);
  if (!lead_id.ok()) return ErrorResponse(lead_id.status());
  auto source = service_.Resolve({b->template_key, b->template_version, {}, {}, {}});
  if (!source.ok()) return ErrorResponse(source.status());
  // The gate decides a broadcast's email as the system's, not the previewer's.
  auto composition = service_.Preview(*lead_id, *source, Actor{}, clock_.Now());
  if (!composition.ok()) return ErrorResponse(composition.status());
  return Json(200, CompositionJson(*composition));
}

Response EmailRoutes::BroadcastTest(const HttpRequest& request, const UserRecord& user,
                                    int64_t broadcast_id) {
  auto b = GetBroadcastOr404(store_, broadcast_id);
  if (!b.ok()) return ErrorResponse(b.status());
  auto body = ParseBody(request);
  if (!body.ok()) return ErrorResponse(body.status());
  auto lead_id = LeadOf(store_, *body);
  if (!lead_id.ok()) return ErrorResponse(lead_id.status());
  UserRecord to = user;
  auto named = StringField(*body, "user_id");
  if (!named.ok()) return ErrorResponse(named.status());
  if (!named->empty()) {
    auto id = ParseUserId(*named);
    auto found = id ? store_.GetUser(*id) : StatusOr<std::optional<UserRecord>>(std::nullopt);
    if (!found.ok()) return ErrorResponse(found.status());
    if (!*found) return ErrorResponse(422, "invalid_field", fmt::format("no user {}", *named));
    to = **found;
  }
  auto source = service_.Resolve({b->template_key, b->template_version, {}, {}, {}});
  if (!source.ok()) return ErrorResponse(source.status());
  auto composition = service_.Preview(*lead_id, *source, Actor{}, clock_.Now());
  if (!composition.ok()) return ErrorResponse(composition.status());
  auto send = service_.QueueTest(to, *composition, clock_.Now());
  if (!send.ok()) return ErrorResponse(send.status());
  if (queued_) queued_();
  json out = CompositionJson(*composition);
  out["email"] = SendJson(*send);
  return Json(201, out);
}

Response EmailRoutes::Schedule(const HttpRequest& request, int64_t broadcast_id) {
  auto body = ParseBody(request);
  if (!body.ok()) return ErrorResponse(body.status());
  auto at = TimeField(*body, "at");
  if (!at.ok()) return ErrorResponse(at.status());
  if (Status s = CheckSendable(service_.config(), service_.public_url(), Purpose::kEmailMarketing);
      !s.ok()) {
    return ErrorResponse(s);
  }
  const TimePoint now = clock_.Now();
  auto b = ScheduleBroadcast(store_, broadcast_id, at->value_or(now), now);
  if (!b.ok()) return ErrorResponse(b.status());
  if (broadcasts_changed_) broadcasts_changed_();
  auto counts = store_.CountSends(broadcast_id);
  if (!counts.ok()) return ErrorResponse(counts.status());
  return Json(200, BroadcastJson(*b, *counts));
}

}  // namespace tandem::http
