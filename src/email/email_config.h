// [email]: who Tandem's email comes from, the relay it goes through, how fast, and
// what every marketing email must carry (the unsubscribe link and the postal address
// the default layout adds).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "contact/channel.h"
#include "core/status.h"

#include "email/inbound_config.h"

namespace tandem {

struct EmailConfig {
  // The relay, as a URL: "smtp://host:587" (STARTTLS when the server offers it, or
  // always with starttls = "required"), "smtps://host:465" (TLS from the start).
  // Empty: nothing is sent; sends wait in the outbox until a relay is configured.
  std::string relay;
  std::string starttls = "opportunistic";  // opportunistic | required | off
  std::string username;                    // AUTH, when the relay asks for it
  std::string password;
  // A PEM CA bundle the relay's certificate must chain to (a private CA); "": the system's.
  std::string ca_file;
  int64_t connections = 4;     // connections to the relay kept open at once
  double rate_per_second = 0;  // most messages a second across them; 0: no limit
  int64_t timeout_ms = 30000;  // one message's conversation with the relay
  // How long a sender holds the sends it took. Still held after this, its process died:
  // the one it was attempting is marked interrupted and not sent again by itself, the
  // others are due again. Well above timeout_ms times the sends taken at once (16).
  int64_t claim_s = 600;
  std::string from_address;    // the envelope and From: address (required to send)
  std::string from_name;       // shown beside it ("Acme Marketing")
  std::string reply_to;        // optional Reply-To for marketing email
  std::string company_name;    // the sender, as the copy check and the footer name it
  std::string postal_address;  // the footer's physical address (CAN-SPAM)
  // Where Message-IDs are made ("<random>@<domain>"); empty: from_address's domain.
  std::string message_id_domain;
  // The pre-send check.
  int64_t fetch_timeout_ms = 3000;   // fetching an image or link at check time
  int64_t fetch_cache_s = 600;       // how long a fetched answer is reused
  bool fetch_private_hosts = false;  // may the check fetch loopback or private addresses
  double you_focus_min = 1.0;        // you/your per we/our/us below this: a warning
  // Engagement (email/tracking.h), in email to leads when server.public_url is https.
  bool track_clicks = true;  // links go through the signed redirect
  bool track_opens = true;   // the open image
  InboundConfig inbound;     // [email.inbound]
};

// Whether an email for `purpose` can be sent as configured, checked before anything is
// queued: every email needs [email] from_address; marketing email also needs
// server.public_url (its unsubscribe link must reach this server from the recipient's
// mailbox). 422 email_not_configured naming the missing setting.
Status CheckSendable(const EmailConfig& config, std::string_view public_url, Purpose purpose);

}  // namespace tandem
