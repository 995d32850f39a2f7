#include "cli/person_commands.h"

#include <iostream>
#include <nlohmann/json.hpp>

#include "app/rules_sync.h"
#include "brief/brief_input.h"
#include "cli/audit_commands.h"
#include "cli/commands.h"
#include "contact/unsubscribe_token.h"
#include "core/ids.h"
#include "core/time_format.h"
#include "privacy/erasure.h"
#include "privacy/person_record.h"

namespace tandem::cli {

Status PrintPersonRecord(const Config& config, const std::string& lead_or_email) {
  TANDEM_ASSIGN_OR_RETURN(auto store, OpenExistingStore(config));
  TANDEM_ASSIGN_OR_RETURN(std::optional<int64_t> lead_id, FindLead(*store, lead_or_email));
  const SystemClock clock;
  const TimePoint now = clock.Now();
  TANDEM_ASSIGN_OR_RETURN(auto engine,
                          EngineInForce(config, *store, now, /*seed=*/false, OwnerBriefFor));
  TANDEM_ASSIGN_OR_RETURN(PersonRecordData data, ReadPersonRecord(*store, *engine, *lead_id, now));
  const nlohmann::json detail = {{"kind", "person_record"}, {"events", data.events.size()}};
  TANDEM_RETURN_IF_ERROR(
      AuditCli(*store, audit_action::kExported, LeadIdText(*lead_id), detail.dump()));
  std::cout << PersonRecordJson(data, now).dump(2) << "\n";
  return OkStatus();
}

Status ErasePersonCli(const Config& config, const std::string& lead_or_email,
                      const std::string& reason) {
  TANDEM_RETURN_IF_ERROR(CheckErasureReason(reason));
  TANDEM_ASSIGN_OR_RETURN(auto store, OpenExistingStore(config));
  TANDEM_ASSIGN_OR_RETURN(std::optional<int64_t> lead_id, FindLead(*store, lead_or_email));
  TANDEM_ASSIGN_OR_RETURN(std::string secret, LoadUnsubscribeSecret(*store));
  const TimePoint now = SystemClock().Now();
  TANDEM_ASSIGN_OR_RETURN(ErasureCounts counts, ErasePerson(*store, secret, *lead_id, now));
  nlohmann::json out = ErasureDetail(counts);
  TANDEM_RETURN_IF_ERROR(AuditCli(*store, audit_action::kErased, LeadIdText(*lead_id), out.dump()));
  out["person"] = LeadIdText(*lead_id);
  out["erased_at"] = FormatIsoTime(now);
  std::cout << out.dump(2) << "\n";
  return OkStatus();
}

}  // namespace tandem::cli
