// SMTP delivery: one message to one recipient through the configured relay, and a
// pool that shares a few open connections among sending threads at a bounded rate.
//
// A send ends in one of three ways, and the caller's outbox row follows it:
//   kSent      the relay answered 2xx to the end of DATA: it took responsibility.
//   kRejected  a permanent 5xx for this recipient (at RCPT TO or for the message at
//              DATA), or a recipient that is no address: a bounce, never retried.
//   kRetry     anything that may pass later: a 4xx, a refused, dropped or timed-out
//              connection, a TLS or AUTH failure, the relay refusing the sender. When
//              the connection dropped after the message was sent but before the
//              relay's answer, it may have been delivered: the message says so, and a
//              retry carries the same Message-ID.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "email/email_config.h"
#include "email/send_rate.h"

namespace tandem::email {

struct SmtpOutcome {
  enum class Kind { kSent, kRetry, kRejected };
  Kind kind = Kind::kRetry;
  int code = 0;         // the relay's last reply code (0: none, e.g. no connection)
  std::string message;  // what happened, at which step, with the relay's words
};

std::string_view SmtpOutcomeKindName(SmtpOutcome::Kind kind);  // "sent" | "retry" | "rejected"

// One connection's worth of sending. Not thread-safe: one caller at a time.
class MailTransport {
 public:
  virtual ~MailTransport() = default;
  // Sends `message` (a whole RFC 5322 message, CRLF line ends; bare LF or CR are made
  // CRLF) from `envelope_from` ("" for the null sender "<>") to `recipient`.
  virtual SmtpOutcome Send(std::string_view envelope_from, std::string_view recipient,
                           std::string_view message) = 0;
};

// libcurl's SMTP over config.relay: smtp:// with STARTTLS as config.starttls says
// (opportunistic, required, off), or smtps://; AUTH with config.username/password
// when set; the relay's certificate checked against config.ca_file ("" = the
// system's CAs); config.timeout_ms for one message's conversation. The connection
// stays open between sends and is reopened after a drop. The EHLO name is the
// relay URL's path ("smtp://relay:587/mail.example.com"), else this host's name.
std::unique_ptr<MailTransport> NewCurlSmtpTransport(const EmailConfig& config);

// Up to config.connections transports used at once, made by `factory` when first
// needed and reused; at most config.rate_per_second messages a second across all
// of them (0: no limit), spaced evenly (a token bucket holding one token, so an idle
// pool does not start with a burst). Thread-safe: Send blocks until a transport is
// free and the rate allows.
class SmtpPool {
 public:
  SmtpPool(const EmailConfig& config, std::function<std::unique_ptr<MailTransport>()> factory,
           const Clock& clock);

  SmtpOutcome Send(std::string_view envelope_from, std::string_view recipient,
                   std::string_view message);

  // Messages the relay accepted per second over the last 60 s (over the time since
  // the first send while that is shorter): the one number to watch.
  double EffectiveRate() const;

 private:
  std::unique_ptr<MailTransport> Acquire();
  void Release(std::unique_ptr<MailTransport> transport);

  const size_t capacity_;
  const std::function<std::unique_ptr<MailTransport>()> factory_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<MailTransport>> idle_;  // guarded by mu_
  size_t created_ = 0;                                // guarded by mu_
  TokenBucket pacer_;                                 // guarded by mu_
  AcceptedRate accepted_;                             // guarded by mu_
};

}  // namespace tandem::email
