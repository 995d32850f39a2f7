// Short message authentication codes for links Tandem signs: the first 16 bytes of
// HMAC-SHA256 over a message, in unpadded base64url (22 characters), compared in
// constant time. Each kind of link tags its message with its scope, so a code made for
// one never verifies for another.
#pragma once

#include <string>
#include <string_view>

namespace tandem {

std::string ShortMac(std::string_view secret, std::string_view message);
// The whole HMAC-SHA256 of `message` under `secret`, in lowercase hex (64 characters):
// for keys a table is looked up by, where a short code would not do.
std::string HmacSha256Hex(std::string_view secret, std::string_view message);
// Whether `given` is `expected`, in time that does not depend on where they differ.
bool SameMac(std::string_view given, std::string_view expected);

}  // namespace tandem
