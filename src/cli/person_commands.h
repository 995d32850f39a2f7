// `tandem person record LEAD`: everything Tandem holds about a person, as the API's
// GET /api/v1/persons/{person}/record gives it, for an access request; `tandem person
// erase LEAD --reason TEXT`: the person erased, as DELETE /api/v1/persons/{person} does.
#pragma once

#include <string>

#include "config/config.h"
#include "core/status.h"

namespace tandem::cli {

// Prints the person's record (JSON) for ld_N or an email address; the reading is audited.
Status PrintPersonRecord(const Config& config, const std::string& lead_or_email);

// Erases the person (ld_N or an email address) for `reason` (required, not kept),
// audited; prints what was erased (JSON).
Status ErasePersonCli(const Config& config, const std::string& lead_or_email,
                      const std::string& reason);

}  // namespace tandem::cli
