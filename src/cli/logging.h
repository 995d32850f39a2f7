// Log setup: spdlog to stderr, one line per log event, as text or JSON.
#pragma once

#include <string_view>

#include "core/status.h"

namespace tandem {

// `format` is "text" or "json"; `level` one of trace, debug, info, warn, error.
Status SetUpLogging(std::string_view format, std::string_view level);

}  // namespace tandem
