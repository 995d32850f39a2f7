// UserRoutes: the people who use Tandem and their API tokens, under /api/v1.
//
//   GET    /api/v1/users              everyone
//   GET    /api/v1/teams              everyone: the teams and their members
//   GET    /api/v1/users/{id|me}
//   PATCH  /api/v1/users/{id|me}      who may change what: auth/permissions.h, one rule;
//                                     {"active": false} ends the user's sessions, and with
//                                     "revoke_tokens": true its API tokens too
//   POST   /api/v1/users              invite: a user with no password and a link that sets
//                                     one (emailed when email is set up, and in the answer)
//   POST   /api/v1/users/{id}/password-link   a reset: a new link that sets a new password
//   GET    /api/v1/tokens[?user=usr_N|all]   own tokens; another user's (or all) for admins
//   POST   /api/v1/tokens             {"name","expires_in_days"} a new token of one's own;
//                                     the secret is in the answer, once
//   DELETE /api/v1/tokens/{tok_N}     revokes: own tokens, any for admins
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "core/clock.h"
#include "http/router.h"
#include "store/store.h"

namespace tandem::http {

// Emails a user about their own account (subject, text); false when email is not set up.
using AccountMail = std::function<StatusOr<bool>(const UserRecord& to, const std::string& subject,
                                                 const std::string& text)>;

class UserRoutes {
 public:
  // Everything must outlive the routes. `web_address` gives the address (ending in "/")
  // that starts the links of invites and resets; without `mail` they are only in the answer.
  UserRoutes(Store& store, const Clock& clock, std::function<std::string()> web_address = {},
             AccountMail mail = {})
      : store_(store),
        clock_(clock),
        web_address_(std::move(web_address)),
        mail_(std::move(mail)) {}
  void Register(Router& router);

 private:
  Response ListUsers();
  Response ListTeams();
  Response GetUser(const UserRecord& user, std::string_view id);
  Response PatchUser(const HttpRequest& request, const UserRecord& user, std::string_view id);
  // API tokens (user_tokens.cpp).
  void RegisterTokens(Router& router);
  Response ListTokens(const HttpRequest& request, const UserRecord& user);
  Response CreateToken(const HttpRequest& request, const UserRecord& user);
  Response RevokeToken(const UserRecord& user, std::string_view id);
  Response InviteUser(const HttpRequest& request, const UserRecord& actor);
  Response ResetPassword(const UserRecord& actor, std::string_view id);
  // Makes a password link for `user`, emails it when it can: {"url","expires_at","emailed"}.
  StatusOr<nlohmann::json> IssuePasswordLink(const UserRecord& actor, const UserRecord& user,
                                             bool invite);

  Store& store_;
  const Clock& clock_;
  const std::function<std::string()> web_address_;
  const AccountMail mail_;
};

}  // namespace tandem::http
