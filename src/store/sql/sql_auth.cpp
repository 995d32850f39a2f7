#include "store/sql/sql_auth.h"

#include <fmt/format.h>

#include "store/sql/sql_store.h"

namespace tandem::sql {

const char* const kUserColumns =
    "id, email, name, role, COALESCE(team, ''), timezone, capacity, hours_start, hours_end, "
    "active, ooo_from, ooo_until, created_at, updated_at, notify_by";

StatusOr<UserRecord> ReadUser(const Statement& row) {
  UserRecord u;
  u.id = row.Int(0);
  u.email = row.Text(1);
  u.name = row.Text(2);
  TANDEM_ASSIGN_OR_RETURN(u.role, ReadEnum(row, 3, "users.role", ParseRole));
  u.team = row.Text(4);
  u.timezone = row.Text(5);
  u.capacity = static_cast<int>(row.Int(6));
  u.hours_start = static_cast<int>(row.Int(7));
  u.hours_end = static_cast<int>(row.Int(8));
  u.active = row.Int(9) != 0;
  u.ooo_from = OptionalTime(row, 10);
  u.ooo_until = OptionalTime(row, 11);
  u.created_at = FromUnixMillis(row.Int(12));
  u.updated_at = FromUnixMillis(row.Int(13));
  u.notify_by = row.Text(14);
  return u;
}

StatusOr<std::vector<UserRecord>> ListUsers(Db& db) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt, db.Prepare(fmt::format("SELECT {} FROM users ORDER BY id", kUserColumns)));
  return Collect<UserRecord>(stmt, ReadUser);
}

namespace {

StatusOr<std::optional<UserRecord>> OneUser(Statement* stmt) {
  TANDEM_ASSIGN_OR_RETURN(auto users, Collect<UserRecord>(stmt, ReadUser));
  if (users.empty()) return std::optional<UserRecord>();
  return std::optional<UserRecord>(std::move(users[0]));
}

}  // namespace

StatusOr<std::optional<UserRecord>> GetUser(Db& db, int64_t user_id) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt, db.Prepare(fmt::format("SELECT {} FROM users WHERE id = ?", kUserColumns)));
  stmt->Bind(1, user_id);
  return OneUser(stmt);
}

StatusOr<std::optional<UserRecord>> FindUserBy(Db& db, std::string_view column,
                                               std::string_view value) {
  std::string sql =
      column == "token"
          ? fmt::format(
                "SELECT {} FROM users WHERE id = (SELECT user_id FROM api_tokens WHERE "
                "token_hash = ?)",
                kUserColumns)
          : fmt::format("SELECT {} FROM users WHERE {} = ?", kUserColumns, column);
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt, db.Prepare(sql));
  stmt->Bind(1, value);
  return OneUser(stmt);
}

StatusOr<std::optional<Credentials>> FindCredentials(Db& db, std::string_view email) {
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt,
                          db.Prepare(fmt::format("SELECT {}, COALESCE(password_hash, '') "
                                                 "FROM users WHERE lower(email) = lower(?)",
                                                 kUserColumns)));
  stmt->Bind(1, email);
  TANDEM_ASSIGN_OR_RETURN(
      auto rows, Collect<Credentials>(stmt, [](const Statement& s) -> StatusOr<Credentials> {
        Credentials c;
        TANDEM_ASSIGN_OR_RETURN(c.user, ReadUser(s));
        c.password_hash = s.Text(15);
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

Status CreatePasswordLink(Db& db, const PasswordLink& link) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * older,
      db.Prepare("DELETE FROM password_links WHERE user_id = ? AND used_at IS NULL"));
  older->Bind(1, link.user_id);
  TANDEM_RETURN_IF_ERROR(older->Run());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * add,
      db.Prepare("INSERT INTO password_links (token_hash, user_id, purpose, created_by, "
                 "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)"));
  add->Bind(1, link.token_hash).Bind(2, link.user_id).Bind(3, link.purpose);
  add->BindNullable(4, link.created_by)
      .Bind(5, ToUnixMillis(link.created_at))
      .Bind(6, ToUnixMillis(link.expires_at));
  return add->Run();
}

StatusOr<std::optional<std::pair<UserRecord, PasswordLink>>> FindPasswordLink(
    Db& db, std::string_view token_hash, TimePoint now) {
  using Found = std::optional<std::pair<UserRecord, PasswordLink>>;
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt,
                          db.Prepare("SELECT user_id, purpose, created_by, created_at, expires_at "
                                     "FROM password_links WHERE token_hash = ? AND used_at IS NULL "
                                     "AND expires_at > ?"));
  stmt->Bind(1, token_hash).Bind(2, ToUnixMillis(now));
  TANDEM_ASSIGN_OR_RETURN(auto rows, Collect<PasswordLink>(stmt, [&](const Statement& s) {
                            PasswordLink link;
                            link.token_hash = std::string(token_hash);
                            link.user_id = s.Int(0);
                            link.purpose = s.Text(1);
                            link.created_by = s.NullableInt(2);
                            link.created_at = FromUnixMillis(s.Int(3));
                            link.expires_at = FromUnixMillis(s.Int(4));
                            return link;
                          }));
  if (rows.empty()) return Found();
  TANDEM_ASSIGN_OR_RETURN(auto user, GetUser(db, rows[0].user_id));
  if (!user) return Found();
  return Found(std::make_pair(std::move(*user), std::move(rows[0])));
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

