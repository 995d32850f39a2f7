// The key under which the suppression list keeps an erased person's address.
//
// An erasure (privacy/erasure.h) removes the address everywhere but keeps this key, so
// that the address is known again when it comes back and no marketing email reaches it,
// while the list itself names nobody: without the server's secret a key cannot be
// matched to an address, not even by trying every address of a mailing list.
#pragma once

#include <string>
#include <string_view>

namespace tandem {

// HMAC-SHA256 under `secret` (the server's signing secret, kept in the store's settings:
// contact/unsubscribe_token.h) of the normalized address (NormalizeEmail), tagged with
// its scope so it never equals a code made for a link, in hex. "" when `address` is not
// a plausible address.
std::string ErasedAddressKey(std::string_view secret, std::string_view address);

}  // namespace tandem
