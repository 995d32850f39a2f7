// What the outbox asks of the store: writing a message with its deliveries inside the
// transaction that caused it, and handing the deliveries out to their senders.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "outbox/outbox_message.h"

namespace tandem {

// Inside a lead's transaction.
class OutboxWrites {
 public:
  virtual ~OutboxWrites() = default;
  // Writes an outbox message and one pending delivery per endpoint.
  virtual Status Enqueue(const OutboxMessage& message, std::span<const std::string> endpoints,
                         TimePoint now) = 0;
};

// How long a delivery handed out by DueDeliveries stays claimed: longer than a batch of
// attempts takes; after it, a delivery whose worker died is attempted again.
inline constexpr std::chrono::minutes kDeliveryClaim{10};

class OutboxStore {
 public:
  virtual ~OutboxStore() = default;
  // Outbox messages after `after_id` in order (notifications and webhook bodies).
  virtual StatusOr<std::vector<OutboxMessage>> ListOutbox(int64_t after_id, size_t limit) = 0;
  // Deliveries due at `now`: pending, and the oldest pending one for their (endpoint,
  // lead), so each lead's messages arrive in order. The caller attempts them: they are
  // claimed for kDeliveryClaim (not due for anyone else, in any instance) unless the
  // attempt is recorded first.
  virtual StatusOr<std::vector<PendingDelivery>> DueDeliveries(TimePoint now, size_t limit) = 0;
  virtual Status MarkDelivered(int64_t delivery_id, int http_status, TimePoint now) = 0;
  virtual Status MarkAttemptFailed(int64_t delivery_id, int http_status, std::string_view error,
                                   TimePoint next_attempt) = 0;
  virtual StatusOr<int64_t> CountPendingDeliveries() = 0;
  // The deliveries to `endpoint`, newest first, and how many of them are pending.
  virtual StatusOr<std::vector<DeliveryRecord>> ListDeliveries(const std::string& endpoint,
                                                               size_t limit) = 0;
  virtual StatusOr<int64_t> CountPendingDeliveriesTo(const std::string& endpoint) = 0;
};

}  // namespace tandem
