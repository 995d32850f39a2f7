// What receiving mail asks of the store: each message received, kept as evidence with
// what it was and what it changed; the sends it may answer; and a lead transaction in
// which a message's record and its effects (suppression, preferences, the timeline)
// commit together or not at all.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "email/email_store.h"

namespace tandem {

// One message received, by IMAP or the API. Never changed once written.
struct InboundMessage {
  int64_t id = 0;
  std::string uid;  // "in_<random>", the id the API and the timeline show
  // What makes it the same message when it comes again: its Message-ID, or
  // "sha256:<hex>" of its bytes when it has none. Unique.
  std::string dedup_key;
  std::string message_id;  // "" when it has none
  std::string via;         // api | imap
  std::string kind;        // reply | hard_bounce | soft_bounce | auto_reply | complaint
  // applied: matched and acted on; unmatched: nothing Tandem sent or knows matches it;
  // untrusted: it names a send it cannot be an answer to (nothing changed).
  std::string status;
  std::string from_address;
  std::string subject;
  std::optional<int64_t> lead_id;
  std::optional<int64_t> send_id;
  std::string matched_by;     // message_id | address | ""
  std::string address;        // the recipient address it is about (bounces, complaints)
  std::string detail = "{}";  // JSON: the classification and the changes made
  std::string raw;            // the message's bytes, at most kMaxKeptBytes of them
  int64_t size = 0;           // the whole message's size
  bool truncated = false;     // raw holds only the first kMaxKeptBytes
  TimePoint received_at;
};

// Inside a lead transaction.
class InboundWrites {
 public:
  virtual ~InboundWrites() = default;
  virtual StatusOr<std::optional<InboundMessage>> FindInbound(std::string_view dedup_key) = 0;
  // The send whose Message-ID (without angle brackets) this is, if Tandem sent it.
  virtual StatusOr<std::optional<EmailSend>> FindSendByMessageId(std::string_view message_id) = 0;
  // The lead whose email identity is `address` (normalized), following person merges.
  virtual StatusOr<std::optional<int64_t>> FindLeadByAddress(std::string_view address) = 0;
  // The lead a person id leads to now, following person merges.
  virtual StatusOr<std::optional<int64_t>> ResolveLead(int64_t person_id) = 0;
  // Soft bounces applied for `address` at or after `since`: the sends they were for,
  // each counted once, `except_send` not counted.
  virtual StatusOr<int64_t> CountSoftBounces(std::string_view address, TimePoint since,
                                             int64_t except_send) = 0;
  // Writes the message (its uid set by the caller); returns its id.
  virtual StatusOr<int64_t> AddInbound(const InboundMessage& message) = 0;
  // A send the relay took bounced later: sent → bounced with `reason`. False, changing
  // nothing, when it is not in sent.
  virtual StatusOr<bool> MarkSendBounced(int64_t send_id, std::string_view reason,
                                         TimePoint now) = 0;
};

class InboundTxn : public EmailTxn, public InboundWrites {};

// Which received messages to list, newest first. Every set field narrows the list.
struct InboundQuery {
  std::optional<int64_t> lead_id;
  std::optional<int64_t> owner_id;    // about a lead this user owns now
  std::vector<std::string> kinds;     // reply, auto_reply, ...; empty: every kind
  std::vector<std::string> statuses;  // applied, unmatched, untrusted; empty: every one
  int64_t before_id = 0;              // the page after the message with this id
  size_t limit = 50;
};

class InboundStore {
 public:
  virtual ~InboundStore() = default;
  virtual StatusOr<std::unique_ptr<InboundTxn>> BeginInboundTxn() = 0;
  virtual StatusOr<std::optional<InboundMessage>> GetInbound(std::string_view uid) = 0;
  // The messages `query` selects, without their bytes (`raw` empty).
  virtual StatusOr<std::vector<InboundMessage>> ListInbound(const InboundQuery& query) = 0;
};

}  // namespace tandem
