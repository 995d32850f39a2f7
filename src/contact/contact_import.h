// What an import file says about contacting a person, applied to their lead without ever
// weakening what is already known: an opt-out or a do-not-call in the file is kept, and
// neither a later file nor a file's consent undoes one recorded before. The address's
// source is the file's only for a lead the import created; a lead that arrived another
// way keeps how it came.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "contact/contact_records.h"
#include "core/status.h"

namespace tandem {

class ContactReads;
class ContactWrites;

// One row's word on contact (imports/ reads it from the file).
struct ImportedContact {
  std::string address_source;   // one of AddressSources()
  std::string consent_basis;    // "consent" (email marketing) or "none"
  std::string consent_wording;  // the text the person agreed to, with "consent"
  bool email_opt_out = false;   // unsubscribed from email in the system it came from
  bool do_not_call = false;
  std::string evidence;  // where the row is: the file and its line
};

struct ImportedContactPlan {
  std::optional<ContactPrefs> prefs;    // the preferences to write; nullopt: unchanged
  std::vector<ConsentRecord> consents;  // to add
  // What changed, for the lead's log: address_source, unsubscribed, do_not_contact,
  // consent ("granted", "withdrawal_kept" or "already_granted").
  nlohmann::json changed = nlohmann::json::object();
};

// Pure: what applying `row` to a lead with `prefs` and `consents` (oldest first) does.
// `new_lead`: the import created the lead.
ImportedContactPlan PlanImportedContact(const ContactPrefs& prefs,
                                        const std::vector<ConsentRecord>& consents,
                                        const ImportedContact& row, bool new_lead, TimePoint now);

// Reads the lead's preferences and consents, plans and writes. Returns the plan's
// `changed`.
StatusOr<nlohmann::json> ApplyImportedContact(ContactReads& reads, ContactWrites& writes,
                                              int64_t lead_id, const ImportedContact& row,
                                              bool new_lead, TimePoint now);

}  // namespace tandem
