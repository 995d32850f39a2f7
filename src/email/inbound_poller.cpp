#include "email/inbound_poller.h"

#include <spdlog/spdlog.h>

#include "email/imap_mailbox.h"

namespace tandem {

InboundPoller::InboundPoller(InboundConfig config, const InboundMail& mail, const Clock& clock)
    : config_(std::move(config)), mail_(mail), clock_(clock) {}

InboundPoller::~InboundPoller() { Stop(); }

StatusOr<InboundPoller::Counts> InboundPoller::PollOnce() {
  email::ImapMailbox mailbox(config_);
  TANDEM_ASSIGN_OR_RETURN(auto listed, mailbox.List(config_.folder));
  Counts counts;
  if (listed.empty()) return counts;
  TANDEM_RETURN_IF_ERROR(mailbox.CreateFolder(config_.processed_folder));
  if (listed.size() > static_cast<size_t>(config_.batch)) listed.resize(config_.batch);
  for (const email::ImapMailbox::Listed& message : listed) {
    TANDEM_ASSIGN_OR_RETURN(
        std::string bytes,
        mailbox.Fetch(config_.folder, message.uid, message.size, InboundMail::kMaxKeptBytes));
    auto received = mail_.Receive(bytes, message.size, "imap", clock_.Now());
    if (received.ok()) {
      ++(received->duplicate ? counts.duplicates : counts.received);
    } else if (received.status().code() == StatusCode::kInvalidArgument ||
               received.status().code() == StatusCode::kUnprocessable) {
      spdlog::warn("email.inbound: message UID {} in \"{}\" is not an email ({}); moved to \"{}\"",
                   message.uid, config_.folder, received.status().message(),
                   config_.processed_folder);
      ++counts.refused;
    } else {
      return received.status();  // not stored: it stays for the next poll
    }
    TANDEM_RETURN_IF_ERROR(mailbox.Move(config_.folder, message.uid, config_.processed_folder));
  }
  return counts;
}

void InboundPoller::Start() {
  if (config_.url.empty() || thread_.joinable()) return;
  thread_ = std::thread([this] { Run(); });
}

void InboundPoller::Stop() {
  signal_.RequestStop();
  if (thread_.joinable()) thread_.join();
}

void InboundPoller::Run() {
  do {
    auto polled = PollOnce();
    if (!polled.ok()) {
      spdlog::error("email.inbound: {}; trying again in {} s", polled.status().message(),
                    config_.poll_interval_s);
    } else if (const size_t taken = polled->received + polled->duplicates + polled->refused;
               taken > 0) {
      spdlog::info("email.inbound: {} messages received, {} already received, {} refused",
                   polled->received, polled->duplicates, polled->refused);
      // A full batch: more may be waiting; read on at once.
      if (taken >= static_cast<size_t>(config_.batch)) signal_.Notify();
    }
  } while (signal_.WaitForWork(std::chrono::seconds(config_.poll_interval_s)));
}

}  // namespace tandem
