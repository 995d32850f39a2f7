// What Tandem keeps about the email it sends: templates (every saved version), saved
// lead filters (a broadcast's audience), broadcasts, each message's send (the outbox
// row its sender claims) and the addresses mail must not go to again.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "contact/channel.h"
#include "core/clock.h"

namespace tandem {

// One saved version of a template. Versions are never changed: saving makes a new one,
// and every send names the version it was rendered from.
struct StoredTemplate {
  std::string key;
  int64_t version = 0;
  std::string name;
  Purpose purpose = Purpose::kEmailMarketing;
  std::string subject;
  std::string preheader;
  std::string html;
  std::string layout = "default";  // default | none
  std::optional<int64_t> created_by;
  TimePoint created_at;
};

// A named lead filter: the lead list's filter parameters, as a query string
// ("stage=mql,sal&team=emea"), resolved again each time it is used.
struct SavedFilter {
  int64_t id = 0;
  std::string name;
  std::string query;
  std::optional<int64_t> created_by;
  TimePoint created_at;
  TimePoint updated_at;
};

enum class BroadcastState { kDraft, kScheduled, kSending, kPaused, kCancelled, kDone };
std::string_view BroadcastStateName(BroadcastState state);
std::optional<BroadcastState> ParseBroadcastState(std::string_view name);

// A marketing email to the leads of a saved filter. Its recipients are taken from the
// filter in lead id order as it sends (`next_lead_id` is how far it got), each through
// the pre-send check and the contact gate at that moment.
struct Broadcast {
  int64_t id = 0;
  std::string name;
  std::string template_key;
  int64_t template_version = 0;
  int64_t filter_id = 0;
  std::string filter_query;  // the filter as it was when the broadcast started
  BroadcastState state = BroadcastState::kDraft;
  std::optional<TimePoint> scheduled_at;
  std::optional<TimePoint> started_at;
  std::optional<TimePoint> finished_at;
  int64_t next_lead_id = 0;  // the last lead taken; 0 before the first
  std::optional<int64_t> created_by;
  TimePoint created_at;
  TimePoint updated_at;
  // With an experiment that holds a share back (Experiment::test_share): "test" while it
  // sends to the test share, "waiting" for the experiment's decision, "rest" while it
  // sends the rest the winning arm (rest_arm); "" without one.
  std::string test_phase;
  std::optional<int64_t> test_experiment_id;
  std::optional<size_t> rest_arm;
};

// One-to-one: a user's email to a lead; broadcast: a broadcast's; sequence: a step of a
// sequence the lead is enrolled in; notification and test: mail to staff.
enum class SendKind { kOneToOne, kBroadcast, kSequence, kNotification, kTest };
std::string_view SendKindName(SendKind kind);
// Mail to a lead (one-to-one, broadcast, sequence), not to staff.
bool IsToLead(SendKind kind);
std::optional<SendKind> ParseSendKind(std::string_view name);

// queued → sending → sent; a temporary failure goes back to retrying (then sending);
// a permanent one for the recipient is bounced; refused never left (the check or the
// gate said no; `reason` says why); interrupted: the sender stopped in the middle of
// the attempt, so it is not known whether the relay took it, and it is not sent again
// by itself; cancelled: its broadcast was cancelled before it went; failed: the relay
// kept refusing it for now (4xx, no connection) until the retries ran out.
enum class SendStatus {
  kQueued,
  kSending,
  kSent,
  kRetrying,
  kBounced,
  kRefused,
  kInterrupted,
  kCancelled,
  kFailed  // temporary failures until the retries ran out
};
std::string_view SendStatusName(SendStatus status);
std::optional<SendStatus> ParseSendStatus(std::string_view name);

// One message to one recipient. Its Message-ID is fixed when it is queued, before the
// first attempt, so every attempt is the same message.
// A send's last reply code while its attempt is under way (no relay code is negative).
inline constexpr int64_t kAttemptUnderway = -1;

struct EmailSend {
  int64_t id = 0;
  std::string uid;  // "em_<random>", the id the API shows
  SendKind kind = SendKind::kOneToOne;
  std::optional<int64_t> lead_id;
  std::optional<int64_t> broadcast_id;
  std::optional<int64_t> user_id;  // who sent it (one-to-one) or whom it tells (staff)
  std::optional<int64_t> touch_id;
  std::string template_key;
  int64_t template_version = 0;
  std::string to_address;
  std::string to_name;
  std::string subject;
  // The rendered parts, kept (apart from the send's row) until the message will not be
  // tried again: the subject, the template version and the Message-ID say what went.
  std::string html;
  std::string text;
  std::string message_id;
  bool marketing = false;       // carries List-Unsubscribe and the footer
  std::string unsubscribe_url;  // the recipient's signed one-click link
  SendStatus status = SendStatus::kQueued;
  std::string reason;  // refused: the codes, comma-separated; bounced/failed: the reply
  int64_t attempts = 0;
  TimePoint next_attempt_at;
  int64_t last_code = 0;  // the relay's last reply code; kAttemptUnderway meanwhile
  std::string last_error;
  TimePoint created_at;
  std::optional<TimePoint> sent_at;
  TimePoint updated_at;
  // The experiment (experiments/) and its arm this message was sent for, if any.
  std::optional<int64_t> experiment_id;
  std::optional<size_t> experiment_arm;
  // Engagement (email/tracking.h): opens and clicks by readers; opens by machines.
  int64_t opens = 0;
  int64_t machine_opens = 0;
  int64_t clicks = 0;
  std::optional<TimePoint> first_opened_at;
  std::optional<TimePoint> first_clicked_at;
};

enum class EngagementKind { kOpen, kClick };
std::string_view EngagementKindName(EngagementKind kind);

// One open or click a tracking link heard of.
struct EmailEngagement {
  int64_t id = 0;
  int64_t send_id = 0;
  std::optional<int64_t> lead_id;
  EngagementKind kind = EngagementKind::kOpen;
  std::string url;      // a click's link
  std::string machine;  // why a machine did it (email/tracking.h MachineReason); "" a reader
  std::string user_agent;
  std::string ip;
  TimePoint at;
};

// An address no email goes to again: it bounced (a permanent failure), its owner
// complained, or someone put it there.
struct Suppression {
  std::string address;  // normalized
  std::string reason;   // bounce | complaint | manual
  std::string detail;   // the relay's reply, the complaint
  TimePoint created_at;
};

// A send as webhooks (email.sent, email.bounced) and the timeline show it; `code` and
// `reply` are the relay's answer (0 and "" when there was none).
nlohmann::json SendWebhookJson(const EmailSend& send, int64_t code, std::string_view reply);

}  // namespace tandem
