// Passwords for signing in to the web app: argon2id hashes (libsodium), strength rules,
// and the lock-out policy after repeated failures.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace tandem {

// An argon2id hash in libsodium's self-describing string form (salt and cost inside).
StatusOr<std::string> HashPassword(std::string_view password);
// Whether `password` matches `hash`; false for a malformed hash.
bool VerifyPassword(std::string_view hash, std::string_view password);
// A hash of no password at all, verified against when the email is unknown so that a
// wrong address and a wrong password take the same time.
const std::string& DummyPasswordHash();

// 422 with the reason when the password is too weak: fewer than 10 characters, one
// character repeated, or the user's email (or its local part) in it.
Status CheckPasswordStrength(std::string_view password, std::string_view email);

}  // namespace tandem
