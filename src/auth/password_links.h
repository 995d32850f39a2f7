// Password links: how an invited user sets a first password, and how a user whose
// password an admin or manager reset sets a new one. The link carries a random secret
// (256 bits) in the web address's fragment, so it never reaches a server log or a
// Referer header; only its hash is stored. A link sets a password once, expires (an
// invite after 7 days, a reset after 24 hours), and a newer link ends the older ones.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/user.h"
#include "core/clock.h"

namespace tandem {

enum class PasswordLinkPurpose { kInvite, kReset };

inline constexpr std::chrono::hours kInviteLinkLifetime{7 * 24};
inline constexpr std::chrono::hours kResetLinkLifetime{24};

struct NewPasswordLink {
  std::string token;  // the secret; shown once, never stored
  PasswordLink record;
};
NewPasswordLink MakePasswordLink(int64_t user_id, PasswordLinkPurpose purpose,
                                 std::optional<int64_t> created_by, TimePoint now);
// The hash stored for a link's secret.
std::string HashPasswordLinkToken(std::string_view token);
// The page that sets the password: `web_address` (ending in "/") and the app's route.
std::string PasswordLinkUrl(std::string_view web_address, std::string_view token);

}  // namespace tandem
