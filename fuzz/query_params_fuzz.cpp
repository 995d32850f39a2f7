// Fuzz target: what a client controls in a list URL — the query string
// (http/query_params.h) and the lead list's cursor (http/list_cursor.h). Decoding never
// reads outside its input; a cursor either is refused or names a finite position that
// encodes back to a cursor decoding to the same position.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/list_cursor.h"
#include "http/query_params.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto params = tandem::http::ParseQuery(text);
  std::string decoded = tandem::http::UrlDecode(text);
  if (decoded.size() > text.size()) std::abort();
  for (std::string_view sort : {"created", "score", "sla", "updated"}) {
    for (std::string_view cursor : {text, std::string_view(params["cursor"])}) {
      auto position = tandem::http::DecodeLeadCursor(sort, cursor);
      if (!position.ok()) {
        if (position.status().error_code() != "invalid_cursor") std::abort();
        continue;
      }
      const auto& [after, score_at] = *position;
      if (!std::isfinite(after.key)) std::abort();
      auto again = tandem::http::DecodeLeadCursor(
          sort, tandem::http::EncodeLeadCursor(sort, after, score_at));
      if (!again.ok() || again->first.key != after.key || again->first.id != after.id ||
          again->first.is_null != after.is_null || again->second != score_at) {
        std::abort();
      }
    }
  }
  return 0;
}
