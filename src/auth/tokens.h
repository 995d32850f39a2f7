// API tokens: random bearer credentials, stored only as a hash.
#pragma once

#include <string>
#include <string_view>

namespace tandem {

// A new token: "tdm_" and 43 URL-safe characters (256 random bits).
std::string NewApiToken();
// The hash stored for a token (BLAKE2b-256, hex). Tokens are random, so a fast hash is
// enough: there is nothing to guess from it.
std::string HashApiToken(std::string_view token);

}  // namespace tandem
