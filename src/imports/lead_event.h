// The event a lead that arrives from outside a web page becomes — a row of an import file
// or a lead added by hand: an identify with the lead's traits, and its provenance in
// context.tandem.import (the address's source, the consent basis and wording, the
// opt-outs, the owner, where it came from), which only Tandem writes (ingest drops a
// client's context.tandem) and the lead engine applies (leads/lead_imported.h).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "imports/lead_import.h"
#include "ingest/event.h"

namespace tandem {

// `origin` names where the lead came from: {"file", "line"} for an import row,
// {"added_by": "usr_N"} for a lead added by hand.
EventRecord LeadArrivalEvent(const ImportedLead& lead, std::optional<int64_t> owner_id,
                             nlohmann::json origin, std::string message_id, int64_t source_id,
                             TimePoint now);

}  // namespace tandem
