// InboundParts: received email, wired — the service that classifies, matches and acts
// on each message, its route (POST /api/v1/inbound/mime) and the [email.inbound]
// mailbox's poller thread.
#pragma once

#include "config/config.h"
#include "email/inbound_mail.h"
#include "email/inbound_poller.h"
#include "http/inbound_routes.h"
#include "http/router.h"
#include "store/store.h"

namespace tandem {

class InboundParts {
 public:
  // Everything must outlive the parts.
  InboundParts(const Config& config, Store& store, const LeadEngine& engine, const Clock& clock)
      : mail_(store, engine, config.email.inbound, config.webhooks),
        routes_(store, mail_, clock),
        poller_(config.email.inbound, mail_, clock) {}

  void Register(http::Router& router) { routes_.Register(router); }
  // Starts polling the mailbox, when one is configured.
  void Start() { poller_.Start(); }
  void Stop() { poller_.Stop(); }

  const InboundMail& mail() const { return mail_; }
  InboundPoller& poller() { return poller_; }

 private:
  InboundMail mail_;
  http::InboundRoutes routes_;
  InboundPoller poller_;
};

}  // namespace tandem