namespace tandem {

using sql::Statement;

namespace {

// A user's team exists once someone is in it.
Status EnsureTeam(sql::Db& db, std::string_view team, TimePoint at) {
  if (team.empty()) return OkStatus();
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("INSERT INTO teams (name, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING"));
  stmt->Bind(1, team).Bind(2, ToUnixMillis(at));
  return stmt->Run();
}

}  // namespace

StatusOr<UserRecord> SqlStore::CreateUser(const UserRecord& user) {
  UserRecord created = user;
  Status status = Write([&](sql::Db& db) -> Status {
    TANDEM_RETURN_IF_ERROR(EnsureTeam(db, user.team, user.created_at));
    TANDEM_ASSIGN_OR_RETURN(
        Statement * insert,
        db.Prepare(
            "INSERT INTO users (email, name, role, team, timezone, capacity, hours_start, "
            "hours_end, active, created_at, updated_at, notify_by) VALUES (?, ?, ?, ?, ?, ?, "
            "?, ?, ?, ?, ?, ?) RETURNING id"));
    insert->Bind(1, user.email)
        .Bind(2, user.name)
        .Bind(3, RoleName(user.role))
        .BindNullable(4, user.team)
        .Bind(5, user.timezone)
        .Bind(6, int64_t{user.capacity})
        .Bind(7, int64_t{user.hours_start})
        .Bind(8, int64_t{user.hours_end})
        .Bind(9, int64_t{user.active ? 1 : 0})
        .Bind(10, ToUnixMillis(user.created_at))
        .Bind(11, ToUnixMillis(user.updated_at))
        .Bind(12, user.notify_by);
    auto inserted = sql::InsertedId(*insert);
    if (inserted.status().code() == StatusCode::kConflict) {
      return Conflict("user_exists", fmt::format("a user with email {} exists", user.email));
    }
    TANDEM_RETURN_IF_ERROR(inserted.status());
    created.id = *inserted;
    return OkStatus();
  });
  if (!status.ok()) return status;
  return created;
}

Status SqlStore::UpdateUser(const UserRecord& u) {
  return Write([&](sql::Db& db) -> Status {
    TANDEM_RETURN_IF_ERROR(EnsureTeam(db, u.team, u.updated_at));
    TANDEM_ASSIGN_OR_RETURN(
        Statement * stmt,
        db.Prepare("UPDATE users SET name = ?, role = ?, team = ?, timezone = ?, capacity = ?, "
                   "hours_start = ?, hours_end = ?, active = ?, ooo_from = ?, ooo_until = ?, "
                   "updated_at = ?, notify_by = ? WHERE id = ?"));
    stmt->Bind(1, u.name)
        .Bind(2, RoleName(u.role))
        .BindNullable(3, u.team)
        .Bind(4, u.timezone)
        .Bind(5, int64_t{u.capacity})
        .Bind(6, int64_t{u.hours_start})
        .Bind(7, int64_t{u.hours_end})
        .Bind(8, int64_t{u.active ? 1 : 0});
    if (u.ooo_from && u.ooo_until) {
      stmt->Bind(9, ToUnixMillis(*u.ooo_from)).Bind(10, ToUnixMillis(*u.ooo_until));
    } else {
      stmt->BindNull(9).BindNull(10);
    }
    stmt->Bind(11, ToUnixMillis(u.updated_at)).Bind(12, u.notify_by).Bind(13, u.id);
    TANDEM_RETURN_IF_ERROR(stmt->Run());
    if (db.Changes() == 0)
      return NotFound("not_found", fmt::format("user usr_{} does not exist", u.id));
    return OkStatus();
  });
}

StatusOr<std::optional<UserRecord>> SqlStore::GetUser(int64_t user_id) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  return sql::GetUser(lease->db(), user_id);
}

StatusOr<std::optional<UserRecord>> SqlStore::FindUserByEmail(std::string_view email) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  return sql::FindUserBy(lease->db(), "email", email);
}

StatusOr<std::vector<std::string>> SqlStore::ListTeams() {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt,
                          lease->db().Prepare("SELECT name FROM teams ORDER BY name"));
  std::vector<std::string> out;
  for (;;) {
    TANDEM_ASSIGN_OR_RETURN(bool more, stmt->Step());
    if (!more) break;
    out.push_back(stmt->Text(0));
  }
  stmt->Reset();
  return out;
}

