// Request bodies sent compressed (Content-Encoding: gzip or deflate).
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace tandem {

// Decodes `body` sent with `encoding` ("", "identity", "gzip", "x-gzip" or "deflate").
// Fails with 413 when the decoded body would exceed `max_bytes` (checked while
// inflating, so a small bomb never grows past it), 400 when corrupt or in an
// encoding Tandem does not speak.
StatusOr<std::string> DecodeBody(std::string_view encoding, std::string body, size_t max_bytes);

}  // namespace tandem
