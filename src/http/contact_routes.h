// ContactRoutes: the contact gate over HTTP — a lead's preferences, consents,
// contact check and touches (/api/v1/leads/{id}/…); the person's unsubscribe page
// (/u/<token>, RFC 8058 one-click).
#pragma once

#include <optional>
#include <string>

#include "core/clock.h"
#include "http/router.h"
#include "leads/lead_engine.h"
#include "store/store.h"

namespace tandem::http {

class ContactRoutes {
 public:
  // How long a confirmation link sent to the person stays good.
  static constexpr std::chrono::hours kResubscribeLinkLife{24 * 7};
  struct Options {
    std::string public_url;  // base of unsubscribe links; "" = from the request's Host
  };
  // Everything must outlive the routes. `secret` signs unsubscribe tokens; it may be
  // filled in after construction, before the server starts.
  ContactRoutes(Store& store, const LeadEngine& engine, const Clock& clock,
                const std::string& secret, Options options)
      : store_(store), engine_(engine), clock_(clock), secret_(secret), options_(options) {}

  void Register(Router& router);

 private:
  void RegisterTouches(Router& router);
  Response GetPreferences(int64_t lead_id);
  Response PutPreferences(const HttpRequest& request, const UserRecord& user, int64_t lead_id);
  Response ListConsents(int64_t lead_id);
  Response AddConsent(const HttpRequest& request, const UserRecord& user, int64_t lead_id);
  Response ContactCheck(const HttpRequest& request, const UserRecord& user, int64_t lead_id);
  Response AddTouch(const HttpRequest& request, const UserRecord& user, int64_t lead_id);
  Response ListTouches(int64_t lead_id);
  Response ConfirmTouch(const UserRecord& user, int64_t lead_id, std::string_view touch_text);
  Response UnsubscribeLink(const HttpRequest& request, int64_t lead_id);
  Response PreferencePage(const HttpRequest& request, bool post);
  // The page a confirmation link (sent to the person's address) opens.
  Response ConfirmPage(const HttpRequest& request, std::string_view token, bool post);
  // Sends the person a confirmation link; what the page tells them (HTML-safe).
  StatusOr<std::string> RequestResubscribe(int64_t lead_id, TimePoint now);

  std::string BaseUrl(const HttpRequest& request) const;

  Store& store_;
  const LeadEngine& engine_;
  const Clock& clock_;
  const std::string& secret_;
  const Options options_;
};

}  // namespace tandem::http
