#include "notifications/app_notices.h"

#include <nlohmann/json.hpp>

#include "core/text.h"
#include "outbox/outbox_cursor.h"

namespace tandem {
namespace {

constexpr size_t kMessagesPerRound = 200;
constexpr size_t kMaxBody = 600;  // characters

std::string Text(const nlohmann::json& data, const char* key) {
  auto it = data.find(key);
  return it != data.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

StatusOr<int64_t> AppNotices::Cursor() { return OutboxCursor(outbox_, settings_, kCursorSetting); }

StatusOr<size_t> AppNotices::QueueNew() {
  TANDEM_ASSIGN_OR_RETURN(int64_t cursor, Cursor());
  TANDEM_ASSIGN_OR_RETURN(auto messages, outbox_.ListOutbox(cursor, kMessagesPerRound));
  if (messages.empty()) return size_t{0};
  std::vector<Notification> out;
  for (const OutboxMessage& message : messages) {
    const NotificationKind* kind = KindOfOutboxType(message.type);
    if (!kind) continue;
    const auto payload = nlohmann::json::parse(message.payload, nullptr, false);
    if (!payload.is_object() || !payload.contains("data") || !payload["data"].is_object()) continue;
    const nlohmann::json& data = payload["data"];
    for (int64_t user_id : NotifiedUsers(data)) {
      TANDEM_ASSIGN_OR_RETURN(auto user, users_.GetUser(user_id));
      if (!user || !user->active) continue;
      TANDEM_ASSIGN_OR_RETURN(auto choices, notifications_.NotifyChoices(user_id));
      auto choice = choices.find(kind->name);
      if (choice != choices.end() && !choice->second.app) continue;
      Notification n;
      n.user_id = user_id;
      n.kind = kind->name;
      n.lead_id = message.lead_id;
      n.title = Text(data, "subject");
      // A new lead's text is its whole brief in Markdown; the title says why now.
      n.body = kind->name == std::string_view("new_lead")
                   ? std::string()
                   : std::string(FirstChars(Text(data, "text"), kMaxBody));
      n.created_at = message.created_at;
      out.push_back(std::move(n));
    }
  }
  TANDEM_RETURN_IF_ERROR(notifications_.AddNotifications(out, kCursorSetting, messages.back().id));
  return out.size();
}

}  // namespace tandem
