// EmailParts: Tandem's email, wired: the fetcher of images and links (one cache for
// every check), the relay's connections, the service that renders, checks and gates
// each message, the sender, and a producer thread that takes broadcasts' next
// recipients, sequences' due steps and the outbox's staff mail as the sender drains
// them; and their routes.
#pragma once

#include <memory>
#include <thread>

#include "config/config.h"
#include "core/wake_signal.h"
#include "email/broadcasts.h"
#include "email/email_sender.h"
#include "email/email_service.h"
#include "email/engagement.h"
#include "email/resource_fetcher.h"
#include "email/smtp_transport.h"
#include "email/staff_mail.h"
#include "http/email_lint_routes.h"
#include "http/email_routes.h"
#include "http/sequence_routes.h"
#include "http/tracking_routes.h"
#include "metrics/metrics.h"
#include "notifications/app_notices.h"
#include "sequences/sequence_runner.h"
#include "store/store.h"

namespace tandem {

class EmailParts {
 public:
  // Everything must outlive the parts; `unsubscribe_secret` may be filled in later,
  // before Start().
  EmailParts(const Config& config, Store& store, const LeadEngine& engine, const Clock& clock,
             Metrics& metrics, const std::string& unsubscribe_secret);
  ~EmailParts();  // Stop()s

  void Register(http::Router& router);
  // Starts the sender (when a relay is configured) and the producer.
  Status Start();
  // Answers the requests queued for the email threads, then stops every thread.
  void Stop();

  const EmailService& service() const { return service_; }
  EmailSender& sender() { return sender_; }
  const SequenceService& sequences() const { return sequences_; }
  // Wakes the producer for a round now (a schedule changed, the clock moved).
  void Wake() { signal_.Notify(); }
  // One round of the producer, on the calling thread: broadcasts' next recipients,
  // sequences' due steps and new staff mail; returns the work done.
  StatusOr<size_t> ProduceOnce();

 private:
  void Produce();

  const Clock& clock_;
  email::FetchedResources resources_;
  email::SmtpPool pool_;
  EmailService service_;
  EmailSender sender_;
  BroadcastRunner runner_;
  SequenceService sequences_;
  SequenceRunner sequence_runner_;
  StaffMail staff_;
  AppNotices notices_;
  http::EmailLintRoutes lint_routes_;
  http::EmailRoutes routes_;
  EngagementRecorder engagement_;
  http::TrackingRoutes tracking_;
  http::SequenceRoutes sequence_routes_;
  WakeSignal signal_;
  std::thread producer_;
};

}  // namespace tandem
