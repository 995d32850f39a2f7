#include "http/email_lint_routes.h"

#include <fmt/format.h>

#include <boost/beast/http/field.hpp>

#include "http/api_common.h"
#include "http/api_schemas.h"

namespace tandem::http {
namespace {

using nlohmann::json;
namespace s = schema;

RouteSpec LintSpec() {
  RouteSpec spec{.method = "POST",
                 .path = "/api/v1/emails/lint",
                 .summary = "Check a rendered email before it is sent",
                 .tag = "email"};
  spec.request_body = s::Object(
      {{"subject", s::String()},
       {"preheader", s::String("the line inboxes show after the subject")},
       {"html", s::String("the rendered body, at most 400 KB")},
       {"marketing", s::Boolean("a marketing email: the unsubscribe link and postal address "
                                "are required (default false)")},
       {"engaged_content", s::String("the title of the content the recipient came for, if any")}},
      {"subject", "html"});
  const json finding = s::Object({{"code", s::String("a stable code, e.g. image_no_alt")},
                                  {"severity", s::Enum({"error", "warning"})},
                                  {"where", s::String("subject, preheader, body, or an element")},
                                  {"message", s::String()},
                                  {"fix", s::String()}},
                                 {"code", "severity", "where", "message", "fix"});
  spec.response = s::Object(
      {{"ok", s::Boolean("no errors: the email may be sent")}, {"findings", s::ArrayOf(finding)}},
      {"ok", "findings"});
  spec.errors = {400, 413, 422, 503};
  return spec;
}

StatusOr<std::string> RequiredString(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) {
    return Unprocessable("missing_field", fmt::format("{} is required", name));
  }
  return StringField(body, name);
}

StatusOr<bool> OptionalBool(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return false;
  if (!it->is_boolean()) {
    return Unprocessable("invalid_field", fmt::format("{} must be true or false", name));
  }
  return it->get<bool>();
}

// The draft and what the recipient engaged with, from the request's body.
StatusOr<std::pair<email::Draft, std::string>> ParseDraft(const json& body) {
  email::Draft draft;
  TANDEM_ASSIGN_OR_RETURN(draft.subject, RequiredString(body, "subject"));
  TANDEM_ASSIGN_OR_RETURN(draft.preheader, StringField(body, "preheader"));
  TANDEM_ASSIGN_OR_RETURN(draft.html, RequiredString(body, "html"));
  TANDEM_ASSIGN_OR_RETURN(draft.marketing, OptionalBool(body, "marketing"));
  TANDEM_ASSIGN_OR_RETURN(std::string engaged, StringField(body, "engaged_content"));
  if (draft.html.size() > EmailLintRoutes::kMaxHtmlBytes) {
    return TooLarge("html_too_large", fmt::format("html is {} KB; the check takes at most {} KB",
                                                  (draft.html.size() + 1023) / 1024,
                                                  EmailLintRoutes::kMaxHtmlBytes / 1024));
  }
  return std::make_pair(std::move(draft), std::move(engaged));
}

}  // namespace

json LintAnswer(const std::vector<email::Finding>& findings) {
  json list = json::array();
  for (const email::Finding& f : findings) {
    list.push_back({{"code", f.code},
                    {"severity", email::SeverityName(f.severity)},
                    {"where", f.where},
                    {"message", f.message},
                    {"fix", f.fix}});
  }
  return {{"ok", !email::HasErrors(findings)}, {"findings", std::move(list)}};
}

email::LintContext SenderContext(const EmailConfig& config, const std::string& public_url) {
  email::LintContext context;
  context.company_name = config.company_name;
  context.postal_address = config.postal_address;
  if (!public_url.empty()) {
    context.unsubscribe_url = public_url.ends_with('/') ? public_url + "u/" : public_url + "/u/";
  }
  return context;
}

EmailLintRoutes::EmailLintRoutes(Store& store, const Clock& clock, email::LintContext sender,
                                 email::LintOptions options, email::ResourceFacts& facts)
    : store_(store),
      clock_(clock),
      sender_(std::move(sender)),
      options_(options),
      facts_(facts),
      workers_(std::make_unique<PasswordWorkers>(kThreads, kWaitingChecks)) {}

void EmailLintRoutes::Register(Router& router) {
  router.Add(LintSpec(), [this](HttpRequest&& request, Responder respond) {
    auto user = Authenticate(store_, clock_, request);
    if (!user.ok()) {
      Response res = ErrorResponse(user.status());
      res.set(boost::beast::http::field::www_authenticate, "Bearer");
      return respond(std::move(res));
    }
    Lint(request, std::move(respond));
  });
}

void EmailLintRoutes::Lint(const HttpRequest& request, Responder respond) {
  auto body = ParseBody(request);
  if (!body.ok()) return respond(ErrorResponse(body.status()));
  auto parsed = ParseDraft(*body);
  if (!parsed.ok()) return respond(ErrorResponse(parsed.status()));
  auto& [draft, engaged] = *parsed;
  email::LintContext context = sender_;
  if (!engaged.empty()) context.engaged_content.push_back(engaged);
  auto check = [this, respond, draft = std::move(draft), context = std::move(context)] {
    respond(Json(200, LintAnswer(email::Lint(draft, context, options_, &facts_))));
  };
  if (!workers_->TrySubmit(std::move(check))) {
    Response busy = ErrorResponse(
        Unavailable("lint_busy", "every email check is busy fetching; try again in a second"));
    busy.set(boost::beast::http::field::retry_after, "1");
    respond(std::move(busy));
  }
}

}  // namespace tandem::http
