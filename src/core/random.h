// Unguessable identifiers and credentials, from libsodium's CSPRNG.
#pragma once

#include <string>

namespace tandem {

// `bytes` random bytes, base64url without padding. Thread-safe.
std::string RandomToken(size_t bytes);

// A random RFC 4122 version 4 UUID, lower-case. Thread-safe.
std::string RandomUuid();

}  // namespace tandem
