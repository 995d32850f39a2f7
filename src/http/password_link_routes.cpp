// AuthRoutes' password links: the page an invite or a reset links to asks whose password
// the link sets, then sets it and signs the user in. No session is needed: the link's
// secret is the credential, used once. Hashing runs on the password workers, as for a
// sign-in.
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "auth/password_links.h"
#include "auth/passwords.h"
#include "auth/permissions.h"
#include "core/ids.h"
#include "core/time_format.h"
#include "http/api_common.h"
#include "http/audit_routes.h"
#include "http/auth_routes.h"

namespace tandem::http {
namespace {

using nlohmann::json;
namespace bhttp = boost::beast::http;

Response LinkGone() {
  return ErrorResponse(404, "link_invalid",
                       "this link was used already, has expired or was replaced by a newer one; "
                       "ask an admin or your manager for a new one");
}

// The body's string field `name`, required.
StatusOr<std::string> RequiredText(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || !it->is_string() || it->get<std::string>().empty()) {
    return InvalidArgument("invalid_field", fmt::format("{} is required (a string)", name));
  }
  return it->get<std::string>();
}

}  // namespace

// A link is good only while whoever made it may still act on its user: one a manager
// made for a rep stops working once the rep is made a manager or an admin.
StatusOr<bool> AuthRoutes::IssuerMayStill(const UserRecord& user, const PasswordLink& link) {
  if (!link.created_by) return true;  // from the command line
  TANDEM_ASSIGN_OR_RETURN(auto issuer, store_.GetUser(*link.created_by));
  if (!issuer || !issuer->active) return false;
  const UserAction action =
      link.purpose == "invite" ? UserAction::kSetRole : UserAction::kSetActive;
  return CheckCanActOnUser(*issuer, user, action, user.role).ok();
}

void AuthRoutes::RegisterPasswordLinks(Router& router) {
  router.Add("POST", "/auth/password-link", [this](HttpRequest&& request, Responder respond) {
    respond(CheckPasswordLink(request));
  });
  router.Add("POST", "/auth/password", [this](HttpRequest&& request, Responder respond) {
    SetPasswordFromLink(std::move(request), std::move(respond));
  });
}

Response AuthRoutes::CheckPasswordLink(const HttpRequest& request) {
  auto body = ParseBody(request);
  if (!body.ok()) return ErrorResponse(body.status());
  auto token = body->is_object() ? RequiredText(*body, "token")
                                 : StatusOr<std::string>(InvalidArgument(
                                       "invalid_field", "the body must be a JSON object"));
  if (!token.ok()) return ErrorResponse(token.status());
  auto found = store_.FindPasswordLink(HashPasswordLinkToken(*token), clock_.Now());
  if (!found.ok()) return ErrorResponse(found.status());
  if (!*found || !(*found)->first.active) return LinkGone();
  const auto& [user, link] = **found;
  auto still = IssuerMayStill(user, link);
  if (!still.ok()) return ErrorResponse(still.status());
  if (!*still) return LinkGone();
  return Json(200, {{"email", user.email},
                    {"name", user.name},
                    {"purpose", link.purpose},
                    {"expires_at", FormatIsoTime(link.expires_at)}});
}

void AuthRoutes::SetPasswordFromLink(HttpRequest&& request, Responder respond) {
  if (auto refused = CrossOrigin(request, "setting a password"))
    return respond(std::move(*refused));
  auto body = ParseBody(request);
  if (!body.ok()) return respond(ErrorResponse(body.status()));
  if (!body->is_object()) {
    return respond(ErrorResponse(400, "invalid_field", "the body must be a JSON object"));
  }
  auto token = RequiredText(*body, "token");
  if (!token.ok()) return respond(ErrorResponse(token.status()));
  auto password = RequiredText(*body, "password");
  if (!password.ok()) return respond(ErrorResponse(password.status()));
  auto responder = std::make_shared<Responder>(std::move(respond));
  const bool secure = SecureCookie(request);
  const bool queued = workers_->TrySubmit(
      [this, responder, token = std::move(*token), password = std::move(*password), secure] {
        (*responder)(UsePasswordLink(token, password, secure));
      });
  if (!queued) {
    Response busy =
        ErrorResponse(503, "signin_busy", "too many passwords are being checked; try again");
    busy.set(bhttp::field::retry_after, "1");
    (*responder)(std::move(busy));
  }
}

Response AuthRoutes::UsePasswordLink(const std::string& token, const std::string& password,
                                     bool secure) {
  const std::string hash = HashPasswordLinkToken(token);
  auto found = store_.FindPasswordLink(hash, clock_.Now());
  if (!found.ok()) return ErrorResponse(found.status());
  if (!*found || !(*found)->first.active) return LinkGone();
  const UserRecord& user = (*found)->first;
  auto still = IssuerMayStill(user, (*found)->second);
  if (!still.ok()) return ErrorResponse(still.status());
  if (!*still) return LinkGone();
  if (Status strong = CheckPasswordStrength(password, user.email); !strong.ok()) {
    return ErrorResponse(strong);
  }
  auto password_hash = HashPassword(password);
  if (!password_hash.ok()) return ErrorResponse(password_hash.status());
  auto used = store_.UsePasswordLink(hash, *password_hash, clock_.Now());
  if (!used.ok()) return ErrorResponse(used.status());
  if (!*used) return LinkGone();  // another request used it meanwhile
  AuditDone(store_, clock_, **used, audit_action::kUserChanged, UserIdText((*used)->id),
            json{{"password", "set"}, {"how", (*found)->second.purpose + "_link"}}.dump());
  // A sign-in that worked: any lock-out of the address ends.
  throttle_.Unlock((*used)->email);
  return OpenSession(**used, secure);
}

}  // namespace tandem::http
