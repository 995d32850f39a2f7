#include "core/mac.h"

#include <sodium.h>

namespace tandem {

namespace {

constexpr size_t kMacBytes = 16;

void HmacSha256(std::string_view secret, std::string_view message,
                unsigned char (&out)[crypto_auth_hmacsha256_BYTES]) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  crypto_auth_hmacsha256_final(&state, out);
}

}  // namespace

std::string ShortMac(std::string_view secret, std::string_view message) {
  unsigned char full[crypto_auth_hmacsha256_BYTES];
  HmacSha256(secret, message, full);
  char encoded[sodium_base64_ENCODED_LEN(kMacBytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(encoded, sizeof(encoded), full, kMacBytes,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return encoded;
}

std::string HmacSha256Hex(std::string_view secret, std::string_view message) {
  unsigned char full[crypto_auth_hmacsha256_BYTES];
  HmacSha256(secret, message, full);
  char hex[crypto_auth_hmacsha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof(hex), full, sizeof(full));
  return hex;
}

bool SameMac(std::string_view given, std::string_view expected) {
  return given.size() == expected.size() &&
         sodium_memcmp(given.data(), expected.data(), expected.size()) == 0;
}

}  // namespace tandem
