// Unsubscribe tokens: "<lead id>.<MAC>", where the MAC is the first 16 bytes of
// HMAC-SHA256(secret, "unsubscribe:<lead id>") in unpadded base64url. Nobody can make
// a token for another person without the server's secret, and a changed character
// fails the check (compared in constant time).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/store.h"

namespace tandem {

std::string MakeUnsubscribeToken(std::string_view secret, int64_t lead_id);
// The lead id a token was made for; nullopt when the token is malformed or forged.
std::optional<int64_t> VerifyUnsubscribeToken(std::string_view secret, std::string_view token);

// The server secret the tokens are signed with, kept in the store's settings so every
// instance (and the CLI) signs alike; created on first use.
StatusOr<std::string> LoadUnsubscribeSecret(Store& store);

}  // namespace tandem
