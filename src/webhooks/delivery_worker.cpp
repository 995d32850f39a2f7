#include "webhooks/delivery_worker.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "metrics/metrics.h"
#include "webhooks/signature.h"

namespace tandem {

DeliveryWorker::DeliveryWorker(OutboxStore& store, WebhookSender& sender,
                               std::vector<WebhookConfig> webhooks, const Clock& clock,
                               Metrics& metrics)
    : store_(store),
      sender_(sender),
      webhooks_(std::move(webhooks)),
      clock_(clock),
      metrics_(metrics) {}

DeliveryWorker::~DeliveryWorker() { Stop(); }

std::chrono::milliseconds DeliveryWorker::Backoff(int failed_attempts) {
  constexpr int64_t kFirstMs = 10000, kMaxMs = 3600000;
  int shift = std::clamp(failed_attempts - 1, 0, 20);
  return std::chrono::milliseconds(std::min(kMaxMs, kFirstMs << shift));
}

WebhookResponse PostSigned(WebhookSender& sender, const WebhookConfig& hook,
                           const OutboxMessage& message, int64_t unix_seconds) {
  return sender.Post(
      hook.url,
      {{"Tandem-Signature", SignatureHeader(hook.secret, unix_seconds, message.payload)},
       {"Tandem-Event", message.type},
       {"Tandem-Delivery", message.uid}},
      message.payload);
}

StatusOr<size_t> DeliveryWorker::DeliverDue() {
  const TimePoint now = clock_.Now();
  TANDEM_ASSIGN_OR_RETURN(auto due, store_.DueDeliveries(now, 100));
  for (const PendingDelivery& d : due) {
    auto hook = std::find_if(webhooks_.begin(), webhooks_.end(),
                             [&](const WebhookConfig& w) { return w.url == d.endpoint; });
    if (hook == webhooks_.end()) {
      // The endpoint left the configuration: keep the delivery for when it returns.
      TANDEM_RETURN_IF_ERROR(store_.MarkAttemptFailed(d.id, 0, "endpoint not configured",
                                                      now + Backoff(d.attempts + 1)));
      continue;
    }
    WebhookResponse response =
        PostSigned(sender_, *hook, d.message, ToUnixMillis(clock_.Now()) / 1000);
    if (response.status >= 200 && response.status < 300) {
      TANDEM_RETURN_IF_ERROR(store_.MarkDelivered(d.id, response.status, clock_.Now()));
      metrics_.webhook_deliveries.Increment({"delivered"});
      continue;
    }
    std::string error =
        response.error.empty() ? "HTTP " + std::to_string(response.status) : response.error;
    spdlog::warn("webhook {} {} to {}: {} (attempt {})", d.message.type, d.message.uid, d.endpoint,
                 error, d.attempts + 1);
    metrics_.webhook_deliveries.Increment({"failed"});
    TANDEM_RETURN_IF_ERROR(store_.MarkAttemptFailed(d.id, response.status, error,
                                                    clock_.Now() + Backoff(d.attempts + 1)));
  }
  return due.size();
}

void DeliveryWorker::Start() {
  if (!thread_.joinable() && !webhooks_.empty()) thread_ = std::thread([this] { Run(); });
}

void DeliveryWorker::Notify() { signal_.Notify(); }

void DeliveryWorker::Stop() {
  signal_.RequestStop();
  if (thread_.joinable()) thread_.join();
}

void DeliveryWorker::Run() {
  while (signal_.WaitForWork(std::chrono::seconds(1))) {
    // Due deliveries come 100 at a time; keep going while there are more.
    for (;;) {
      auto attempted = DeliverDue();
      if (!attempted.ok()) {
        spdlog::error("webhook delivery: {}", attempted.status().ToString());
        break;
      }
      if (*attempted < 100 || signal_.stopping()) break;
    }
    if (auto pending = store_.CountPendingDeliveries(); pending.ok()) {
      metrics_.webhook_pending.Set(*pending);
    }
  }
}

}  // namespace tandem
