// Fuzz target: compressed request bodies (ingest/content_encoding.h). The first byte
// picks the encoding; the rest is the body. Corrupt input is refused, and nothing ever
// inflates past the limit.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ingest/content_encoding.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  constexpr const char* kEncodings[] = {"gzip", "x-gzip", "deflate", "identity", ""};
  constexpr size_t kLimit = 64 * 1024;
  const char* encoding = kEncodings[data[0] % std::size(kEncodings)];
  std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto decoded = tandem::DecodeBody(encoding, body, kLimit);
  if (decoded.ok() && decoded->size() > kLimit) std::abort();
  return 0;
}
