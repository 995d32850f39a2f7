// `tandem person record LEAD`: everything Tandem holds about a person, as the API's
// GET /api/v1/persons/{person}/record gives it, for an access request.
#pragma once

#include <string>

#include "config/config.h"
#include "core/status.h"

namespace tandem::cli {

// Prints the person's record (JSON) for ld_N or an email address; the reading is audited.
Status PrintPersonRecord(const Config& config, const std::string& lead_or_email);

}  // namespace tandem::cli
