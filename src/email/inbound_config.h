// [email.inbound]: the mailbox Tandem reads answers from (replies, bounces, automatic
// replies, complaints), and how many soft bounces suppress an address.
#pragma once

#include <cstdint>
#include <string>

namespace tandem {

struct InboundConfig {
  // The IMAP server, as a URL: "imap://host:143" (STARTTLS as `starttls` says) or
  // "imaps://host:993" (TLS from the start). Empty: no mailbox is polled; messages
  // still come in through POST /api/v1/inbound/mime.
  std::string url;
  std::string user;
  std::string password;
  std::string folder = "INBOX";                // where new messages are read
  std::string processed_folder = "Processed";  // where read messages are moved (created)
  std::string starttls = "opportunistic";      // opportunistic | required | off
  std::string ca_file;  // a PEM CA bundle the server's certificate must chain to
  int64_t poll_interval_s = 60;
  int64_t timeout_ms = 30000;  // one IMAP command
  int64_t batch = 50;          // messages read per poll at most
  // Soft bounces (each for another send) within the window that suppress the address.
  int64_t soft_bounce_limit = 3;
  int64_t soft_bounce_window_days = 30;
};

}  // namespace tandem
