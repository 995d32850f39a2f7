#include "cli/person_commands.h"

#include <iostream>
#include <nlohmann/json.hpp>

#include "brief/brief_input.h"
#include "cli/audit_commands.h"
#include "cli/commands.h"
#include "core/ids.h"
#include "privacy/person_record.h"

namespace tandem::cli {

Status PrintPersonRecord(const Config& config, const std::string& lead_or_email) {
  TANDEM_ASSIGN_OR_RETURN(auto store, OpenConfiguredStore(config));
  TANDEM_ASSIGN_OR_RETURN(std::optional<int64_t> lead_id, FindLead(*store, lead_or_email));
  const LeadEngine engine(config.scoring, config.routing, config.webhooks, config.contact,
                          config.sla, OwnerBriefFor);
  const SystemClock clock;
  const TimePoint now = clock.Now();
  TANDEM_ASSIGN_OR_RETURN(PersonRecordData data, ReadPersonRecord(*store, engine, *lead_id, now));
  const nlohmann::json detail = {{"kind", "person_record"}, {"events", data.events.size()}};
  TANDEM_RETURN_IF_ERROR(
      AuditCli(*store, audit_action::kExported, LeadIdText(*lead_id), detail.dump()));
  std::cout << PersonRecordJson(data, now).dump(2) << "\n";
  return OkStatus();
}

}  // namespace tandem::cli
