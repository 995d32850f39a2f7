// Enums named in storage and JSON: a table of (value, name) pairs, read both ways.
#pragma once

#include <array>
#include <optional>
#include <string_view>
#include <utility>

namespace tandem {

template <typename E, size_t N>
using EnumNames = std::array<std::pair<E, std::string_view>, N>;

// The name of `value` in `names`; "" when it has none.
template <typename E, size_t N>
std::string_view NameOf(const EnumNames<E, N>& names, E value) {
  for (const auto& [e, name] : names) {
    if (e == value) return name;
  }
  return "";
}

// The value named `text`; nullopt when none is.
template <typename E, size_t N>
std::optional<E> ParseName(const EnumNames<E, N>& names, std::string_view text) {
  for (const auto& [e, name] : names) {
    if (name == text) return e;
  }
  return std::nullopt;
}

}  // namespace tandem
