// Templates, one-to-one email and sends (broadcasts and filters: broadcast_routes.cpp).
#include "http/email_routes.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "auth/permissions.h"
#include "core/time_format.h"
#include "http/api_common.h"
#include "http/api_schemas.h"
#include "http/audit_routes.h"
#include "http/email_json.h"
#include "http/query_params.h"
#include "leads/lead_json.h"

namespace tandem::http {
namespace {

using nlohmann::json;

// The opens and clicks one email's answer lists, newest first.
constexpr size_t kEngagementsShown = 50;
namespace s = schema;

json ComposeBody() {
  return s::Object({{"template", s::String("an email template's key")},
                    {"version", s::Integer("a version; the latest when absent")},
                    {"subject", s::String("replaces the template's, for this email")},
                    {"preheader", s::String()},
                    {"html", s::String()}},
                   {"template"});
}

json CompositionSchema() {
  return s::Object({{"to", s::String()},
                    {"rendered", {{"type", json::array({"object", "null"})}}},
                    {"problems", s::ArrayOf(s::AnyObject())},
                    {"findings", s::ArrayOf(s::AnyObject())},
                    {"compliance", s::ArrayOf(s::AnyObject())},
                    {"blocked", s::Boolean()}});
}

json SendSchema() {
  return s::Object({{"id", s::String("em_<id>")},
                    {"kind", s::Enum({"one_to_one", "broadcast", "notification", "test"})},
                    {"status", s::Enum({"queued", "sending", "sent", "retrying", "bounced",
                                        "refused", "interrupted", "cancelled", "failed"})},
                    {"to", s::String()},
                    {"subject", s::String()},
                    {"message_id", s::String()}});
}

json TemplateSchema() {
  return s::Object({{"key", s::String()},
                    {"version", s::Integer()},
                    {"name", s::String()},
                    {"purpose", s::Enum({"sales_outreach", "email_marketing"})},
                    {"subject", s::String()},
                    {"preheader", s::String()},
                    {"html", s::String()},
                    {"layout", s::Enum({"default", "none"})}});
}

RouteSpec Spec(std::string method, std::string path, std::string summary, json response,
               std::string tag = "email") {
  RouteSpec spec{.method = std::move(method),
                 .path = std::move(path),
                 .summary = std::move(summary),
                 .tag = std::move(tag)};
  spec.response = std::move(response);
  return spec;
}

// 422 template_invalid with every problem, in the body as well as the message.
Response TemplateProblems(const StoredTemplate& t) {
  std::vector<TemplateProblem> problems = CheckTemplate(ToEmailTemplate(t));
  Status status = CheckStoredTemplate(t);
  json body = {{"error", {{"code", status.error_code()}, {"message", status.message()}}},
               {"problems", ProblemsJson(problems)}};
  return Json(422, body);
}

}  // namespace

EmailRoutes::EmailRoutes(Store& store, const EmailService& service, const Clock& clock,
                         std::function<void()> queued, std::function<void()> broadcasts_changed)
    : store_(store),
      service_(service),
      clock_(clock),
      queued_(std::move(queued)),
      broadcasts_changed_(std::move(broadcasts_changed)),
      workers_(std::make_unique<PasswordWorkers>(kThreads, kWaiting)) {}

EmailRoutes::~EmailRoutes() { Stop(); }

void EmailRoutes::Stop() { workers_->Stop(); }

void EmailRoutes::OffThread(Responder respond, std::function<Response()> work) {
  auto shared = std::make_shared<Responder>(std::move(respond));
  if (!workers_->TrySubmit([shared, work = std::move(work)] { (*shared)(work()); })) {
    (*shared)(ErrorResponse(503, "email_busy",
                            "every email worker is busy rendering and checking; try again"));
  }
}

void EmailRoutes::Register(Router& router) {
  RegisterTemplates(router);
  RegisterLeadEmails(router);
  RegisterFilters(router);
  RegisterBroadcasts(router);
  RegisterBroadcastActions(router);
}

void EmailRoutes::RegisterTemplates(Router& router) {
  auto authed = [this](auto body) { return Authed(store_, clock_, body); };
  router.Add(Spec("GET", "/api/v1/email-templates", "Email templates (the latest version of each)",
                  s::PageOf(TemplateSchema())),
             authed([this](const HttpRequest&, const UserRecord&) {
               auto all = store_.ListTemplates();
               if (!all.ok()) return ErrorResponse(all.status());
               json out = {{"items", json::array()}, {"next_cursor", nullptr}};
               for (const StoredTemplate& t : *all) out["items"].push_back(TemplateJson(t));
               return Json(200, out);
             }));
  RouteSpec create = Spec("POST", "/api/v1/email-templates", "Add an email template (version 1)",
                          TemplateSchema());
  create.request_body = TemplateSchema();
  create.status = 201;
  create.errors = {400, 403, 409, 422};
  router.Add(std::move(create), authed([this](const HttpRequest& r, const UserRecord& u) {
               return CreateTemplate(r, u);
             }));
  RouteSpec get =
      Spec("GET", "/api/v1/email-templates/{key}",
           "A template's latest version, and the list of its versions", TemplateSchema());
  get.path_params = {{"key", "the template's key"}};
  get.errors = {404};
  router.Add(std::move(get),
             authed([this](const HttpRequest& r, const UserRecord&) { return GetTemplate(r); }));
  RouteSpec put = Spec("PUT", "/api/v1/email-templates/{key}", "Save a new version of a template",
                       TemplateSchema());
  put.path_params = {{"key", "the template's key"}};
  put.request_body = TemplateSchema();
  put.errors = {400, 403, 404, 422};
  router.Add(std::move(put), authed([this](const HttpRequest& r, const UserRecord& u) {
               return PutTemplate(r, u);
             }));
  RouteSpec version = Spec("GET", "/api/v1/email-templates/{key}/versions/{version}",
                           "One version of a template", TemplateSchema());
  version.path_params = {{"key", "the template's key"}, {"version", "1, 2, …"}};
  version.errors = {404};
  router.Add(std::move(version),
             authed([this](const HttpRequest& r, const UserRecord&) { return GetTemplate(r); }));
  router.Add(Spec("GET", "/api/v1/email-merge-fields", "The fields a template may merge",
                  s::PageOf(s::Object({{"name", s::String()}, {"description", s::String()}}))),
             authed([](const HttpRequest&, const UserRecord&) {
               json out = {{"items", json::array()}, {"next_cursor", nullptr}};
               for (const MergeField& f : MergeFields()) {
                 out["items"].push_back({{"name", f.name}, {"description", f.description}});
               }
               return Json(200, out);
             }));
}

Response EmailRoutes::CreateTemplate(const HttpRequest& request, const UserRecord& user) {
  if (Status s = Require(user, Permission::kManageCatalog, "write email templates"); !s.ok()) {
    return ErrorResponse(s);
  }
  auto body = ParseBody(request);
  if (!body.ok()) return ErrorResponse(body.status());
  auto t = ParseTemplateBody(*body, /*with_key=*/true);
  if (!t.ok()) return ErrorResponse(t.status());
  if (!CheckStoredTemplate(*t).ok()) return TemplateProblems(*t);
  auto existing = store_.GetTemplate(t->key, std::nullopt);
  if (!existing.ok()) return ErrorResponse(existing.status());
  if (*existing) {
    return ErrorResponse(
        409, "template_exists",
        fmt::format("email template \"{}\" exists; PUT saves a new version", t->key));
  }
  t->created_by = user.id;
  t->created_at = clock_.Now();
  auto saved = store_.SaveTemplate(*t);
  if (!saved.ok()) return ErrorResponse(saved.status());
  return Json(201, TemplateJson(*saved));
}

Response EmailRoutes::PutTemplate(const HttpRequest& request, const UserRecord& user) {
  if (Status s = Require(user, Permission::kManageCatalog, "write email templates"); !s.ok()) {
    return ErrorResponse(s);
  }
  const std::string key = UrlDecode(request.params.Get("key"));
  auto existing = store_.GetTemplate(key, std::nullopt);
  if (!existing.ok()) return ErrorResponse(existing.status());
  if (!*existing) {
    return ErrorResponse(404, "not_found",
                         fmt::format("email template \"{}\" does not exist (POST adds one)", key));
  }
  auto body = ParseBody(request);
  if (!body.ok()) return ErrorResponse(body.status());
  if (body->contains("key") && (*body)["key"] != key) {
    return ErrorResponse(422, "invalid_field", "key cannot change; save a new template instead");
  }
  auto t = ParseTemplateBody(*body, /*with_key=*/false);
  if (!t.ok()) return ErrorResponse(t.status());
  t->key = key;
  if (!CheckStoredTemplate(*t).ok()) return TemplateProblems(*t);
  t->created_by = user.id;
  t->created_at = clock_.Now();
  auto saved = store_.SaveTemplate(*t);
  if (!saved.ok()) return ErrorResponse(saved.status());
  return Json(200, TemplateJson(*saved));
}

Response EmailRoutes::GetTemplate(const HttpRequest& request) {
  const std::string key = UrlDecode(request.params.Get("key"));
  std::optional<int64_t> version;
  if (std::string v(request.params.Get("version")); !v.empty()) {
    version = ParsePrefixedId(v, "");
    if (!version) return ErrorResponse(404, "not_found", fmt::format("no version \"{}\"", v));
  }
  auto t = store_.GetTemplate(key, version);
  if (!t.ok()) return ErrorResponse(t.status());
  if (!*t) {
    return ErrorResponse(404, "not_found",
                         version
                             ? fmt::format("email template \"{}\" has no version {}", key, *version)
                             : fmt::format("email template \"{}\" does not exist", key));
  }
  json out = TemplateJson(**t);
  if (!version) {
    auto versions = store_.ListTemplateVersions(key);
    if (!versions.ok()) return ErrorResponse(versions.status());
    out["versions"] = json::array();
    for (const StoredTemplate& v : *versions) {
      out["versions"].push_back(
          {{"version", v.version},
           {"created_by", v.created_by ? json(UserIdText(*v.created_by)) : json(nullptr)},
           {"created_at", FormatIsoTime(v.created_at)}});
    }
  }
  return Json(200, out);
}

void EmailRoutes::RegisterLeadEmails(Router& router) {
  auto lead_async = [this](auto body) -> Handler {
    return [this, body](HttpRequest&& request, Responder respond) {
      auto user = Authenticate(store_, clock_, request);
      if (!user.ok()) {
        Response res = ErrorResponse(user.status());
        res.set(boost::beast::http::field::www_authenticate, "Bearer");
        return respond(std::move(res));
      }
      auto lead_id = FindLeadId(store_, request.params.Get("id"));
      if (!lead_id.ok()) return respond(ErrorResponse(lead_id.status()));
      auto shared = std::make_shared<HttpRequest>(std::move(request));
      OffThread(std::move(respond),
                [shared, body, u = *user, id = *lead_id] { return body(*shared, u, id); });
    };
  };
  RouteSpec preview = Spec("POST", "/api/v1/leads/{id}/emails/preview",
                           "What the lead would receive: rendered, checked, and the gate's answer",
                           CompositionSchema());
  preview.path_params = {{"id", "ld_<n>"}};
  preview.request_body = ComposeBody();
  preview.errors = {400, 404, 422, 503};
  router.Add(std::move(preview), lead_async([this](const HttpRequest& r, const UserRecord& u,
                                                   int64_t id) { return Preview(r, u, id); }));
  RouteSpec send = Spec("POST", "/api/v1/leads/{id}/emails",
                        "Send the lead an email from a template, through the check and the "
                        "contact gate (a touch)",
                        s::Object({{"email", SendSchema()}, {"touch", s::Ref("Touch")}}));
  send.path_params = {{"id", "ld_<n>"}};
  send.request_body = ComposeBody();
  send.status = 201;
  send.errors = {400, 403, 404, 409, 422, 503};
  router.Add(std::move(send), lead_async([this](const HttpRequest& r, const UserRecord& u,
                                                int64_t id) { return Send(r, u, id); }));
  RouteSpec list = Spec("GET", "/api/v1/leads/{id}/emails",
                        "The emails sent (or refused) to the lead", s::PageOf(SendSchema()));
  list.path_params = {{"id", "ld_<n>"}};
  list.errors = {404};
  router.Add(std::move(list), LeadAuthed(store_, clock_,
                                         [this](const HttpRequest& r, const UserRecord&,
                                                int64_t id) { return ListLeadEmails(r, id); }));
  RouteSpec one =
      Spec("GET", "/api/v1/emails/{email_id}",
           "One email, its delivery status and its latest opens and clicks", SendSchema());
  one.path_params = {{"email_id", "em_<id>"}};
  one.errors = {404};
  router.Add(std::move(one),
             Authed(store_, clock_, [this](const HttpRequest& r, const UserRecord&) {
               auto found = store_.GetSend(UrlDecode(r.params.Get("email_id")));
               if (!found.ok()) return ErrorResponse(found.status());
               if (!*found) return ErrorResponse(404, "not_found", "no such email");
               auto engagements = store_.ListEngagements((*found)->id, kEngagementsShown);
               if (!engagements.ok()) return ErrorResponse(engagements.status());
               json out = SendJson(**found);
               out["engagements"] = json::array();
               for (const EmailEngagement& e : *engagements) {
                 out["engagements"].push_back(EngagementJson(e));
               }
               return Json(200, out);
             }));
}

Response EmailRoutes::Preview(const HttpRequest& request, const UserRecord& user, int64_t lead_id) {
  auto body = ParseBody(request);
  if (!body.ok()) return ErrorResponse(body.status());
  auto compose = ParseComposeRequest(*body);
  if (!compose.ok()) return ErrorResponse(compose.status());
  auto source = service_.Edited(*compose);
  if (!source.ok()) return ErrorResponse(source.status());
  if (!CheckStoredTemplate(*source).ok()) return TemplateProblems(*source);
  auto composition = service_.Preview(lead_id, *source, Actor{user}, clock_.Now());
  if (!composition.ok()) return ErrorResponse(composition.status());
  return Json(200, CompositionJson(*composition));
}

Response EmailRoutes::Send(const HttpRequest& request, const UserRecord& user, int64_t lead_id) {
  auto body = ParseBody(request);
  if (!body.ok()) return ErrorResponse(body.status());
  auto compose = ParseComposeRequest(*body);
  if (!compose.ok()) return ErrorResponse(compose.status());
  if (auto edited = service_.Edited(*compose); edited.ok() && !CheckStoredTemplate(*edited).ok()) {
    return TemplateProblems(*edited);
  }
  SendRequest request_send{*compose};
  auto reason = StringField(*body, "override_reason");
  if (!reason.ok()) return ErrorResponse(reason.status());
  request_send.override = !reason->empty();
  request_send.override_reason = *reason;
  auto outcome = service_.SendToLead(lead_id, Actor{user}, request_send, clock_.Now());
  if (!outcome.ok()) return ErrorResponse(outcome.status());
  const Composition& c = outcome->composition;
  if (c.Blocked()) {
    json out = CompositionJson(c);
    const std::vector<std::string> codes = c.BlockingCodes();
    out["error"] = {
        {"code", c.compliance.empty() ? "email_blocked" : "compliance_refused"},
        {"message", fmt::format("the email may not be sent: {}", fmt::join(codes, ", "))}};
    return Json(422, out);
  }
  if (!outcome->send) {
    std::string message = "the contact gate refused this email";
    for (const ContactReason& r : outcome->decision.reasons) {
      if (r.severity == "block") {
        message = fmt::format("{}: {}", r.code, r.message);
        break;
      }
    }
    return Json(409, {{"allowed", false},
                      {"reasons", ReasonsToJson(outcome->decision.reasons)},
                      {"error", {{"code", "contact_refused"}, {"message", message}}}});
  }
  if (queued_) queued_();
  AuditOverride(store_, clock_, user, lead_id, outcome->decision, outcome->send->uid);
  json out = {{"email", SendJson(*outcome->send)},
              {"touch", TouchToJson(*outcome->touch)},
              {"findings", CompositionJson(c)["findings"]},
              {"reasons", ReasonsToJson(outcome->decision.reasons)}};
  return Json(201, out);
}

Response EmailRoutes::ListLeadEmails(const HttpRequest& request, int64_t lead_id) {
  SendQuery query;
  query.lead_id = lead_id;
  query.to_leads_only = true;
  return SendsPage(store_, request, query);
}

Response SendsPage(Store& store, const HttpRequest& request, SendQuery query) {
  const auto params = ParseQuery(request.query());
  auto limit = IntParam(params, "limit", 50, 1, 500);
  if (!limit.ok()) return ErrorResponse(limit.status());
  query.limit = static_cast<size_t>(*limit);
  if (auto it = params.find("cursor"); it != params.end()) {
    auto before = ParsePrefixedId(it->second, "");
    if (!before) return ErrorResponse(400, "invalid_cursor", "cursor is not one this list gave");
    query.before_id = *before;
  }
  auto sends = store.ListSends(query);
  if (!sends.ok()) return ErrorResponse(sends.status());
  json out = {{"items", json::array()}, {"next_cursor", nullptr}};
  for (const EmailSend& e : *sends) out["items"].push_back(SendJson(e));
  if (sends->size() == query.limit) out["next_cursor"] = std::to_string(sends->back().id);
  return Json(200, out);
}

}  // namespace tandem::http
