// "1 campaign", "3 campaigns", "0 leads": a count with its noun, for what people read.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace tandem {

// `many` defaults to `one` + "s"; give it for the others ("1 entry", "2 entries").
inline std::string Counted(long long n, std::string_view one, std::string_view many = {}) {
  if (n == 1) return fmt::format("1 {}", one);
  if (many.empty()) return fmt::format("{} {}s", n, one);
  return fmt::format("{} {}", n, many);
}

}  // namespace tandem
