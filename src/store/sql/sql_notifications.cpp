// In-app notifications and each user's choices per kind
// (notifications/notification_store.h).
#include <fmt/format.h>

#include "store/sql/sql_db.h"
#include "store/sql/sql_email_txn.h"
#include "store/sql/sql_store.h"

namespace tandem {

using sql::Statement;

Status SqlStore::AddNotifications(std::span<const Notification> notifications,
                                  std::string_view cursor, int64_t upto) {
  return Write([&](sql::Db& db) -> Status {
    TANDEM_ASSIGN_OR_RETURN(
        Statement * insert,
        db.Prepare("INSERT INTO notifications (user_id, kind, lead_id, title, body, created_at) "
                   "VALUES (?, ?, ?, ?, ?, ?)"));
    for (const Notification& n : notifications) {
      insert->Reset();
      insert->Bind(1, n.user_id).Bind(2, n.kind).BindNullable(3, n.lead_id);
      insert->Bind(4, n.title).Bind(5, n.body).Bind(6, ToUnixMillis(n.created_at));
      TANDEM_RETURN_IF_ERROR(insert->Run());
    }
    return sql::PutSetting(db, cursor, std::to_string(upto));
  });
}

StatusOr<std::vector<Notification>> SqlStore::ListNotifications(int64_t user_id, bool unread_only,
                                                                std::optional<int64_t> before_id,
                                                                size_t limit) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare(fmt::format(
          "SELECT id, user_id, kind, lead_id, title, body, created_at, read_at FROM notifications "
          "WHERE user_id = ? AND id < ?{} ORDER BY id DESC LIMIT ?",
          unread_only ? " AND read_at IS NULL" : "")));
  stmt->Bind(1, user_id).Bind(2, before_id.value_or(INT64_MAX));
  stmt->Bind(3, static_cast<int64_t>(limit));
  return sql::Collect<Notification>(stmt, [](const Statement& s) -> StatusOr<Notification> {
    Notification n;
    n.id = s.Int(0);
    n.user_id = s.Int(1);
    n.kind = s.Text(2);
    n.lead_id = s.NullableInt(3);
    n.title = s.Text(4);
    n.body = s.Text(5);
    n.created_at = FromUnixMillis(s.Int(6));
    if (auto at = s.NullableInt(7)) n.read_at = FromUnixMillis(*at);
    return n;
  });
}

StatusOr<int64_t> SqlStore::CountUnreadNotifications(int64_t user_id) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare(
          "SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL"));
  stmt->Bind(1, user_id);
  TANDEM_ASSIGN_OR_RETURN(auto n,
                          sql::First<int64_t>(stmt, [](const Statement& s) { return s.Int(0); }));
  return n.value_or(0);
}

StatusOr<int64_t> SqlStore::MarkNotificationsRead(int64_t user_id, std::span<const int64_t> ids,
                                                  TimePoint now) {
  int64_t marked = 0;
  TANDEM_RETURN_IF_ERROR(Write([&](sql::Db& db) -> Status {
    if (ids.empty()) {
      TANDEM_ASSIGN_OR_RETURN(
          Statement * all,
          db.Prepare("UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL"));
      all->Bind(1, ToUnixMillis(now)).Bind(2, user_id);
      TANDEM_RETURN_IF_ERROR(all->Run());
      marked = db.Changes();
      return OkStatus();
    }
    TANDEM_ASSIGN_OR_RETURN(
        Statement * one,
        db.Prepare("UPDATE notifications SET read_at = ? WHERE id = ? AND user_id = ? AND "
                   "read_at IS NULL"));
    for (int64_t id : ids) {
      one->Reset();
      one->Bind(1, ToUnixMillis(now)).Bind(2, id).Bind(3, user_id);
      TANDEM_RETURN_IF_ERROR(one->Run());
      marked += db.Changes();
    }
    return OkStatus();
  }));
  return marked;
}

StatusOr<std::map<std::string, NotifyChoice>> SqlStore::NotifyChoices(int64_t user_id) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare("SELECT kind, app, email FROM notification_choices WHERE user_id = ?"));
  stmt->Bind(1, user_id);
  std::map<std::string, NotifyChoice> out;
  for (;;) {
    TANDEM_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    out[stmt->Text(0)] = NotifyChoice{stmt->Int(1) != 0, stmt->Int(2) != 0};
  }
  return out;
}

Status SqlStore::SetNotifyChoices(int64_t user_id,
                                  const std::map<std::string, NotifyChoice>& choices) {
  return Write([&](sql::Db& db) -> Status {
    TANDEM_ASSIGN_OR_RETURN(Statement * clear,
                            db.Prepare("DELETE FROM notification_choices WHERE user_id = ?"));
    clear->Bind(1, user_id);
    TANDEM_RETURN_IF_ERROR(clear->Run());
    TANDEM_ASSIGN_OR_RETURN(
        Statement * insert,
        db.Prepare("INSERT INTO notification_choices (user_id, kind, app, email) "
                   "VALUES (?, ?, ?, ?)"));
    for (const auto& [kind, choice] : choices) {
      insert->Reset();
      insert->Bind(1, user_id).Bind(2, kind);
      insert->Bind(3, int64_t{choice.app ? 1 : 0}).Bind(4, int64_t{choice.email ? 1 : 0});
      TANDEM_RETURN_IF_ERROR(insert->Run());
    }
    return OkStatus();
  });
}

}  // namespace tandem
