// Helpers the /api/v1 handlers share: authentication, body and field parsing, and
// running a change in one lead transaction.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/clock.h"
#include "http/http_types.h"
#include "leads/lead_engine.h"
#include "store/store.h"

namespace tandem::http {

// The user of the request: its "Authorization: Bearer <token>", else its session cookie
// (see http/auth_routes.h). A change (any method but GET and HEAD) made with a session
// cookie must carry the session's X-CSRF-Token, or it is refused (403 csrf_failed).
StatusOr<UserRecord> Authenticate(Store& store, const Clock& clock, const HttpRequest& request);
Response Json(unsigned status, const nlohmann::json& body);
// A body of another type (text/markdown, …), not cached.
Response Text(unsigned status, std::string_view content_type, std::string body);
// A page with no scripts and nothing loaded from elsewhere (a strict CSP says so).
Response Html(unsigned status, std::string body);

// Wraps `body(request, user)` with authentication (above): 401 with WWW-Authenticate
// when the credentials are missing or wrong.
template <typename Body>
Handler Authed(Store& store, const Clock& clock, Body body) {
  return [&store, &clock, body](HttpRequest&& request, Responder respond) {
    auto user = Authenticate(store, clock, request);
    if (!user.ok()) {
      Response res = ErrorResponse(user.status());
      res.set(boost::beast::http::field::www_authenticate, "Bearer");
      return respond(std::move(res));
    }
    respond(body(request, *user));
  };
}
// The body as a JSON object (400 otherwise).
StatusOr<nlohmann::json> ParseBody(const HttpRequest& request);
// A date ("2026-11-22", its start in UTC) or an RFC 3339 time; nullopt when absent.
StatusOr<std::optional<TimePoint>> TimeField(const nlohmann::json& body, const char* name);
// A string field; "" when absent or null.
StatusOr<std::string> StringField(const nlohmann::json& body, const char* name);

// A lead as the API shows it. `owners` (nullable) remembers owners already looked up.
using OwnerCache = std::map<int64_t, std::optional<UserRecord>>;
StatusOr<std::string> RenderLead(Store& store, const LeadEngine& engine, const LeadRecord& lead,
                                 TimePoint now, OwnerCache* owners = nullptr);

// Runs `work` in one lead transaction and commits it when it succeeds.
template <typename Work>
auto InLeadTxn(Store& store, Work work) -> decltype(work(std::declval<LeadTxn&>())) {
  TANDEM_ASSIGN_OR_RETURN(auto txn, store.BeginLeadTxn());
  auto result = work(*txn);
  if (!result.ok()) return result;
  TANDEM_RETURN_IF_ERROR(txn->Commit());
  return result;
}

}  // namespace tandem::http
