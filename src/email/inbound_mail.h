// InboundMail: a received message, from its bytes to what it changes, with the message
// kept as evidence. Both ways in (the IMAP poller and POST /api/v1/inbound/mime) hand
// their messages here.
//
// One message is read (email/mime.h), classified (email/inbound_classify.h), matched to
// what Tandem sent, planned (PlanInbound, pure) and applied in one lead transaction
// that also records it, so a message is either recorded with all its effects or not at
// all; a message recorded before (the same Message-ID, or the same bytes when it has
// none) changes nothing again.
//
// Matching trusts a Message-ID only when the message can be an answer to that send: a
// reply or automatic reply must come from the address the send went to; a bounce or
// complaint must name that address (or none). Bounces and complaints act only through
// such a send, so a forged report about an address changes nothing; replies and
// automatic replies that name no trusted send are matched to the lead whose address
// they come from. Every change is logged on the lead with the message's id.
//
// Thread-safety: immutable after construction; the store serializes the transactions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "email/inbound_classify.h"
#include "email/inbound_config.h"
#include "email/inbound_store.h"
#include "leads/lead_engine.h"
#include "outbox/outbox_writer.h"

namespace tandem {

// What a message was matched to.
struct InboundMatch {
  std::optional<EmailSend> send;  // the trusted send it answers
  std::optional<int64_t> lead_id;
  std::string matched_by;  // message_id | address | ""
  std::string untrusted;   // why a send it names was not trusted; "" when none was refused
};

// What a message changes, decided from its classification and match alone.
struct InboundPlan {
  std::string status;                   // applied | unmatched | untrusted
  std::string address;                  // the recipient address a bounce or complaint is about
  std::optional<std::string> suppress;  // the suppression's reason: bounce | complaint
  std::string suppress_detail;
  bool send_bounced = false;  // the send becomes bounced
  // The lead's out-of-office window runs until this day begins (the first day back).
  std::optional<std::chrono::year_month_day> away_until;
  std::string do_not_call;  // the sentence to quote; "" for none
  bool unsubscribe = false;
  std::string log_kind;  // the lead's timeline entry; "" for none
};

// `soft_bounces` counts the address's earlier soft bounces within the window, each
// for another send (this one not included).
InboundPlan PlanInbound(const email::InboundClassification& classification,
                        const InboundMatch& match, int64_t soft_bounces,
                        const InboundConfig& config);

struct InboundResult {
  InboundMessage message;  // as recorded
  bool duplicate = false;  // recorded before: `message` is that record; nothing changed
};

class InboundMail {
 public:
  // The most of a message kept (and read): the headers and the person's words are in
  // the first bytes; a bigger message is kept truncated, and says so.
  static constexpr size_t kMaxKeptBytes = 256 * 1024;

  // `store` and `engine` must outlive the service.
  // `webhooks` hear of a send that bounced by mail (email.bounced), as of one the relay
  // refused.
  InboundMail(InboundStore& store, const LeadEngine& engine, InboundConfig config,
              std::vector<WebhookConfig> webhooks = {});

  // Receives one message: `bytes` are its first bytes (at most kMaxKeptBytes are read)
  // of `size` in all; `via` is "api" or "imap". 400 mime_unparseable when the bytes are
  // not a message; 422 mime_no_sender when it has no From address.
  StatusOr<InboundResult> Receive(std::string_view bytes, int64_t size, std::string_view via,
                                  TimePoint now) const;

 private:
  StatusOr<InboundMatch> Match(InboundTxn& txn, const email::ParsedEmail& email,
                               const email::InboundClassification& classification) const;
  // Applies `plan` to the store and the lead; returns the changes made, for the record.
  StatusOr<nlohmann::json> Apply(InboundTxn& txn, const InboundPlan& plan,
                                 const InboundMatch& match, const InboundMessage& message,
                                 const email::ParsedEmail& email,
                                 const email::InboundClassification& classification,
                                 TimePoint now) const;
  Status ReplyNotice(InboundTxn& txn, int64_t lead_id, const InboundMessage& message,
                     const email::InboundClassification& c, TimePoint now) const;
  Status BouncedWebhook(InboundTxn& txn, const EmailSend& send, const InboundMessage& message,
                        const email::InboundClassification& classification, TimePoint now) const;
  StatusOr<nlohmann::json> ApplyToLead(InboundTxn& txn, const InboundPlan& plan, int64_t lead_id,
                                       const InboundMessage& message,
                                       const email::ParsedEmail& email, TimePoint now) const;

  InboundStore& store_;
  const LeadEngine& engine_;
  const InboundConfig config_;
  const OutboxWriter outbox_;
};

}  // namespace tandem
