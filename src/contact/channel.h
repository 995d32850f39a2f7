// The channels a touch can use and the purposes it can serve, and their names as the
// API, the store and the configuration spell them.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <span>
#include <string_view>

#include "core/status.h"

namespace tandem {

enum class Channel { kEmail, kCall, kSms, kSocial, kMeeting, kMail };
enum class Purpose { kSalesOutreach, kEmailMarketing, kPhone };

// "email", "call", "sms", "social", "meeting", "mail".
std::string_view ChannelName(Channel channel);
std::optional<Channel> ParseChannel(std::string_view name);
// "sales_outreach", "email_marketing", "phone".
std::string_view PurposeName(Purpose purpose);
std::optional<Purpose> ParsePurpose(std::string_view name);

// Every channel and every purpose, in the order above.
std::span<const Channel> ContactChannels();
std::span<const Purpose> ContactPurposes();
// Their names, for the messages that say what a value may be ("one of …").
std::span<const std::string_view> ContactChannelNames();
std::span<const std::string_view> ContactPurposeNames();

// The channel or purpose `value` names, or 422 invalid_field: `field` "value" is not one
// of the names.
StatusOr<Channel> ChannelField(std::string_view field, std::string_view value);
StatusOr<Purpose> PurposeField(std::string_view field, std::string_view value);

// JSON takes the names (ChannelName, PurposeName), never the numbers.
void to_json(nlohmann::json& json, Channel channel) = delete;
void to_json(nlohmann::json& json, Purpose purpose) = delete;

}  // namespace tandem
