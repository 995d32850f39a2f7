#include "webhooks/signature.h"

#include <sodium.h>

#include <fmt/format.h>

namespace tandem {

std::string HmacSha256Hex(std::string_view key, std::string_view message) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                              key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&state, mac);
  char hex[sizeof mac * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return hex;
}

std::string SignatureHeader(std::string_view secret, int64_t unix_seconds, std::string_view body) {
  std::string signed_text = fmt::format("{}.{}", unix_seconds, body);
  return fmt::format("t={},v1={}", unix_seconds, HmacSha256Hex(secret, signed_text));
}

}  // namespace tandem
