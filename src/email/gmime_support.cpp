#include "email/gmime_support.h"

#include <mutex>

namespace tandem::email::gmime {

void EnsureInitialized() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

std::string MemoryStreamBytes(GMimeStream* stream) {
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream));
  if (bytes == nullptr || bytes->len == 0) return {};
  return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

}  // namespace tandem::email::gmime
