// The outbox: messages about leads (webhook bodies, notifications) written in the
// transaction that caused them, and their deliveries to endpoints.
// JSON-valued fields hold JSON text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/clock.h"

namespace tandem {

struct OutboxMessage {
  int64_t id = 0;
  std::string uid;  // the delivery id receivers de-duplicate on
  std::string type;
  std::optional<int64_t> lead_id;
  std::string payload;  // the complete body, JSON
  TimePoint created_at;
};

// A delivery as the webhooks page lists it.
struct DeliveryRecord {
  int64_t id = 0;
  std::string message_uid;
  std::string type;
  std::optional<int64_t> lead_id;
  std::string endpoint;
  std::string state;  // pending, delivered, cancelled
  int attempts = 0;
  std::optional<int> last_status;
  std::string last_error;
  TimePoint created_at;  // of the message
  TimePoint next_attempt_at;
  std::optional<TimePoint> delivered_at;
};

struct PendingDelivery {
  int64_t id = 0;
  std::string endpoint;
  int attempts = 0;
  OutboxMessage message;
};

}  // namespace tandem
