// DeliveryWorker: delivers outbox messages to webhook endpoints, at least once.
//
// Each delivery is posted with its signature; a 2xx answer marks it delivered, anything
// else (an error status, a refused connection, a timeout) schedules a retry with
// exponential backoff (10 s doubling, at most 1 h apart) and never gives up. A lead's
// messages go to an endpoint in order: a delivery waits while an older one for the same
// lead and endpoint is pending. Other leads and endpoints are not held up.
#pragma once

#include <memory>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/wake_signal.h"
#include "outbox/outbox_store.h"
#include "outbox/webhook_config.h"
#include "webhooks/webhook_sender.h"

namespace tandem {

struct Metrics;

// Posts `message` to `hook`, signed with its secret at `unix_seconds`, with the headers
// every delivery carries (Tandem-Signature, Tandem-Event, Tandem-Delivery).
WebhookResponse PostSigned(WebhookSender& sender, const WebhookConfig& hook,
                           const OutboxMessage& message, int64_t unix_seconds);

class DeliveryWorker {
 public:
  // `store`, `sender`, `clock` and `metrics` must outlive the worker.
  DeliveryWorker(OutboxStore& store, WebhookSender& sender, std::vector<WebhookConfig> webhooks,
                 const Clock& clock, Metrics& metrics);
  ~DeliveryWorker();  // Stop()s

  // Attempts every delivery due now, once; returns how many were attempted.
  StatusOr<size_t> DeliverDue();
  // Retry delay after `failed_attempts` failures.
  static std::chrono::milliseconds Backoff(int failed_attempts);

  // Runs DeliverDue on a thread when notified and every second.
  void Start();
  void Notify();
  void Stop();

 private:
  void Run();

  OutboxStore& store_;
  WebhookSender& sender_;
  const std::vector<WebhookConfig> webhooks_;
  const Clock& clock_;
  Metrics& metrics_;
  WakeSignal signal_;
  std::thread thread_;
};

}  // namespace tandem
