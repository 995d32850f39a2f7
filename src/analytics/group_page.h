// A page of a report's groups. A dimension may have millions of values (landing pages,
// referrers, keywords); a report answers a page of its groups at a time, in the order
// of their names' bytes (the same on every database), with the cursor of the next — its
// total always over every lead. Within a page, each report ranks its rows its own way.
#pragma once

#include <algorithm>
#include <cstddef>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/status.h"

namespace tandem {

struct GroupPage {
  std::optional<std::string> after;  // the last group of the previous page; none: the first
  size_t limit = 200;                // groups (1 to 1000)
};

// The page `limit` ("" for the default) and `cursor` ("" for the first page) ask for;
// InvalidArgument ("invalid_parameter", "invalid_cursor") naming the parameter otherwise.
StatusOr<GroupPage> ParseGroupPage(std::string_view limit, std::string_view cursor);
// The cursor of the page after `group`: opaque, URL-safe.
std::string GroupCursor(std::string_view group);
// A report's "next_cursor": the cursor after `next_after`, or null on the last page.
nlohmann::json NextCursor(const std::optional<std::string>& next_after);

// Counts read for a page, in the order of their groups, hold up to limit + 1 groups (the
// store reads one more to know whether another page follows): keeps the first `limit`
// groups and gives the last of them when more follow (the next page's `after`).
template <typename Count>
std::optional<std::string> TrimToPage(std::vector<Count>& counts, size_t limit) {
  size_t groups = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    if (i > 0 && counts[i].group == counts[i - 1].group) continue;
    if (++groups > std::max<size_t>(limit, 1)) {
      std::optional<std::string> last = counts[i - 1].group;
      counts.resize(i);
      return last;
    }
  }
  return std::nullopt;
}

// Keeps the counts whose group is one of `groups`' (the page's).
template <typename Count, typename Kept>
void KeepGroups(std::vector<Count>& counts, const std::vector<Kept>& groups) {
  std::unordered_set<std::string> names;
  for (const Kept& k : groups) names.insert(k.group);
  std::erase_if(counts, [&](const Count& c) { return !names.contains(c.group); });
}

}  // namespace tandem
