#include "auth/password_links.h"

#include "auth/tokens.h"
#include "core/random.h"

namespace tandem {

NewPasswordLink MakePasswordLink(int64_t user_id, PasswordLinkPurpose purpose,
                                 std::optional<int64_t> created_by, TimePoint now) {
  NewPasswordLink link;
  link.token = RandomToken(32);
  link.record.token_hash = HashPasswordLinkToken(link.token);
  link.record.user_id = user_id;
  link.record.purpose = purpose == PasswordLinkPurpose::kInvite ? "invite" : "reset";
  link.record.created_by = created_by;
  link.record.created_at = now;
  link.record.expires_at =
      now + (purpose == PasswordLinkPurpose::kInvite ? kInviteLinkLifetime : kResetLinkLifetime);
  return link;
}

// The same fast hash as API tokens: the secret is random, there is nothing to guess.
std::string HashPasswordLinkToken(std::string_view token) { return HashApiToken(token); }

std::string PasswordLinkUrl(std::string_view web_address, std::string_view token) {
  std::string url(web_address);
  if (!url.ends_with('/')) url += '/';
  url += "app/#/set-password/";
  url += token;
  return url;
}

}  // namespace tandem
