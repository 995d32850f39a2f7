#include "webhooks/signature.h"

#include <sodium.h>

#include <fmt/format.h>

namespace tandem {

std::string SignatureHeader(std::string_view secret, int64_t unix_seconds, std::string_view body) {
  std::string signed_text = fmt::format("{}.{}", unix_seconds, body);
  return fmt::format("t={},v1={}", unix_seconds, HmacSha256Hex(secret, signed_text));
}

}  // namespace tandem
