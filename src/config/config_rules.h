// Readers (internal to config/) for the policy sections of tandem.toml: [scoring], [routing],
// [[webhooks]], [contact], [sla].
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
Status ReadContact(const toml::table& table, std::string_view origin, ContactConfig& out);
Status ReadSla(const toml::table& table, std::string_view origin, SlaConfig& out);
// [email.inbound], a table inside [email] (config_inbound.cpp).
Status ReadEmailInbound(const toml::node& node, std::string_view origin, InboundConfig& out);

}  // namespace tandem
