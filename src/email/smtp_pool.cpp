// SmtpPool: a few transports shared by sending threads, paced by one token bucket.
#include <algorithm>
#include <thread>

#include "email/smtp_transport.h"

namespace tandem::email {

SmtpPool::SmtpPool(const EmailConfig& config,
                   std::function<std::unique_ptr<MailTransport>()> factory, const Clock& clock)
    : capacity_(static_cast<size_t>(std::max<int64_t>(1, config.connections))),
      factory_(std::move(factory)),
      clock_(clock),
      pacer_(config.rate_per_second, 1) {}

std::unique_ptr<MailTransport> SmtpPool::Acquire() {
  std::unique_lock lock(mu_);
  available_.wait(lock, [&] { return !idle_.empty() || created_ < capacity_; });
  if (!idle_.empty()) {
    std::unique_ptr<MailTransport> transport = std::move(idle_.back());
    idle_.pop_back();
    return transport;
  }
  ++created_;
  lock.unlock();
  std::unique_ptr<MailTransport> transport = factory_();
  if (transport == nullptr) {
    lock.lock();
    --created_;
    available_.notify_one();
  }
  return transport;
}

void SmtpPool::Release(std::unique_ptr<MailTransport> transport) {
  {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(transport));
  }
  available_.notify_one();
}

SmtpOutcome SmtpPool::Send(std::string_view envelope_from, std::string_view recipient,
                           std::string_view message) {
  std::unique_ptr<MailTransport> transport = Acquire();
  if (transport == nullptr) {
    return {SmtpOutcome::Kind::kRetry, 0, "cannot make a connection to the relay"};
  }
  std::chrono::microseconds wait;
  {
    std::lock_guard lock(mu_);
    TimePoint now = clock_.Now();
    accepted_.Attempted(now);
    wait = pacer_.Take(now);
  }
  if (wait.count() > 0) std::this_thread::sleep_for(wait);
  SmtpOutcome outcome = transport->Send(envelope_from, recipient, message);
  if (outcome.kind == SmtpOutcome::Kind::kSent) {
    std::lock_guard lock(mu_);
    accepted_.Accepted(clock_.Now());
  }
  Release(std::move(transport));
  return outcome;
}

double SmtpPool::EffectiveRate() const {
  std::lock_guard lock(mu_);
  return accepted_.PerSecond(clock_.Now());
}

}  // namespace tandem::email
