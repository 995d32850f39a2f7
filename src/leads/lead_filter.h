// The lead list's filters (owner, stage, reason, priority, team, min_score,
// updated_since, source, form, q, sla, queued) read from query parameters, for GET /api/v1/leads
// and for the saved filters a broadcast sends to.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "leads/lead.h"

namespace tandem {

using LeadFilterValues = std::map<std::string, std::string, std::less<>>;

// The filter parameters' names, in the order docs/api.md lists them.
const std::vector<std::string>& LeadFilterParams();

// Reads the filter parameters of `params` into `query` (other names are left to the
// caller): 400 invalid_parameter naming the parameter and what it must be. "owner=me"
// means the user `me`.
Status ParseLeadFilter(const LeadFilterValues& params, int64_t me, LeadQuery& query);

// A saved filter: a query string of filter parameters only ("stage=mql,sal&team=emea"),
// each valid; "owner=me" means `me`.
StatusOr<LeadQuery> ParseSavedLeadFilter(std::string_view text, int64_t me);

}  // namespace tandem
