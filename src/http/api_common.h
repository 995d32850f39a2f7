// Helpers the /api/v1 handlers share: authentication, rate limits, body and field
// parsing, and running a change in one lead transaction.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>

#include "auth/rate_limiter.h"
#include "core/clock.h"
#include "http/http_types.h"
#include "leads/lead_engine.h"
#include "store/store.h"

namespace tandem::http {

// The user of the request: its "Authorization: Bearer <token>", else its session cookie
// (see http/auth_routes.h). A change (any method but GET and HEAD) made with a session
// cookie must carry the session's X-CSRF-Token, or it is refused (403 csrf_failed).
// An API token must be unexpired at the clock's time; its last use is recorded, at most
// once per kTokenUseGranularity.
StatusOr<UserRecord> Authenticate(Store& store, const Clock& clock, const HttpRequest& request);
// The user a path names — "usr_N", or "me" for `me` —: 404 not_found when there is none.
StatusOr<UserRecord> UserOfPath(Store& store, std::string_view id, const UserRecord& me);
inline constexpr std::chrono::minutes kTokenUseGranularity{1};

// The client address request limits count against: the TCP peer; behind a trusted proxy
// (`trust_proxy`), the address that proxy saw — the LAST X-Forwarded-For entry, the one
// it appended (the first entries are whatever the client chose to send).
std::string RateLimitedClient(const HttpRequest& request, bool trust_proxy);
// 429 with Retry-After (at least 1 s).
Response TooManyRequests(std::string_view code, std::string_view message,
                         std::chrono::seconds retry_after);

// The /api/v1 request limits: one token bucket per client address and one per credential
// (API token or session cookie, keyed by its hash). Install Check as the router's guard
// of /api/v1/. Thread-safe.
class ApiRateLimits {
 public:
  struct Options {
    RateLimit per_client;
    RateLimit per_credential;
    bool trust_proxy = false;
  };
  // `clock` must outlive the limits.
  ApiRateLimits(Options options, const Clock& clock);
  // nullopt to go on, else the 429 to answer.
  std::optional<Response> Check(const HttpRequest& request);

 private:
  const Options options_;
  const Clock& clock_;
  TokenBuckets clients_;
  TokenBuckets credentials_;
};

Response Json(unsigned status, const nlohmann::json& body);
// A body of another type (text/markdown, …), not cached.
Response Text(unsigned status, std::string_view content_type, std::string body);
// A page with no scripts and nothing loaded from elsewhere (a strict CSP says so).
Response Html(unsigned status, std::string body);
// A page for the people Tandem emails (the unsubscribe page, a broken link): `content`
// is HTML, `title` text.
std::string Page(std::string_view title, std::string_view content);

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
// Resolves "ld_N" (following person merges) to the lead that exists now; 404 otherwise.
StatusOr<int64_t> FindLeadId(Store& store, std::string_view text);
// Authed (above) for a route under /api/v1/leads/{id}: the lead id resolved, then
// `body(request, user, lead_id)`.
template <typename Body>
Handler LeadAuthed(Store& store, const Clock& clock, Body body) {
  return Authed(store, clock,
                [&store, body](const HttpRequest& request, const UserRecord& user) -> Response {
                  auto lead_id = FindLeadId(store, request.params.Get("id"));
                  if (!lead_id.ok()) return ErrorResponse(lead_id.status());
                  return body(request, user, *lead_id);
                });
}
// The id in path parameter `name`, written "<prefix><n>" ("bc_12"): 404 "<what> <text>
// does not exist" when it is not one.
StatusOr<int64_t> PathId(const HttpRequest& request, const char* name, const char* prefix,
                         const char* what);
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
// A page of leads as the API shows them, each as RenderLead would: their score items
// are read in one call for the page, each owner once.
StatusOr<std::vector<std::string>> RenderLeads(Store& store, const LeadEngine& engine,
                                               std::span<const LeadRecord> leads, TimePoint now);

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
