// The webhooks a workspace subscribes: where the outbox's messages about leads go.
#pragma once

#include <string>
#include <vector>

namespace tandem {

struct WebhookConfig {
  std::string url;
  std::string secret;               // signs every delivery (HMAC-SHA256)
  std::vector<std::string> events;  // empty: every event type
};
// The event types webhooks can subscribe to.
const std::vector<std::string>& WebhookEventTypes();

}  // namespace tandem
