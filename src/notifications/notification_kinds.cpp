#include "notifications/notification_store.h"

namespace tandem {

const std::vector<NotificationKind>& NotificationKinds() {
  static const std::vector<NotificationKind> kKinds = {
      {"new_lead", "lead.assigned", "A lead is assigned to you"},
      {"sla_reminder", "lead.sla_warning",
       "A lead of yours is close to its first-contact deadline"},
      {"sla_breach", "lead.sla_breached", "A first-contact deadline passed (managers)"},
      {"reply", "lead.replied", "A lead of yours replied to an email"},
      {"mention", "lead.mentioned", "Someone mentioned you in a note"},
  };
  return kKinds;
}

const NotificationKind* KindOfOutboxType(std::string_view type) {
  for (const NotificationKind& kind : NotificationKinds()) {
    if (type == kind.outbox_type) return &kind;
  }
  return nullptr;
}

}  // namespace tandem
