#include "http/list_cursor.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <vector>

namespace tandem::http {
namespace {

// The whole of `text` as a number of type T, or nothing.
template <typename T>
std::optional<T> WholeNumber(std::string_view text) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::string EncodeLeadCursor(std::string_view sort, const LeadQuery::After& after,
                             TimePoint score_at) {
  return fmt::format("{}~{}~{:.17g}~{}~{}", sort, after.is_null ? 1 : 0, after.key, after.id,
                     ToUnixMillis(score_at));
}

StatusOr<std::pair<LeadQuery::After, TimePoint>> DecodeLeadCursor(std::string_view sort,
                                                                  std::string_view text) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    size_t tilde = text.find('~', start);
    parts.push_back(text.substr(start, tilde - start));
    if (tilde == std::string_view::npos) break;
    start = tilde + 1;
  }
  auto bad = InvalidArgument("invalid_cursor", "cursor is not one this list handed out");
  if (parts.size() != 5 || parts[0] != sort || (parts[1] != "0" && parts[1] != "1")) return bad;
  auto key = WholeNumber<double>(parts[2]);
  auto id = WholeNumber<int64_t>(parts[3]);
  auto score_at = WholeNumber<int64_t>(parts[4]);
  if (!key || !std::isfinite(*key) || !id || !score_at) return bad;
  LeadQuery::After after;
  after.is_null = parts[1] == "1";
  after.key = *key;
  after.id = *id;
  return std::make_pair(after, FromUnixMillis(*score_at));
}

}  // namespace tandem::http
