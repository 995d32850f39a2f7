// A lead added by hand — a rep who met someone at an event types them in: the fields of
// an import row (imports/lead_import.h) given as JSON, checked the same way, with where
// the address came from and the basis for marketing to it required. The lead arrives
// through identity like any other (imports/lead_event.h): an address Tandem already knows
// joins its person.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "auth/user.h"
#include "core/status.h"
#include "imports/lead_import.h"

namespace tandem {

struct LeadByHand {
  ImportedLead lead;
  std::optional<int64_t> owner_id;
};

// Reads `body`: "email", "address_source" and "consent_basis" required; "owner" is "me",
// a user's email or usr_N (default: `by` when `by` is a sales rep). 400 for an unknown
// field or a value of the wrong type, 422 naming what is missing or wrong.
StatusOr<LeadByHand> ReadLeadByHand(const nlohmann::json& body, const UserRecord& by,
                                    const std::vector<UserRecord>& users);

}  // namespace tandem
