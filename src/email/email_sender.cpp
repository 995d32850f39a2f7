#include "email/email_sender.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/time_format.h"
#include "email/mime.h"
#include "identity/email.h"
#include "metrics/metrics.h"

namespace tandem {

struct EmailSender::Attempt {
  SendStatus status = SendStatus::kSent;
  int64_t code = 0;
  std::string error;
};

EmailSender::EmailSender(EmailStore& store, email::SmtpPool& pool, EmailConfig config,
                         std::vector<WebhookConfig> webhooks, const Clock& clock, Metrics& metrics)
    : store_(store),
      pool_(pool),
      config_(std::move(config)),
      outbox_(std::move(webhooks)),
      clock_(clock),
      metrics_(metrics) {}

EmailSender::~EmailSender() { Stop(); }

std::chrono::milliseconds EmailSender::Backoff(int64_t attempts) {
  const int64_t doublings = std::clamp<int64_t>(attempts - 1, 0, 6);
  return std::min<std::chrono::milliseconds>(std::chrono::minutes(1) * (int64_t{1} << doublings),
                                             std::chrono::hours(1));
}

EmailSender::Attempt EmailSender::Deliver(const EmailSend& send) {
  email::OutgoingEmail message;
  message.from = {config_.from_name, config_.from_address};
  message.to = {send.to_name, send.to_address};
  if (send.marketing) message.reply_to = config_.reply_to;
  message.subject = send.subject;
  message.html = send.html;
  message.text = send.text;
  message.message_id = send.message_id;
  message.date = send.created_at;
  message.list_unsubscribe_url = send.unsubscribe_url;
  message.headers = {{"X-Tandem-Send", send.uid}};
  if (send.broadcast_id) {
    message.headers.emplace_back("Feedback-ID",
                                 fmt::format("b{}:broadcast:tandem", *send.broadcast_id));
  }
  auto bytes = email::BuildMime(message);
  if (!bytes.ok()) {
    // Nothing a retry would change: the message cannot be written.
    return {SendStatus::kFailed, 0, bytes.status().message()};
  }
  email::SmtpOutcome outcome = pool_.Send(config_.from_address, send.to_address, *bytes);
  switch (outcome.kind) {
    case email::SmtpOutcome::Kind::kSent:
      return {SendStatus::kSent, outcome.code, ""};
    case email::SmtpOutcome::Kind::kRejected:
      return {SendStatus::kBounced, outcome.code, outcome.message};
    case email::SmtpOutcome::Kind::kRetry:
      break;
  }
  const SendStatus status =
      send.attempts >= kMaxAttempts ? SendStatus::kFailed : SendStatus::kRetrying;
  return {status, outcome.code, outcome.message};
}

Status EmailSender::Record(EmailTxn& txn, const EmailSend& send, const Attempt& a, TimePoint now) {
  const TimePoint next = a.status == SendStatus::kRetrying ? now + Backoff(send.attempts) : now;
  TANDEM_RETURN_IF_ERROR(txn.RecordAttempt(send.id, a.status, a.code, a.error, next, now));
  if (a.status == SendStatus::kBounced) {
    TANDEM_RETURN_IF_ERROR(txn.Suppress(Suppression{NormalizeEmail(send.to_address), "bounce",
                                                    fmt::format("{} {}", a.code, a.error), now}));
  }
  // Webhooks and the timeline hear of email to leads, not of staff mail or tests.
  if (!send.lead_id || send.kind == SendKind::kNotification || send.kind == SendKind::kTest) {
    return OkStatus();
  }
  const bool sent = a.status == SendStatus::kSent;
  // The relay took it after the gate let it through: the recipient saw their arm.
  if (sent && send.experiment_id && send.experiment_arm) {
    TANDEM_RETURN_IF_ERROR(
        txn.ExposePerson(*send.experiment_id, *send.lead_id, *send.experiment_arm, now).status());
  }
  if (a.status == SendStatus::kBounced) {
    LeadLogEntry entry;
    entry.lead_id = *send.lead_id;
    entry.at = now;
    entry.kind = "email_bounced";
    entry.actor = "system";
    entry.data = SendWebhookJson(send, a.code, a.error).dump();
    TANDEM_RETURN_IF_ERROR(txn.AppendLog(entry));
  }
  const char* type = sent ? "email.sent" : "email.bounced";
  if ((sent || a.status == SendStatus::kBounced) && outbox_.Wanted(type, false)) {
    nlohmann::json data = {{"email", SendWebhookJson(send, a.code, a.error)}};
    TANDEM_RETURN_IF_ERROR(outbox_.Write(txn, type, *send.lead_id, data, now).status());
  }
  return OkStatus();
}

Status EmailSender::Step(const EmailSend* finished, const Attempt& outcome, const EmailSend* next) {
  const TimePoint now = clock_.Now();
  TANDEM_ASSIGN_OR_RETURN(auto txn, store_.BeginEmailTxn());
  if (finished) TANDEM_RETURN_IF_ERROR(Record(*txn, *finished, outcome, now));
  if (next) TANDEM_RETURN_IF_ERROR(txn->StartAttempt(next->id, now));
  return txn->Commit();
}

Status EmailSender::InterruptStale(TimePoint now) {
  const int64_t now_ms = ToUnixMillis(now);
  int64_t last = stale_checked_ms_.load();
  // Once a minute, or as often as half a claim when claims are shorter.
  const int64_t every =
      std::min<int64_t>(std::chrono::milliseconds(kStaleCheckEvery).count(), config_.claim_s * 500);
  if (last != std::numeric_limits<int64_t>::min() && now_ms - last < every) return OkStatus();
  if (!stale_checked_ms_.compare_exchange_strong(last, now_ms)) return OkStatus();
  TANDEM_ASSIGN_OR_RETURN(StaleSends stale, store_.InterruptStaleSends(now));
  if (stale.interrupted > 0) {
    metrics_.email_sends.Increment({"interrupted"}, stale.interrupted);
    spdlog::warn(
        "email: {} sends were interrupted mid-attempt (their sender stopped); they are "
        "not sent again by themselves",
        stale.interrupted);
  }
  if (stale.requeued > 0) {
    spdlog::info("email: {} sends claimed by a sender that stopped are due again", stale.requeued);
  }
  return OkStatus();
}

StatusOr<size_t> EmailSender::SendDue() {
  const TimePoint now = clock_.Now();
  TANDEM_RETURN_IF_ERROR(InterruptStale(now));
  TANDEM_ASSIGN_OR_RETURN(
      auto sends, store_.ClaimDueSends(now, kClaimBatch, std::chrono::seconds(config_.claim_s)));
  // Each attempt is marked as begun in the transaction that records the one before it.
  Attempt a;
  for (size_t i = 0; i < sends.size(); ++i) {
    TANDEM_RETURN_IF_ERROR(Step(i > 0 ? &sends[i - 1] : nullptr, a, &sends[i]));
    a = Deliver(sends[i]);
    metrics_.email_sends.Increment({a.status == SendStatus::kRetrying ? std::string_view("retried")
                                                                      : SendStatusName(a.status)});
  }
  metrics_.email_rate_millis.Set(static_cast<int64_t>(pool_.EffectiveRate() * 1000));
  if (!sends.empty()) TANDEM_RETURN_IF_ERROR(Step(&sends.back(), a, nullptr));
  return sends.size();
}

void EmailSender::Start() {
  if (!threads_.empty() || config_.relay.empty()) return;
  for (int64_t i = 0; i < config_.connections; ++i) threads_.emplace_back([this] { Run(); });
}

void EmailSender::Notify() { signal_.Notify(); }

void EmailSender::Stop() {
  signal_.RequestStop();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

void EmailSender::Run() {
  while (signal_.WaitForWork(std::chrono::seconds(1))) {
    for (;;) {
      auto sent = SendDue();
      if (!sent.ok()) {
        spdlog::error("email: sending failed: {}", sent.status().message());
        break;
      }
      if (*sent < kClaimBatch || signal_.stopping()) break;
      signal_.Notify();  // more is due: wake another worker to share it
    }
  }
}

}  // namespace tandem
