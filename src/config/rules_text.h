// The rules that decide a lead's score and its team — tandem.toml's [scoring] and
// [routing] sections — as text that can be stored, shown, edited and versioned: what
// the rules page shows and saves, what `tandem.toml` would hold.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "routing/router.h"
#include "scoring/scoring_config.h"

namespace tandem {

struct LeadRules {
  ScoringConfig scoring = DefaultScoring();
  RoutingConfig routing;
};

// Reads a TOML document of [scoring] and [routing] only, over the defaults, as
// tandem.toml's sections are read; errors name `origin`, the line and the key
// (InvalidArgument, config_syntax or config_invalid_value).
StatusOr<LeadRules> ParseRules(std::string_view text, std::string_view origin);

// The rules as TOML that ParseRules reads back to the same rules: every setting
// written out, defaults included, comments lost.
std::string RulesToml(const ScoringConfig& scoring, const RoutingConfig& routing);

}  // namespace tandem
