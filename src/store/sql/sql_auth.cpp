#include "store/sql/sql_auth.h"

#include <fmt/format.h>

#include "store/sql/sql_leads.h"

namespace tandem::sql {

StatusOr<std::optional<Credentials>> FindCredentials(Db& db, std::string_view email) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare(fmt::format("SELECT {}, COALESCE(password_hash, ''), failed_logins, locked_until "
                             "FROM users WHERE lower(email) = lower(?)",
                             kUserColumns)));
  stmt->Bind(1, email);
  TANDEM_ASSIGN_OR_RETURN(auto rows, Collect<Credentials>(stmt, [](const Statement& s) {
                            Credentials c;
                            c.user = ReadUser(s);
                            c.password_hash = s.Text(14);
                            c.failed_logins = static_cast<int>(s.Int(15));
                            c.locked_until = OptionalTime(s, 16);
                            return c;
                          }));
  if (rows.empty()) return std::optional<Credentials>();
  return std::optional<Credentials>(std::move(rows[0]));
}

Status SetPassword(Db& db, int64_t user_id, std::string_view hash) {
  TANDEM_ASSIGN_OR_RETURN(Statement * set,
                          db.Prepare("UPDATE users SET password_hash = ?, failed_logins = 0, "
                                     "locked_until = NULL WHERE id = ?"));
  set->Bind(1, hash).Bind(2, user_id);
  TANDEM_RETURN_IF_ERROR(set->Run());
  // A new password ends every session the old one opened.
  TANDEM_ASSIGN_OR_RETURN(Statement * end, db.Prepare("DELETE FROM sessions WHERE user_id = ?"));
  end->Bind(1, user_id);
  return end->Run();
}

StatusOr<int> RecordLoginFailure(Db& db, int64_t user_id, int max_failures, TimePoint lock_until) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ? "
                 "RETURNING failed_logins"));
  stmt->Bind(1, user_id);
  TANDEM_ASSIGN_OR_RETURN(auto counts,
                          Collect<int64_t>(stmt, [](const Statement& s) { return s.Int(0); }));
  const int failures = counts.empty() ? 0 : static_cast<int>(counts[0]);
  if (failures >= max_failures) {
    TANDEM_ASSIGN_OR_RETURN(
        Statement * lock,
        db.Prepare("UPDATE users SET failed_logins = 0, locked_until = ? WHERE id = ?"));
    lock->Bind(1, ToUnixMillis(lock_until)).Bind(2, user_id);
    TANDEM_RETURN_IF_ERROR(lock->Run());
  }
  return failures;
}

Status RecordLoginSuccess(Db& db, int64_t user_id) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?"));
  stmt->Bind(1, user_id);
  return stmt->Run();
}

Status CreateSession(Db& db, const SessionRecord& s) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) "
                 "VALUES (?, ?, ?, ?, ?)"));
  stmt->Bind(1, s.token_hash)
      .Bind(2, s.user_id)
      .Bind(3, s.csrf_token)
      .Bind(4, ToUnixMillis(s.created_at))
      .Bind(5, ToUnixMillis(s.expires_at));
  return stmt->Run();
}

StatusOr<std::optional<std::pair<UserRecord, SessionRecord>>> FindSession(
    Db& db, std::string_view token_hash, TimePoint now) {
  using Found = std::optional<std::pair<UserRecord, SessionRecord>>;
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("SELECT user_id, csrf_token, created_at, expires_at FROM sessions "
                 "WHERE token_hash = ? AND expires_at > ?"));
  stmt->Bind(1, token_hash).Bind(2, ToUnixMillis(now));
  TANDEM_ASSIGN_OR_RETURN(auto rows, Collect<SessionRecord>(stmt, [&](const Statement& s) {
                            SessionRecord r;
                            r.token_hash = std::string(token_hash);
                            r.user_id = s.Int(0);
                            r.csrf_token = s.Text(1);
                            r.created_at = FromUnixMillis(s.Int(2));
                            r.expires_at = FromUnixMillis(s.Int(3));
                            return r;
                          }));
  if (rows.empty()) return Found();
  TANDEM_ASSIGN_OR_RETURN(auto user, GetUser(db, rows[0].user_id));
  if (!user) return Found();
  return Found(std::make_pair(std::move(*user), std::move(rows[0])));
}

Status DeleteSession(Db& db, std::string_view token_hash) {
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt,
                          db.Prepare("DELETE FROM sessions WHERE token_hash = ?"));
  stmt->Bind(1, token_hash);
  return stmt->Run();
}

}  // namespace tandem::sql
