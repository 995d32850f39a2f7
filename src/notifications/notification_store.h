// In-app notifications: what the bell in the web app shows each user — a new lead of
// theirs, an SLA reminder, a breach, a reply, someone mentioning them — with what each
// user has read, and each user's choice per kind of where to hear of it (in the app, by
// email). The same outbox messages feed the email notifications (email/staff_mail.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace tandem {

// The kinds, and the outbox message each comes from.
struct NotificationKind {
  const char* name;         // "new_lead"
  const char* outbox_type;  // "lead.assigned"
  const char* description;  // what the settings page says
};
const std::vector<NotificationKind>& NotificationKinds();
// The kind of an outbox message type; nullptr when none.
const NotificationKind* KindOfOutboxType(std::string_view type);

struct Notification {
  int64_t id = 0;  // shown as ntf_<id>
  int64_t user_id = 0;
  std::string kind;
  std::optional<int64_t> lead_id;
  std::string title;
  std::string body;
  TimePoint created_at;
  std::optional<TimePoint> read_at;
};

// Where a user hears of one kind. Absent choices are the defaults: both.
struct NotifyChoice {
  bool app = true;
  bool email = true;
};

class NotificationStore {
 public:
  virtual ~NotificationStore() = default;
  // Adds `notifications` and sets the setting `cursor` to `upto`, in one transaction, so
  // what the producer read is notified once.
  virtual Status AddNotifications(std::span<const Notification> notifications,
                                  std::string_view cursor, int64_t upto) = 0;
  // The user's notifications, newest first, before `before_id` when given.
  virtual StatusOr<std::vector<Notification>> ListNotifications(int64_t user_id, bool unread_only,
                                                                std::optional<int64_t> before_id,
                                                                size_t limit) = 0;
  virtual StatusOr<int64_t> CountUnreadNotifications(int64_t user_id) = 0;
  // Marks the user's notifications `ids` read (every unread one when `ids` is empty);
  // returns how many changed.
  virtual StatusOr<int64_t> MarkNotificationsRead(int64_t user_id, std::span<const int64_t> ids,
                                                  TimePoint now) = 0;
  // The user's choices by kind; kinds not in the map have the defaults.
  virtual StatusOr<std::map<std::string, NotifyChoice>> NotifyChoices(int64_t user_id) = 0;
  virtual Status SetNotifyChoices(int64_t user_id,
                                  const std::map<std::string, NotifyChoice>& choices) = 0;
};

}  // namespace tandem
