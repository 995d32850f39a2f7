// InboundRoutes: POST /api/v1/inbound/mime — a received email, raw (RFC 5322, as mail
// providers' inbound webhooks post it), handed to InboundMail: classified, matched to
// what Tandem sent, acted on and kept as evidence. For an API token of a role that may
// receive mail (admin, marketing). The same message posted again is answered 200 with
// its first record and changes nothing; a new one 201. GET /api/v1/inbound lists what
// came back (a rep's inbox: replies about their leads), /api/v1/inbound/{id} shows one
// with its text, and …/raw its kept bytes, to anyone signed in (as a lead's emails are).
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
  // The most text GET /api/v1/inbound/{id} shows.
  static constexpr size_t kMaxTextBytes = 64 * 1024;

  void RegisterReads(Router& router);
  Response Receive(const HttpRequest& request, const UserRecord& user);
  Response List(const HttpRequest& request, const UserRecord& user);
  Response One(const HttpRequest& request, bool raw);
  static nlohmann::json ListedJson(const InboundMessage& message);

  Store& store_;
  const InboundMail& mail_;
  const Clock& clock_;
};

// The API's view of a received message (without its bytes).
nlohmann::json InboundJson(const InboundMessage& message, bool duplicate);

}  // namespace tandem::http
