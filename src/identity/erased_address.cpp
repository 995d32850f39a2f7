#include "identity/erased_address.h"

#include "core/mac.h"
#include "identity/email.h"

namespace tandem {

std::string ErasedAddressKey(std::string_view secret, std::string_view address) {
  const std::string normalized = NormalizeEmail(address);
  if (normalized.empty()) return "";
  return HmacSha256Hex(secret, "erased-address\n" + normalized);
}

}  // namespace tandem
