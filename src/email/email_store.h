// What the email domain asks of the store: its templates, filters, broadcasts and
// sends; a lead transaction that can also queue a send (the touch and its message
// commit together); and handing queued sends out to the sender, each claimed once.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "email/email_records.h"
#include "leads/lead_store.h"

namespace tandem {

// Inside a lead transaction.
class EmailWrites {
 public:
  virtual ~EmailWrites() = default;
  // Writes a send (its uid and Message-ID set by the caller); returns its id.
  virtual StatusOr<int64_t> AddSend(const EmailSend& send) = 0;
  virtual StatusOr<std::optional<Suppression>> FindSuppression(std::string_view address) = 0;
  // Moves a sending broadcast's cursor (the last lead taken) from `from` to `to`: false,
  // changing nothing, when it is no longer at `from` or no longer sending (another
  // runner took the batch, or it was paused or cancelled meanwhile).
  virtual StatusOr<bool> AdvanceBroadcastCursor(int64_t broadcast_id, int64_t from, int64_t to,
                                                TimePoint now) = 0;
  // The outcome of a claimed send's attempt: sent, retrying at `next_attempt`, bounced or
  // failed (`error` is the reason); all but retrying drop the rendered parts. A send no
  // longer claimed (it was marked interrupted meanwhile) is left as it is.
  virtual Status RecordAttempt(int64_t send_id, SendStatus status, int64_t code,
                               std::string_view error, TimePoint next_attempt, TimePoint now) = 0;
  // A claimed send's attempt begins (one more attempt; its last code becomes
  // kAttemptUnderway): should the sender die before recording the outcome, this send
  // alone is interrupted, and the claimed sends it had not reached go back to the queue.
  virtual Status StartAttempt(int64_t send_id, TimePoint now) = 0;
  virtual Status Suppress(const Suppression& suppression) = 0;
  // Records an open or click and counts it on its send (a reader's open or click, a
  // machine's open): false, writing nothing, when one of the same kind, by a reader or by
  // a machine as this one, was recorded for the send within `window` before (a click: of
  // the same link) — a reload, a double click, a proxy's second fetch.
  virtual StatusOr<bool> AddEngagement(const EmailEngagement& engagement,
                                       std::chrono::seconds window) = 0;
  // A setting (core/settings_store.h) written with the transaction.
  virtual Status PutSettingInTxn(std::string_view name, std::string_view value) = 0;
};

// What InterruptStaleSends found.
struct StaleSends {
  int64_t interrupted = 0;  // cut off mid-attempt
  int64_t requeued = 0;     // claimed, never tried
};

// A lead transaction that can queue email.
class EmailTxn : public LeadTxn, public EmailWrites {};

struct SendCounts {
  std::map<std::string, int64_t> by_status;          // status name → sends
  std::map<std::string, int64_t> refused_by_reason;  // reason code → refused sends
};

struct SendQuery {
  std::optional<int64_t> lead_id;
  std::optional<int64_t> broadcast_id;
  std::optional<SendStatus> status;
  bool to_leads_only = false;  // one-to-one and broadcast sends (not staff mail about a lead)
  int64_t before_id = 0;       // keyset: sends with a lower id (newest first); 0 = from the top
  size_t limit = 50;
};

class EmailStore {
 public:
  virtual ~EmailStore() = default;
  virtual StatusOr<std::unique_ptr<EmailTxn>> BeginEmailTxn() = 0;

  // Saves `t` as the next version of its key (1 for a new key) and returns it stored.
  virtual StatusOr<StoredTemplate> SaveTemplate(const StoredTemplate& t) = 0;
  // The given version, or the latest when `version` is nullopt.
  virtual StatusOr<std::optional<StoredTemplate>> GetTemplate(std::string_view key,
                                                              std::optional<int64_t> version) = 0;
  virtual StatusOr<std::vector<StoredTemplate>> ListTemplates() = 0;  // latest of each, by key
  virtual StatusOr<std::vector<StoredTemplate>> ListTemplateVersions(std::string_view key) = 0;

  // Inserts (id 0) or replaces a filter; 409 name_taken when another has its name.
  virtual StatusOr<SavedFilter> PutFilter(const SavedFilter& filter) = 0;
  virtual StatusOr<std::optional<SavedFilter>> GetFilter(int64_t id) = 0;
  virtual StatusOr<std::vector<SavedFilter>> ListFilters() = 0;
  virtual StatusOr<bool> DeleteFilter(int64_t id) = 0;

  virtual StatusOr<Broadcast> CreateBroadcast(const Broadcast& broadcast) = 0;
  virtual StatusOr<std::optional<Broadcast>> GetBroadcast(int64_t id) = 0;
  virtual StatusOr<std::vector<Broadcast>> ListBroadcasts() = 0;  // newest first
  // Replaces the broadcast's row only while it is in one of `from` (its state as the
  // caller read it); false when it changed meanwhile.
  virtual StatusOr<bool> UpdateBroadcast(const Broadcast& broadcast,
                                         std::vector<BroadcastState> from) = 0;
  // Broadcasts sending, or scheduled for `now` or earlier.
  virtual StatusOr<std::vector<Broadcast>> BroadcastsToRun(TimePoint now) = 0;
  virtual StatusOr<SendCounts> CountSends(std::optional<int64_t> broadcast_id) = 0;
  // Sends of a broadcast still to go (queued or retrying).
  virtual StatusOr<int64_t> CountWaitingSends(int64_t broadcast_id) = 0;
  // Sends of a kind still to go (queued, retrying, being sent).
  virtual StatusOr<int64_t> CountWaitingSendsOf(SendKind kind) = 0;
  // Its queued and retrying sends become cancelled; returns how many.
  virtual StatusOr<int64_t> CancelBroadcastSends(int64_t broadcast_id, TimePoint now) = 0;

  // Sends due at `now` (queued, or retrying whose time came; a paused or cancelled
  // broadcast's are not due), oldest first, claimed (sending) until now + `claim` for
  // this caller alone, in any instance; the returned sends count the attempt to come.
  // A send still claimed after that was not finished by a live sender.
  virtual StatusOr<std::vector<EmailSend>> ClaimDueSends(TimePoint now, size_t limit,
                                                         std::chrono::milliseconds claim) = 0;
  // Sends whose claim ran out (their sender died): the one whose attempt had begun
  // (StartAttempt) becomes interrupted, never sent again by itself (the relay may have
  // taken it); the others, never tried, are due again at `now`.
  virtual StatusOr<StaleSends> InterruptStaleSends(TimePoint now) = 0;
  virtual StatusOr<std::vector<EmailSend>> ListSends(const SendQuery& query) = 0;
  virtual StatusOr<std::optional<EmailSend>> GetSend(std::string_view uid) = 0;
  // A send's opens and clicks, newest first.
  virtual StatusOr<std::vector<EmailEngagement>> ListEngagements(int64_t send_id, size_t limit) = 0;
};

}  // namespace tandem
