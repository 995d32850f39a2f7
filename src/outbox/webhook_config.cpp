#include "outbox/webhook_config.h"

namespace tandem {

const std::vector<std::string>& WebhookEventTypes() {
  static const std::vector<std::string> kTypes = {
      "lead.created",     "lead.mql",          "lead.assigned", "lead.stage_changed",
      "lead.sla_warning", "lead.sla_breached", "lead.replied",  "lead.mentioned",
      "email.sent",       "email.bounced"};
  return kTypes;
}

}  // namespace tandem
