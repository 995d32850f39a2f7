// TrackingRoutes: the links in email to leads (email/tracking.h). /t/c/… sends a click on
// to its link, /t/o/….gif answers the open image; each is recorded by the
// EngagementRecorder. Public: the recipients' mail clients and browsers call them. A
// link that is not the server's (its MAC does not match) gets a 404 page and goes
// nowhere.
#pragma once

#include "email/engagement.h"
#include "http/router.h"

namespace tandem::http {

class TrackingRoutes {
 public:
  // `recorder` must outlive the routes; `trust_proxy`: the client's address is the one
  // the proxy in front saw (api_common.h RateLimitedClient).
  TrackingRoutes(const EngagementRecorder& recorder, bool trust_proxy)
      : recorder_(recorder), trust_proxy_(trust_proxy) {}

  void Register(Router& router);

 private:
  Response Click(const HttpRequest& request) const;
  Response Open(const HttpRequest& request) const;
  EngagementRequestFacts Facts(const HttpRequest& request) const;

  const EngagementRecorder& recorder_;
  const bool trust_proxy_;
};

}  // namespace tandem::http
