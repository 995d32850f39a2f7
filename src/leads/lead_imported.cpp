#include "leads/lead_imported.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "contact/contact_store.h"
#include "leads/lead_json.h"
#include "leads/lead_session.h"
#include "routing/routing_service.h"
#include "rules/condition.h"

namespace tandem {
namespace {

std::string Text(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool Flag(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

}  // namespace

std::optional<ImportedRow> ImportedRowOf(const StoredEvent& event) {
  if (event.record.type != "identify" ||
      event.record.payload.find("\"tandem\"") == std::string::npos) {
    return std::nullopt;
  }
  nlohmann::json message = nlohmann::json::parse(event.record.payload, nullptr, false);
  const nlohmann::json* import = FindField(message, "context.tandem.import");
  if (import == nullptr || !import->is_object()) return std::nullopt;
  ImportedRow row;
  row.contact.address_source = Text(*import, "address_source");
  row.contact.consent_basis = Text(*import, "consent_basis");
  row.contact.consent_wording = Text(*import, "consent_wording");
  row.contact.email_opt_out = Flag(*import, "email_opt_out");
  row.contact.do_not_call = Flag(*import, "do_not_call");
  const std::string added_by = Text(*import, "added_by");
  row.contact.evidence = !added_by.empty() ? fmt::format("added by hand by {}", added_by)
                                           : fmt::format("import {} line {}", Text(*import, "file"),
                                                         import->value("line", int64_t{0}));
  if (auto owner = import->find("owner_id"); owner != import->end() && owner->is_number_integer()) {
    row.owner_id = owner->get<int64_t>();
  }
  return row;
}

Status LeadEngine::Session::ApplyImport(const ImportedRow& row, bool created, const Actor& actor) {
  TANDEM_ASSIGN_OR_RETURN(nlohmann::json data,
                          ApplyImportedContact(txn_, txn_, lead_.id, row.contact, created, now_));
  data["evidence"] = row.contact.evidence;
  if (row.owner_id && lead_.owner_id && *lead_.owner_id != *row.owner_id) {
    data["owner_kept"] = UserIdText(*lead_.owner_id);  // an owner is never replaced by a file
  }
  TANDEM_RETURN_IF_ERROR(Log("imported", actor, std::move(data)));
  if (!row.owner_id || lead_.owner_id) return OkStatus();
  std::optional<UserRecord> owner = UserById(*row.owner_id);
  if (!owner || !owner->active) return OkStatus();  // gone since the file was read
  // The owner the lead had in the system it comes from: no first-contact clock and no
  // "new lead for you" notice (a rep importing a book of 5,000 contacts is not handed
  // 5,000 new leads); the SLA starts when the lead raises its hand.
  const std::string reason = "the owner in the import file";
  AssignmentRecord a =
      RoutingService::NewAssignment(lead_.id, *owner, "import", reason, "[]", actor.Name(), now_);
  TANDEM_RETURN_IF_ERROR(RoutingService::StartAssignment(txn_, a));
  lead_.owner_id = owner->id;
  lead_.team = owner->team;
  lead_.queued = false;
  TANDEM_RETURN_IF_ERROR(
      Log("assigned", actor,
          {{"owner", UserIdText(owner->id)}, {"rule", "import"}, {"reason", reason}}));
  return Emit("lead.assigned", {{"rule", "import"}, {"reason", reason}});
}

}  // namespace tandem
