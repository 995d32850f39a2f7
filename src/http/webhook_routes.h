// The webhook endpoints over HTTP, for admins (the webhooks page):
//   GET  /api/v1/webhooks              each endpoint of [[webhooks]] in tandem.toml: the
//                                      events it takes, its pending deliveries, its last
//                                      answer (never its secret)
//   GET  /api/v1/webhooks/deliveries   ?endpoint=URL: its deliveries, newest first
//   POST /api/v1/webhooks/test         {"url"}: a signed `webhook.test` posted now, and
//                                      what the endpoint answered
// A test is posted on a thread of its own (at most two at once), never on an HTTP thread.
#pragma once

#include <atomic>
#include <list>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "http/router.h"
#include "outbox/webhook_config.h"
#include "store/store.h"

namespace tandem::http {

class WebhookRoutes {
 public:
  // Everything must outlive the routes.
  WebhookRoutes(Store& store, const Clock& clock, std::vector<WebhookConfig> webhooks)
      : store_(store), clock_(clock), webhooks_(std::move(webhooks)) {}
  ~WebhookRoutes() { Stop(); }
  void Register(Router& router);
  // Waits for the tests under way. Idempotent.
  void Stop();

 private:
  struct Test {
    std::thread thread;
    std::atomic<bool> done{false};
  };
  Response List(const UserRecord& user);
  Response Deliveries(const HttpRequest& request, const UserRecord& user);
  void PostTest(HttpRequest&& request, Responder respond);

  Store& store_;
  const Clock& clock_;
  const std::vector<WebhookConfig> webhooks_;
  std::mutex mu_;
  std::list<Test> tests_;  // guarded by mu_
};

}  // namespace tandem::http
