#include "auth/tokens.h"

#include <sodium.h>

#include "core/random.h"

namespace tandem {

std::string NewApiToken() { return "tdm_" + RandomToken(32); }

std::string HashApiToken(std::string_view token) {
  unsigned char hash[32];
  crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), nullptr, 0);
  char hex[sizeof hash * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
  return hex;
}

}  // namespace tandem
