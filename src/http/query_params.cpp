#include "http/query_params.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>

namespace tandem::http {
namespace {

// `text` for an error message: control characters shown as \xNN, at most 80 bytes.
std::string EscapeForMessage(std::string_view text) {
  std::string out;
  for (unsigned char c : text.substr(0, 80)) {
    if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > 80) out += "...";
  return out;
}

}  // namespace

StatusOr<int64_t> IntParam(const std::map<std::string, std::string, std::less<>>& params,
                           std::string_view name, int64_t fallback, int64_t min, int64_t max) {
  auto it = params.find(name);
  if (it == params.end()) return fallback;
  const std::string& text = it->second;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < min ||
      value > max) {
    return InvalidArgument("invalid_parameter",
                           fmt::format("{} \"{}\" must be a number from {} to {}", name,
                                       EscapeForMessage(text), min, max));
  }
  return value;
}

Status CheckNoControlCharacters(const std::map<std::string, std::string, std::less<>>& params) {
  for (const auto& [name, value] : params) {
    for (unsigned char c : value) {
      if (c < 0x20 || c == 0x7f) {
        return InvalidArgument(
            "invalid_parameter",
            fmt::format("{} \"{}\" holds a control character (0x{:02x}); remove it", name,
                        EscapeForMessage(value), c));
      }
    }
  }
  return OkStatus();
}

std::optional<std::string_view> FindParam(
    const std::map<std::string, std::string, std::less<>>& params, std::string_view name) {
  auto it = params.find(name);
  if (it == params.end()) return std::nullopt;
  return std::string_view(it->second);
}

}  // namespace tandem::http
