#include "analytics/group_page.h"

#include <fmt/format.h>

#include <charconv>
#include <nlohmann/json.hpp>

#include "core/text.h"

namespace tandem {
namespace {

constexpr char kHex[] = "0123456789abcdef";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string GroupCursor(std::string_view group) {
  std::string cursor = "g";
  for (unsigned char c : group) {
    cursor += kHex[c >> 4];
    cursor += kHex[c & 15];
  }
  return cursor;
}

nlohmann::json NextCursor(const std::optional<std::string>& next_after) {
  return next_after ? nlohmann::json(GroupCursor(*next_after)) : nlohmann::json();
}

StatusOr<GroupPage> ParseGroupPage(std::string_view limit, std::string_view cursor) {
  GroupPage page;
  if (!limit.empty()) {
    int value = 0;
    auto [end, ec] = std::from_chars(limit.data(), limit.data() + limit.size(), value);
    if (ec != std::errc() || end != limit.data() + limit.size() || value < 1 || value > 1000) {
      return InvalidArgument("invalid_parameter",
                             fmt::format("limit=\"{}\" is not a number of groups from 1 to 1000",
                                         limit.substr(0, 40)));
    }
    page.limit = static_cast<size_t>(value);
  }
  if (cursor.empty()) return page;
  // "g" and two hex digits a byte; group names are at most a few kilobytes.
  if (cursor.front() != 'g' || cursor.size() % 2 != 1 || cursor.size() > 16 * 1024 + 1) {
    return InvalidArgument("invalid_cursor", "cursor is not a next_cursor this report gave");
  }
  std::string after;
  for (size_t i = 1; i < cursor.size(); i += 2) {
    const int high = HexValue(cursor[i]), low = HexValue(cursor[i + 1]);
    if (high < 0 || low < 0) {
      return InvalidArgument("invalid_cursor", "cursor is not a next_cursor this report gave");
    }
    after += static_cast<char>(high * 16 + low);
  }
  // Groups are text the store gave: valid UTF-8 without NUL.
  if (after.find('\0') != std::string::npos || ValidUtf8(after) != after) {
    return InvalidArgument("invalid_cursor", "cursor is not a next_cursor this report gave");
  }
  page.after = std::move(after);
  return page;
}

}  // namespace tandem
