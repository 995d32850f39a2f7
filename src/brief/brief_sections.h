// The sections of the handoff brief built in brief_story.cpp (the journey, the
// campaign, the talking points), and the text helpers brief.cpp shares with them.
// Internal to brief/.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "brief/brief.h"
#include "brief/brief_moments.h"

namespace tandem::brief {

// null for "", else the text.
nlohmann::json NullIfEmpty(const std::string& s);
// "Downloaded ..." -> "downloaded ..." (an acronym stays as it is).
std::string LowerFirst(std::string text);
// The forbidden phrase (ForbiddenTalkingPhrases) the text holds, or "".
std::string ContainsForbidden(std::string_view text);

nlohmann::json Journey(const BriefInput& in, const Analysis& an);
nlohmann::json CampaignSection(const BriefInput& in, const Analysis& an,
                               const nlohmann::json& why_now);
nlohmann::json TalkingPoints(const BriefInput& in, const Analysis& an,
                             const nlohmann::json& traits);

}  // namespace tandem::brief
