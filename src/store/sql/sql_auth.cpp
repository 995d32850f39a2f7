#include "store/sql/sql_auth.h"

#include <fmt/format.h>

#include "store/sql/sql_leads.h"

namespace tandem::sql {

StatusOr<std::optional<Credentials>> FindCredentials(Db& db, std::string_view email) {
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt,
                          db.Prepare(fmt::format("SELECT {}, COALESCE(password_hash, '') "
                                                 "FROM users WHERE lower(email) = lower(?)",
                                                 kUserColumns)));
  stmt->Bind(1, email);
  TANDEM_ASSIGN_OR_RETURN(auto rows, Collect<Credentials>(stmt, [](const Statement& s) {
                            Credentials c;
                            c.user = ReadUser(s);
                            c.password_hash = s.Text(14);
                            return c;
                          }));
  if (rows.empty()) return std::optional<Credentials>();
  return std::optional<Credentials>(std::move(rows[0]));
}

Status SetPassword(Db& db, int64_t user_id, std::string_view hash) {
  TANDEM_ASSIGN_OR_RETURN(Statement * set,
                          db.Prepare("UPDATE users SET password_hash = ? WHERE id = ?"));
  set->Bind(1, hash).Bind(2, user_id);
  TANDEM_RETURN_IF_ERROR(set->Run());
  // A new password ends every session the old one opened.
  return EndSessions(db, user_id);
}

Status EndSessions(Db& db, int64_t user_id) {
  TANDEM_ASSIGN_OR_RETURN(Statement * end, db.Prepare("DELETE FROM sessions WHERE user_id = ?"));
  end->Bind(1, user_id);
  return end->Run();
}

namespace {

constexpr const char* kTokenColumns = "id, user_id, name, created_at, expires_at, last_used_at";

ApiTokenRecord ReadToken(const Statement& s, int first) {
  ApiTokenRecord t;
  t.id = s.Int(first);
  t.user_id = s.Int(first + 1);
  t.name = s.Text(first + 2);
  t.created_at = FromUnixMillis(s.Int(first + 3));
  t.expires_at = OptionalTime(s, first + 4);
  t.last_used_at = OptionalTime(s, first + 5);
  return t;
}

}  // namespace

StatusOr<int64_t> CreateApiToken(Db& db, const ApiTokenRecord& token, std::string_view token_hash) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("INSERT INTO api_tokens (token_hash, user_id, name, created_at, expires_at) "
                 "VALUES (?, ?, ?, ?, ?) RETURNING id"));
  stmt->Bind(1, token_hash)
      .Bind(2, token.user_id)
      .Bind(3, token.name)
      .Bind(4, ToUnixMillis(token.created_at))
      .BindNullable(5, OptionalMillis(token.expires_at));
  return InsertedId(*stmt);
}

StatusOr<std::optional<std::pair<UserRecord, ApiTokenRecord>>> FindApiToken(
    Db& db, std::string_view token_hash, TimePoint now) {
  using Found = std::optional<std::pair<UserRecord, ApiTokenRecord>>;
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt, db.Prepare(fmt::format("SELECT {} FROM api_tokens WHERE token_hash = ? AND "
                                               "(expires_at IS NULL OR expires_at > ?)",
                                               kTokenColumns)));
  stmt->Bind(1, token_hash).Bind(2, ToUnixMillis(now));
  TANDEM_ASSIGN_OR_RETURN(
      auto rows, Collect<ApiTokenRecord>(stmt, [](const Statement& s) { return ReadToken(s, 0); }));
  if (rows.empty()) return Found();
  TANDEM_ASSIGN_OR_RETURN(auto user, GetUser(db, rows[0].user_id));
  if (!user) return Found();
  return Found(std::make_pair(std::move(*user), std::move(rows[0])));
}

StatusOr<std::optional<ApiTokenRecord>> GetApiToken(Db& db, int64_t token_id) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare(fmt::format("SELECT {} FROM api_tokens WHERE id = ?", kTokenColumns)));
  stmt->Bind(1, token_id);
  TANDEM_ASSIGN_OR_RETURN(
      auto rows, Collect<ApiTokenRecord>(stmt, [](const Statement& s) { return ReadToken(s, 0); }));
  if (rows.empty()) return std::optional<ApiTokenRecord>();
  return std::optional<ApiTokenRecord>(std::move(rows[0]));
}

StatusOr<std::vector<ApiTokenRecord>> ListApiTokens(Db& db, std::optional<int64_t> user_id) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt, db.Prepare(fmt::format("SELECT {} FROM api_tokens {} ORDER BY id",
                                               kTokenColumns, user_id ? "WHERE user_id = ?" : "")));
  if (user_id) stmt->Bind(1, *user_id);
  return Collect<ApiTokenRecord>(stmt, [](const Statement& s) { return ReadToken(s, 0); });
}

StatusOr<int64_t> DeleteApiTokens(Db& db, std::string_view column, int64_t value) {
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt,
                          db.Prepare(fmt::format("DELETE FROM api_tokens WHERE {} = ?",
                                                 column == "id" ? "id" : "user_id")));
  stmt->Bind(1, value);
  TANDEM_RETURN_IF_ERROR(stmt->Run());
  return db.Changes();
}

Status NoteApiTokenUse(Db& db, int64_t token_id, TimePoint now,
                       std::chrono::milliseconds granularity) {
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt,
                          db.Prepare("UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND "
                                     "(last_used_at IS NULL OR last_used_at <= ?)"));
  stmt->Bind(1, ToUnixMillis(now)).Bind(2, token_id).Bind(3, ToUnixMillis(now - granularity));
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
