// WebhookSender: posts one webhook delivery. The interface lets tests count or fail
// deliveries; CurlWebhookSender is the real one.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace tandem {

struct WebhookResponse {
  int status = 0;     // HTTP status; 0 when there was no answer
  std::string error;  // transport error ("connection refused", "timed out"), or ""
};

class WebhookSender {
 public:
  virtual ~WebhookSender() = default;
  // POSTs `body` as JSON with `headers`. Thread-compatible (one caller at a time).
  virtual WebhookResponse Post(const std::string& url,
                               const std::vector<std::pair<std::string, std::string>>& headers,
                               const std::string& body) = 0;
};

std::unique_ptr<WebhookSender> NewCurlWebhookSender(std::chrono::milliseconds timeout);

}  // namespace tandem
