#include "outbox/outbox_cursor.h"

#include <charconv>
#include <nlohmann/json.hpp>
#include <string>

namespace tandem {

StatusOr<int64_t> OutboxCursor(OutboxStore& outbox, SettingsStore& settings,
                               std::string_view setting) {
  TANDEM_ASSIGN_OR_RETURN(auto stored, settings.GetSetting(setting));
  if (!stored) {
    // First start: begin after what is in the outbox now.
    int64_t last = 0;
    for (;;) {
      TANDEM_ASSIGN_OR_RETURN(auto page, outbox.ListOutbox(last, 1000));
      if (page.empty()) break;
      last = page.back().id;
    }
    TANDEM_ASSIGN_OR_RETURN(std::string kept,
                            settings.PutSettingIfAbsent(setting, std::to_string(last)));
    stored = kept;
  }
  int64_t cursor = 0;
  std::from_chars(stored->data(), stored->data() + stored->size(), cursor);
  return cursor;
}

std::vector<int64_t> NotifiedUsers(const nlohmann::json& data) {
  std::vector<int64_t> out;
  auto notify = data.find("notify");
  if (notify == data.end() || !notify->is_array()) return out;
  for (const nlohmann::json& who : *notify) {
    if (!who.is_object() || !who.contains("id") || !who["id"].is_string()) continue;
    const std::string id = who["id"].get<std::string>();
    if (!id.starts_with("usr_")) continue;
    int64_t n = 0;
    auto [end, ec] = std::from_chars(id.data() + 4, id.data() + id.size(), n);
    if (ec == std::errc() && end == id.data() + id.size() && n > 0) out.push_back(n);
  }
  return out;
}

}  // namespace tandem
