// InboundRoutes: POST /api/v1/inbound/mime — a received email, raw (RFC 5322, as mail
// providers' inbound webhooks post it), handed to InboundMail: classified, matched to
// what Tandem sent, acted on and kept as evidence. For an API token of a role that may
// receive mail (admin, marketing). The same message posted again is answered 200 with
// its first record and changes nothing; a new one 201.
#pragma once

#include "core/clock.h"
#include "email/inbound_mail.h"
#include "http/router.h"
#include "store/store.h"

namespace tandem::http {

class InboundRoutes {
 public:
  // The largest body taken (413 beyond; the server's body limit may refuse it first).
  static constexpr size_t kMaxBodyBytes = 1024 * 1024;

  // Everything must outlive the routes.
  InboundRoutes(Store& store, const InboundMail& mail, const Clock& clock)
      : store_(store), mail_(mail), clock_(clock) {}

  void Register(Router& router);

 private:
  Response Receive(const HttpRequest& request, const UserRecord& user);

  Store& store_;
  const InboundMail& mail_;
  const Clock& clock_;
};

// The API's view of a received message (without its bytes).
nlohmann::json InboundJson(const InboundMessage& message, bool duplicate);

}  // namespace tandem::http
