// StaffMail: the outbox's messages for people, delivered by email through the same
// sender as everything else: a new lead with its brief to its owner, the SLA reminder,
// the breach to the team's managers (an admin when the team has none), and the
// confirmation a person asked for on their preference page. They are not touches of a
// lead and pass no gate; each user chooses email or none (UserRecord::notify_by), and a
// suppressed address gets nothing. A kind of notification the user turned email off for
// (notifications/notification_store.h) is not mailed to them.
//
// The outbox is read in order from a cursor kept in the settings and moved in the
// transaction that queues the messages, so each is mailed once. On first start the
// cursor begins at the end of the outbox: what happened before is not mailed.
//
// Thread-safety: one caller at a time (the application's notifier thread).
#pragma once

#include <string>

#include "core/settings_store.h"
#include "email/email_service.h"
#include "notifications/notification_store.h"
#include "outbox/outbox_store.h"

namespace tandem {

class StaffMail {
 public:
  static constexpr const char* kCursorSetting = "staff_mail_outbox_upto";

  StaffMail(const EmailService& service, OutboxStore& outbox, SettingsStore& settings,
            NotificationStore& notifications)
      : service_(service), outbox_(outbox), settings_(settings), notifications_(notifications) {}

  // Reads the cursor, making it on first start (at the end of the outbox). Call before
  // the server takes requests, so what they cause is after it.
  StatusOr<int64_t> Cursor();
  // Queues the messages written since the last call; returns how many sends it queued.
  StatusOr<size_t> QueueNew(TimePoint now);

 private:
  // The sends `message` asks for (none when it tells nobody by email).
  StatusOr<std::vector<EmailSend>> SendsFor(const OutboxMessage& message, TimePoint now);

  const EmailService& service_;
  OutboxStore& outbox_;
  SettingsStore& settings_;
  NotificationStore& notifications_;  // each user's choice per kind
};

// Queues a message to a user about their own account (an invite, a password link): no
// gate, refused for a suppressed address. False when email is not set up (no
// [email] from_address), nothing queued.
StatusOr<bool> QueueAccountMail(const EmailService& service, const UserRecord& to,
                                const std::string& subject, const std::string& text, TimePoint now);

// Plain text as the HTML part of a notification: paragraphs, line breaks and links.
std::string TextToHtml(std::string_view text);

}  // namespace tandem
