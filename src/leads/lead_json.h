// The JSON shapes of leads, users and score explanations that the API and webhooks
// share (design §9). Times are RFC 3339 UTC; ids are "ld_<n>" and "usr_<n>".
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "auth/user.h"
#include "contact/contact_records.h"
#include "core/ids.h"
#include "leads/lead.h"
#include "routing/assignment.h"
#include "scoring/scorer.h"

namespace tandem {

// Parses "ld_12" (or "12"); nullopt when malformed.
std::optional<int64_t> ParseLeadId(std::string_view text);
std::optional<int64_t> ParseUserId(std::string_view text);

// The lead as JSON text (what a page of leads is made of), and as a document (what a
// webhook's payload embeds): the same members either way.
std::string LeadJsonText(const LeadRecord& lead, const std::optional<UserRecord>& owner,
                         const ScoreExplanation& score);
nlohmann::json LeadToJson(const LeadRecord& lead, const std::optional<UserRecord>& owner,
                          const ScoreExplanation& score);
nlohmann::json UserToJson(const UserRecord& user);
nlohmann::json OwnerToJson(const std::optional<UserRecord>& owner);
nlohmann::json ExplanationToJson(const ScoreExplanation& score);
nlohmann::json TimeOrNull(const std::optional<TimePoint>& t);
nlohmann::json TouchToJson(const TouchRecord& touch);
nlohmann::json ConsentToJson(const ConsentRecord& consent);
struct LeadZone;
nlohmann::json PreferencesToJson(const ContactPrefs& prefs,
                                 const std::vector<ConsentRecord>& consents, const LeadZone& zone);

}  // namespace tandem
