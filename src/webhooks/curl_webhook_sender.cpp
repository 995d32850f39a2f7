// WebhookSender over libcurl, one reused easy handle (keeps connections alive).
#include <curl/curl.h>

#include <mutex>

#include "webhooks/webhook_sender.h"

namespace tandem {
namespace {

size_t Discard(char*, size_t size, size_t count, void*) { return size * count; }

class CurlWebhookSender final : public WebhookSender {
 public:
  explicit CurlWebhookSender(std::chrono::milliseconds timeout) : timeout_(timeout) {
    static std::once_flag init;
    std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    curl_ = curl_easy_init();
  }
  ~CurlWebhookSender() override { curl_easy_cleanup(curl_); }

  WebhookResponse Post(const std::string& url,
                       const std::vector<std::pair<std::string, std::string>>& headers,
                       const std::string& body) override {
    WebhookResponse response;
    if (curl_ == nullptr) {
      response.error = "cannot start an HTTP client";
      return response;
    }
    curl_easy_reset(curl_);
    curl_slist* list = curl_slist_append(nullptr, "Content-Type: application/json");
    list = curl_slist_append(list, "User-Agent: Tandem-Webhooks/1");
    for (const auto& [name, value] : headers) {
      list = curl_slist_append(list, (name + ": " + value).c_str());
    }
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_.count()));
    curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout_.count()));
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, Discard);
    curl_easy_setopt(curl_, CURLOPT_PROTOCOLS_STR, "http,https");
    CURLcode rc = curl_easy_perform(curl_);
    if (rc == CURLE_OK) {
      long status = 0;
      curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
      response.status = static_cast<int>(status);
    } else {
      response.error = curl_easy_strerror(rc);
    }
    curl_slist_free_all(list);
    return response;
  }

 private:
  const std::chrono::milliseconds timeout_;
  CURL* curl_ = nullptr;
};

}  // namespace

std::unique_ptr<WebhookSender> NewCurlWebhookSender(std::chrono::milliseconds timeout) {
  return std::make_unique<CurlWebhookSender>(timeout);
}

}  // namespace tandem
