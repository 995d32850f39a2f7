#include "contact/unsubscribe_token.h"

#include <sodium.h>

#include <charconv>

#include "core/random.h"

namespace tandem {
namespace {

constexpr size_t kMacBytes = 16;

std::string Mac(std::string_view secret, int64_t lead_id) {
  std::string message = "unsubscribe:" + std::to_string(lead_id);
  unsigned char full[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  crypto_auth_hmacsha256_final(&state, full);
  char encoded[sodium_base64_ENCODED_LEN(kMacBytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(encoded, sizeof(encoded), full, kMacBytes,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return encoded;
}

}  // namespace

std::string MakeUnsubscribeToken(std::string_view secret, int64_t lead_id) {
  return std::to_string(lead_id) + "." + Mac(secret, lead_id);
}

std::optional<int64_t> VerifyUnsubscribeToken(std::string_view secret, std::string_view token) {
  size_t dot = token.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot > 19) return std::nullopt;
  // One spelling per lead: "042.<mac>" is not the token made for lead 42.
  if (token.front() == '0') return std::nullopt;
  int64_t lead_id = 0;
  auto [end, ec] = std::from_chars(token.data(), token.data() + dot, lead_id);
  if (ec != std::errc() || end != token.data() + dot || lead_id <= 0) return std::nullopt;
  std::string expected = Mac(secret, lead_id);
  std::string_view given = token.substr(dot + 1);
  if (given.size() != expected.size()) return std::nullopt;
  if (sodium_memcmp(given.data(), expected.data(), expected.size()) != 0) return std::nullopt;
  return lead_id;
}

StatusOr<std::string> LoadUnsubscribeSecret(Store& store) {
  constexpr std::string_view kName = "unsubscribe_secret";
  TANDEM_ASSIGN_OR_RETURN(auto secret, store.GetSetting(kName));
  if (secret && !secret->empty()) return *secret;
  // Instances starting together on an empty database each propose a secret; all of
  // them sign with the one stored first.
  return store.PutSettingIfAbsent(kName, RandomToken(32));
}

}  // namespace tandem
