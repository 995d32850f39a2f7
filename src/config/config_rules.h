// Readers (internal to config/) for the policy sections of tandem.toml: [scoring], [routing],
// [[webhooks]].
#pragma once

#include <toml++/toml.h>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "core/status.h"

namespace tandem {

Status ReadScoring(const toml::table& table, std::string_view origin, ScoringConfig& out);
Status ReadRouting(const toml::table& table, std::string_view origin, RoutingConfig& out);
Status ReadWebhooks(const toml::node& node, std::string_view origin,
                    std::vector<WebhookConfig>& out);

}  // namespace tandem
