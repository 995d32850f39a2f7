// Fuzz target: unsubscribe tokens (contact/unsubscribe_token.h), as they arrive in
// /u/<token>. A token verifies only if it is exactly the one the server makes for that
// lead: nothing else (another spelling of the id, a changed MAC) is accepted.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "contact/unsubscribe_token.h"

namespace {
// The secret the seed corpus's valid tokens are signed with.
constexpr std::string_view kSecret = "fuzz-secret-0123456789abcdef0123456789abcdef";
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view token(reinterpret_cast<const char*>(data), size);
  auto lead_id = tandem::VerifyUnsubscribeToken(kSecret, token);
  if (!lead_id) return 0;
  if (*lead_id <= 0 || tandem::MakeUnsubscribeToken(kSecret, *lead_id) != token) std::abort();
  return 0;
}
