#include "app/email_parts.h"

#include <spdlog/spdlog.h>

namespace tandem {

EmailParts::EmailParts(const Config& config, Store& store, const LeadEngine& engine,
                       const Clock& clock, Metrics& metrics, const std::string& unsubscribe_secret)
    : clock_(clock),
      resources_(email::FetchedResources::FromConfig(config.email), clock),
      pool_(
          config.email, [email = config.email] { return email::NewCurlSmtpTransport(email); },
          clock),
      service_(config.email, engine,
               EmailReadStores{store, store, store, store, store, store, store}, &resources_,
               unsubscribe_secret, config.server.public_url),
      sender_(store, pool_, config.email, config.webhooks, clock, metrics),
      runner_(service_, clock, metrics),
      sequences_(service_, store, config.sequences),
      sequence_runner_(sequences_, clock, metrics),
      staff_(service_, store, store, store),
      notices_(store, store, store, store),
      lint_routes_(store, clock, http::SenderContext(config.email, config.server.public_url),
                   LintOptionsFor(config.email), resources_),
      routes_(
          store, service_, clock, [this] { sender_.Notify(); }, [this] { signal_.Notify(); }),
      engagement_(store, engine, clock, unsubscribe_secret),
      tracking_(engagement_, config.server.trust_proxy),
      sequence_routes_(store, sequences_, clock, [this] { signal_.Notify(); }) {}

EmailParts::~EmailParts() { Stop(); }

void EmailParts::Register(http::Router& router) {
  lint_routes_.Register(router);
  routes_.Register(router);
  tracking_.Register(router);
  sequence_routes_.Register(router);
}

Status EmailParts::Start() {
  TANDEM_RETURN_IF_ERROR(staff_.Cursor().status());
  TANDEM_RETURN_IF_ERROR(notices_.Cursor().status());
  sender_.Start();
  if (!producer_.joinable()) producer_ = std::thread([this] { Produce(); });
  return OkStatus();
}

void EmailParts::Stop() {
  lint_routes_.Stop();
  routes_.Stop();
  signal_.RequestStop();
  if (producer_.joinable()) producer_.join();
  sender_.Stop();
}

StatusOr<size_t> EmailParts::ProduceOnce() {
  TANDEM_ASSIGN_OR_RETURN(size_t staff, staff_.QueueNew(clock_.Now()));
  // The bell is not the email: a failure there holds no email back.
  if (auto notices = notices_.QueueNew(); !notices.ok()) {
    spdlog::error("notifications: {}", notices.status().message());
  }
  TANDEM_ASSIGN_OR_RETURN(size_t recipients, runner_.RunDue());
  TANDEM_ASSIGN_OR_RETURN(size_t steps, sequence_runner_.RunDue());
  return staff + recipients + steps;
}

void EmailParts::Produce() {
  while (signal_.WaitForWork(std::chrono::seconds(1))) {
    for (;;) {
      auto queued = ProduceOnce();
      if (!queued.ok()) {
        spdlog::error("email: {}", queued.status().message());
        break;
      }
      if (*queued > 0) sender_.Notify();
      if (*queued == 0 || signal_.stopping()) break;
    }
  }
}

}  // namespace tandem