StatusOr<std::optional<Credentials>> SqlStore::FindCredentials(std::string_view email) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  return sql::FindCredentials(lease->db(), email);
}

Status SqlStore::SetPassword(int64_t user_id, std::string_view password_hash) {
  return Write([&](sql::Db& db) { return sql::SetPassword(db, user_id, password_hash); });
}

Status SqlStore::CreatePasswordLink(const PasswordLink& link) {
  return Write([&](sql::Db& db) { return sql::CreatePasswordLink(db, link); });
}

StatusOr<std::optional<std::pair<UserRecord, PasswordLink>>> SqlStore::FindPasswordLink(
    std::string_view token_hash, TimePoint now) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  return sql::FindPasswordLink(lease->db(), token_hash, now);
}

StatusOr<std::optional<UserRecord>> SqlStore::UsePasswordLink(std::string_view token_hash,
                                                              std::string_view password_hash,
                                                              TimePoint now) {
  std::optional<UserRecord> user;
  TANDEM_RETURN_IF_ERROR(Write([&](sql::Db& db) -> Status {
    TANDEM_ASSIGN_OR_RETURN(auto found, sql::FindPasswordLink(db, token_hash, now));
    if (!found || !found->first.active) return OkStatus();
    TANDEM_ASSIGN_OR_RETURN(sql::Statement * use,
                            db.Prepare("UPDATE password_links SET used_at = ? WHERE token_hash = ? "
                                       "AND used_at IS NULL"));
    use->Bind(1, ToUnixMillis(now)).Bind(2, token_hash);
    TANDEM_RETURN_IF_ERROR(use->Run());
    if (db.Changes() != 1) return OkStatus();  // another request used it first
    TANDEM_RETURN_IF_ERROR(sql::SetPassword(db, found->first.id, password_hash));
    user = std::move(found->first);
    return OkStatus();
  }));
  return user;
}

Status SqlStore::CreateSession(const SessionRecord& session) {
  return Write([&](sql::Db& db) { return sql::CreateSession(db, session); });
}

StatusOr<std::optional<std::pair<UserRecord, SessionRecord>>> SqlStore::FindSession(
    std::string_view token_hash, TimePoint now) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  return sql::FindSession(lease->db(), token_hash, now);
}

Status SqlStore::DeleteSession(std::string_view token_hash) {
  return Write([&](sql::Db& db) { return sql::DeleteSession(db, token_hash); });
}

Status SqlStore::EndSessions(int64_t user_id) {
  return Write([&](sql::Db& db) { return sql::EndSessions(db, user_id); });
}

StatusOr<ApiTokenRecord> SqlStore::CreateApiToken(const ApiTokenRecord& token,
                                                  std::string_view token_hash) {
  ApiTokenRecord created = token;
  TANDEM_RETURN_IF_ERROR(Write([&](sql::Db& db) -> Status {
    TANDEM_ASSIGN_OR_RETURN(created.id, sql::CreateApiToken(db, token, token_hash));
    return OkStatus();
  }));
  return created;
}

StatusOr<std::optional<std::pair<UserRecord, ApiTokenRecord>>> SqlStore::FindApiToken(
    std::string_view token_hash, TimePoint now) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  return sql::FindApiToken(lease->db(), token_hash, now);
}

StatusOr<std::optional<ApiTokenRecord>> SqlStore::GetApiToken(int64_t token_id) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  return sql::GetApiToken(lease->db(), token_id);
}

StatusOr<std::vector<ApiTokenRecord>> SqlStore::ListApiTokens(std::optional<int64_t> user_id) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  return sql::ListApiTokens(lease->db(), user_id);
}

StatusOr<bool> SqlStore::RevokeApiToken(int64_t token_id) {
  bool revoked = false;
  TANDEM_RETURN_IF_ERROR(Write([&](sql::Db& db) -> Status {
    TANDEM_ASSIGN_OR_RETURN(int64_t n, sql::DeleteApiTokens(db, "id", token_id));
    revoked = n > 0;
    return OkStatus();
  }));
  return revoked;
}

StatusOr<int64_t> SqlStore::RevokeApiTokens(int64_t user_id) {
  int64_t revoked = 0;
  TANDEM_RETURN_IF_ERROR(Write([&](sql::Db& db) -> Status {
    TANDEM_ASSIGN_OR_RETURN(revoked, sql::DeleteApiTokens(db, "user_id", user_id));
    return OkStatus();
  }));
  return revoked;
}

Status SqlStore::NoteApiTokenUse(int64_t token_id, TimePoint now,
                                 std::chrono::milliseconds granularity) {
  return Write([&](sql::Db& db) { return sql::NoteApiTokenUse(db, token_id, now, granularity); });
}

}  // namespace tandem
