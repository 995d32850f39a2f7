// The person's links, signed with the server's secret so nobody can make one for
// another person, and each good for one scope only:
//
//   manage   "<lead id>.<MAC>" — the preference page: show the state, unsubscribe (also
//            RFC 8058 one-click). This is the link staff can read through the API and the
//            one every email carries. It never re-subscribes anyone: asking to subscribe
//            again from it only sends a confirmation to the address.
//   confirm  "<lead id>.<expiry>.<MAC>" — confirms a re-subscription. It is only ever put
//            in the confirmation message to the person's address (never shown to staff),
//            expires, and is bound to the person's opt-out state: once they re-subscribe
//            or opt out again, it no longer works.
//
// MACs are the first 16 bytes of HMAC-SHA256 over a scope-tagged message, in unpadded
// base64url, compared in constant time; a token of one scope never verifies as another.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "contact/contact_records.h"
#include "core/clock.h"
#include "core/settings_store.h"
#include "core/status.h"

namespace tandem {

std::string MakeUnsubscribeToken(std::string_view secret, int64_t lead_id);
// The lead id a manage token was made for; nullopt when the token is malformed, forged
// or of another scope.
std::optional<int64_t> VerifyUnsubscribeToken(std::string_view secret, std::string_view token);

// A confirmation token for the lead's re-subscription, valid until `expires` while the
// person's opt-out state is `state_stamp` (see OptOutStateStamp).
std::string MakeResubscribeToken(std::string_view secret, int64_t lead_id, TimePoint expires,
                                 std::string_view state_stamp);
// The lead id and expiry a token of the confirm scope claims, not yet verified: the
// caller reads the lead's state stamp and calls VerifyResubscribeToken.
struct ResubscribeClaim {
  int64_t lead_id = 0;
  TimePoint expires;
};
std::optional<ResubscribeClaim> ParseResubscribeToken(std::string_view token);
// True when `token` was made by this server for `claim`, has not expired at `now`, and
// the person's opt-out state is still `state_stamp`.
bool VerifyResubscribeToken(std::string_view secret, std::string_view token,
                            const ResubscribeClaim& claim, std::string_view state_stamp,
                            TimePoint now);
// Changes whenever the person's email choice changes: the unsubscribe time, and the
// time and number of the email_marketing consent records.
// The address is part of it: a confirmation works only while the lead still has the
// address it was sent to.
std::string OptOutStateStamp(std::string_view email, const ContactPrefs& prefs,
                             const std::vector<ConsentRecord>& consents);

// The server secret the tokens are signed with, kept in the store's settings so every
// instance (and the CLI) signs alike; created on first use.
StatusOr<std::string> LoadUnsubscribeSecret(SettingsStore& settings);

}  // namespace tandem
