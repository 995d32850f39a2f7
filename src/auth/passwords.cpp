#include "auth/passwords.h"

#include <fmt/format.h>
#include <sodium.h>

#include "core/text.h"

namespace tandem {

StatusOr<std::string> HashPassword(std::string_view password) {
  if (sodium_init() < 0) return Internal("libsodium failed to initialise");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Unavailable("out_of_memory", "not enough memory to hash the password");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  char stored[crypto_pwhash_STRBYTES] = {};
  hash.copy(stored, hash.size());
  return crypto_pwhash_str_verify(stored, password.data(), password.size()) == 0;
}

const std::string& DummyPasswordHash() {
  static const std::string kHash = HashPassword("no password: an unknown address").value();
  return kHash;
}

Status CheckPasswordStrength(std::string_view password, std::string_view email) {
  if (password.size() < 10) {
    return Unprocessable("weak_password", "a password needs at least 10 characters");
  }
  if (password.size() > 1024) {
    return Unprocessable("weak_password", "a password may have at most 1024 characters");
  }
  if (password.find_first_not_of(password[0]) == std::string_view::npos) {
    return Unprocessable("weak_password", "a password must not be one character repeated");
  }
  const std::string_view local = email.substr(0, email.find('@'));
  if (!email.empty() &&
      (ContainsNoCase(password, email) || (local.size() >= 4 && ContainsNoCase(password, local)))) {
    return Unprocessable("weak_password", "a password must not contain the email address");
  }
  return OkStatus();
}

}  // namespace tandem
