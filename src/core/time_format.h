// RFC 3339 / ISO 8601 timestamps as Segment clients send them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace tandem {

// Parses "2026-11-22T05:27:24.123Z", "...+01:00", "...+0100", a time without a zone
// (taken as UTC) or a plain date "2026-11-22". Fractions beyond milliseconds are
// truncated. Returns nullopt for anything else, including out-of-range fields.
std::optional<TimePoint> ParseIsoTime(std::string_view text);

// Formats as "2026-11-22T05:27:24.123Z".
std::string FormatIsoTime(TimePoint t);

}  // namespace tandem
