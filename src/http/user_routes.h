// UserRoutes: the people who use Tandem and their API tokens, under /api/v1.
//
//   GET    /api/v1/users              everyone
//   GET    /api/v1/teams              everyone: the teams and their members
//   GET    /api/v1/users/{id|me}
//   PATCH  /api/v1/users/{id|me}      who may change what: auth/permissions.h, one rule;
//                                     {"active": false} ends the user's sessions, and with
//                                     "revoke_tokens": true its API tokens too
//   GET    /api/v1/tokens[?user=usr_N|all]   own tokens; another user's (or all) for admins
//   POST   /api/v1/tokens             {"name","expires_in_days"} a new token of one's own;
//                                     the secret is in the answer, once
//   DELETE /api/v1/tokens/{tok_N}     revokes: own tokens, any for admins
#pragma once

#include <string_view>

#include "core/clock.h"
#include "http/router.h"
#include "store/store.h"

namespace tandem::http {

class UserRoutes {
 public:
  // Everything must outlive the routes.
  UserRoutes(Store& store, const Clock& clock) : store_(store), clock_(clock) {}
  void Register(Router& router);

 private:
  Response ListUsers();
  Response ListTeams();
  Response GetUser(const UserRecord& user, std::string_view id);
  Response PatchUser(const HttpRequest& request, const UserRecord& user, std::string_view id);
  Response ListTokens(const HttpRequest& request, const UserRecord& user);
  Response CreateToken(const HttpRequest& request, const UserRecord& user);
  Response RevokeToken(const UserRecord& user, std::string_view id);

  Store& store_;
  const Clock& clock_;
};

}  // namespace tandem::http
