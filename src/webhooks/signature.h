// Webhook signatures: "Tandem-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
// "<t>.<body>" keyed with the endpoint's secret>". Receivers recompute it to check that
// Tandem sent the body and reject old timestamps to stop replays.
#pragma once

#include "core/mac.h"  // HmacSha256Hex

#include <cstdint>
#include <string>
#include <string_view>

namespace tandem {

std::string SignatureHeader(std::string_view secret, int64_t unix_seconds, std::string_view body);

}  // namespace tandem
