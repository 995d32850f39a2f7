// EmailSender: delivers the queued sends through the relay, each claimed once.
//
// A worker per relay connection claims a few due sends at a time (EmailStore::
// ClaimDueSends), builds each message (email/mime.h) with the Message-ID fixed when it
// was queued, and hands it to the relay (email/smtp_transport.h). Each outcome is
// recorded, with its webhook (email.sent, email.bounced) and, for a bounce, the
// suppressed address and a line on the lead's timeline, in the transaction that marks
// the next send's attempt as begun:
//   2xx  sent; the rendered parts are dropped.
//   5xx  bounced for good: the address is suppressed, no email goes to it again.
//   4xx, no connection, a dropped one: retried with backoff (1 min doubling, at most
//        1 h apart) up to kMaxAttempts, then failed.
// A worker that dies leaves its sends claimed; when the claim runs out the one whose
// attempt had begun is marked interrupted and never sent again by itself, so nobody gets
// a second copy of a message the relay may already have taken, and the others, never
// tried, are due again.
#pragma once

#include <atomic>
#include <chrono>
#include <limits>
#include <memory>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/wake_signal.h"
#include "email/email_config.h"
#include "email/email_store.h"
#include "email/smtp_transport.h"
#include "outbox/outbox_writer.h"

namespace tandem {

struct Metrics;

class EmailSender {
 public:
  static constexpr int kMaxAttempts = 8;
  static constexpr size_t kClaimBatch = 16;

  // `store`, `pool`, `clock` and `metrics` must outlive the sender.
  EmailSender(EmailStore& store, email::SmtpPool& pool, EmailConfig config,
              std::vector<WebhookConfig> webhooks, const Clock& clock, Metrics& metrics);
  ~EmailSender();  // Stop()s

  // Claims and sends one batch now, on the calling thread; returns how many were
  // attempted (0: nothing was due).
  StatusOr<size_t> SendDue();
  // The wait before attempt `attempts` + 1 after a temporary failure.
  static std::chrono::milliseconds Backoff(int64_t attempts);

  // Starts one worker thread per relay connection, each sending while there is work
  // and waking when notified and every second.
  void Start();
  void Notify();
  void Stop();

 private:
  struct Attempt;
  Attempt Deliver(const EmailSend& send);
  // The outcome of `send`'s attempt, with its webhook, suppression and timeline line.
  Status Record(EmailTxn& txn, const EmailSend& send, const Attempt& outcome, TimePoint now);
  // One transaction: `finished`'s outcome recorded (if any), `next`'s attempt begun (if any).
  Status Step(const EmailSend* finished, const Attempt& outcome, const EmailSend* next);
  // Marks sends whose claim ran out interrupted, at most once per kStaleCheckEvery
  // across the workers (the look is a write that scans the due sends).
  Status InterruptStale(TimePoint now);
  void Run();

  static constexpr std::chrono::minutes kStaleCheckEvery{1};

  EmailStore& store_;
  email::SmtpPool& pool_;
  const EmailConfig config_;
  const OutboxWriter outbox_;
  const Clock& clock_;
  Metrics& metrics_;
  WakeSignal signal_;
  std::atomic<bool> stopping_{false};
  // When InterruptStale last looked (unix ms); none yet: the lowest value.
  std::atomic<int64_t> stale_checked_ms_{std::numeric_limits<int64_t>::min()};
  std::vector<std::thread> threads_;
};

}  // namespace tandem
