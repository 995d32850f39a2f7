// OutboxWriter: writes messages about leads into the outbox, inside the transaction that
// caused them, so a message exists exactly when its cause committed.
//
// The shape of the outbox, for its senders:
// - A message is one row (OutboxMessage): a type ("lead.assigned", ...), the lead it is
//   about, a uid receivers de-duplicate on, and the complete body, JSON:
//     {"id": "<uid>", "type": "<type>", "created_at": "<ISO time>", "data": {...}}
//   where data holds the lead ("lead") and what happened; a notification for people
//   also holds "notify" (the users to tell), "subject" (one line, bounded) and "text".
// - Each webhook endpoint that subscribes to the type gets one pending delivery of the
//   message (OutboxWrites::Enqueue); the webhook delivery worker (webhooks/) hands the
//   body to them, signed, in each lead's order. That is the first consumer.
// - A message no webhook wants is still written when it is a notification (`keep`):
//   senders that are not webhooks read the messages in order (OutboxStore::ListOutbox)
//   and pick the types they carry — an email sender reads "notify", "subject" and
//   "text" and mails them. That is where the second consumer plugs in.
//
// Thread-safety: immutable after construction.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "outbox/outbox_store.h"
#include "outbox/webhook_config.h"

namespace tandem {

class OutboxWriter {
 public:
  explicit OutboxWriter(std::vector<WebhookConfig> webhooks) : webhooks_(std::move(webhooks)) {}

  // The webhook endpoints that subscribe to `type`, in configuration order.
  std::vector<std::string> EndpointsFor(std::string_view type) const;
  // Whether a message of `type` goes anywhere: a webhook wants it, or it is kept for
  // the other senders (`keep`). Callers skip building a message nobody reads.
  bool Wanted(std::string_view type, bool keep) const;

  // Writes a message of `type` about `lead_id` with `data` (its "subject", if any, made
  // one bounded line), delivered to EndpointsFor(type). Returns the message's uid.
  StatusOr<std::string> Write(OutboxWrites& txn, std::string_view type, int64_t lead_id,
                              nlohmann::json data, TimePoint now) const;

 private:
  const std::vector<WebhookConfig> webhooks_;
};

}  // namespace tandem
