// AppNotices: turns the outbox's messages for people into in-app notifications for the
// users they name (data.notify), each as the user chose for that kind. The outbox is
// read in order from a cursor kept in the settings and moved in the transaction that
// adds the notifications, so each message notifies once; on first start the cursor
// begins at the end of the outbox.
//
// Thread-safety: one caller at a time (the application's notifier thread).
#pragma once

#include "auth/auth_store.h"
#include "core/settings_store.h"
#include "notifications/notification_store.h"
#include "outbox/outbox_store.h"

namespace tandem {

class AppNotices {
 public:
  static constexpr const char* kCursorSetting = "app_notices_outbox_upto";

  AppNotices(OutboxStore& outbox, NotificationStore& notifications, AuthStore& users,
             SettingsStore& settings)
      : outbox_(outbox), notifications_(notifications), users_(users), settings_(settings) {}

  // Reads the cursor, making it on first start (at the end of the outbox).
  StatusOr<int64_t> Cursor();
  // Adds the notifications of the messages written since the last call; returns how many.
  StatusOr<size_t> QueueNew();

 private:
  OutboxStore& outbox_;
  NotificationStore& notifications_;
  AuthStore& users_;
  SettingsStore& settings_;
};

}  // namespace tandem
