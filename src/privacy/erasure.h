// Erasing a person (GDPR Art. 17): everything Tandem holds about them goes, in one
// transaction, on both back-ends — deleted where nothing counts the row, stripped of
// personal data where a report counts it (store/sql/sql_erasure.cpp lists every table
// and which). The reports give the same figures afterwards: they count the lead's
// tombstone, which keeps no name, address, traits or words, and which every other read
// skips. The person's addresses stay only as keys on the suppression list
// (identity/erased_address.h), so that if one comes back, sales may answer a person who
// contacts them anew but marketing never mails it again (email/email_service.h's
// compliance refusal "erased").
//
// The reason an erasure is asked for must be given, and is not kept: it would be free
// text about the person erased. The audit entry (audit_action::kErased) holds the lead
// id, who erased it and how many rows of each table, never an address or the reason.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string_view>

#include "identity/person.h"
#include "leads/lead.h"
#include "privacy/privacy_store.h"

namespace tandem {

// Unprocessable "reason_required" when `reason` is blank, "reason_too_long" past 1,000
// characters.
Status CheckErasureReason(std::string_view reason);

// The erasure of `person` (with their lead, if any): the addresses they gave, normalized,
// and their keys under `secret`.
ErasureRequest PlanErasure(const Person& person, const std::optional<LeadRecord>& lead,
                           std::string_view secret, TimePoint now);

// Erases person `person_id` from `store` (S: the store, with every domain's reads and
// PrivacyWrites); `secret` keys their addresses. NotFound when there is no such person
// or they were erased already.
template <typename S>
StatusOr<ErasureCounts> ErasePerson(S& store, std::string_view secret, int64_t person_id,
                                    TimePoint now) {
  TANDEM_ASSIGN_OR_RETURN(auto person, store.GetPerson(person_id));
  if (!person) return NotFound("not_found", "no such person");
  TANDEM_ASSIGN_OR_RETURN(auto lead, store.GetLead(person_id));
  return store.ErasePerson(PlanErasure(*person, lead, secret, now));
}

// What an erasure did, for its audit entry and its answer: the rows of each table it
// deleted or anonymized (tables it left untouched are left out), and how many addresses
// the suppression list took. Never an address, a name or the reason.
nlohmann::json ErasureDetail(const ErasureCounts& counts);

}  // namespace tandem
