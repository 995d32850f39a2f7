// Mentions: "@" and a user's email address or full name in a note (a call's, a
// meeting's), any case — the way someone asks a colleague to look at a lead.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "auth/user.h"

namespace tandem {

// The active users `note` mentions, each once, in the order of `users`.
std::vector<UserRecord> MentionedUsers(std::string_view note, std::span<const UserRecord> users);

}  // namespace tandem
