// SqlStore: users, lead reads, webhook deliveries and settings.
#include <fmt/format.h>

#include "store/sql/sql_auth.h"
#include "store/sql/sql_catalog.h"
#include "store/sql/sql_contact.h"
#include "store/sql/sql_lead_txn.h"
#include "store/sql/sql_store.h"

namespace tandem {

using sql::Statement;

namespace {

class SqlLeadTxn final : public sql::SqlLeadOps<LeadTxn> {
 public:
  using SqlLeadOps::SqlLeadOps;
};

template <typename T>
StatusOr<std::optional<T>> First(Statement* stmt, T (*read)(const Statement&)) {
  auto row = stmt->Step();
  if (!row.ok()) {
    stmt->Reset();
    return row.status();
  }
  std::optional<T> out;
  if (*row) out = read(*stmt);
  stmt->Reset();
  return out;
}

// A user's team exists once someone is in it.
Status EnsureTeam(sql::Db& db, std::string_view team, TimePoint at) {
  if (team.empty()) return OkStatus();
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("INSERT INTO teams (name, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING"));
  stmt->Bind(1, team).Bind(2, ToUnixMillis(at));
  return stmt->Run();
}

int64_t IntAt0(const Statement& s) { return s.Int(0); }
std::string TextAt0(const Statement& s) { return s.Text(0); }

}  // namespace

StatusOr<std::unique_ptr<LeadTxn>> SqlStore::BeginLeadTxn() {
  TANDEM_ASSIGN_OR_RETURN(auto scope, BeginWrite(sql::WriteKind::kDefault));
  return std::unique_ptr<LeadTxn>(std::make_unique<SqlLeadTxn>(std::move(scope)));
}

StatusOr<UserRecord> SqlStore::CreateUser(const UserRecord& user) {
  UserRecord created = user;
  Status status = Write([&](sql::Db& db) -> Status {
    TANDEM_RETURN_IF_ERROR(EnsureTeam(db, user.team, user.created_at));
    TANDEM_ASSIGN_OR_RETURN(
        Statement * insert,
        db.Prepare("INSERT INTO users (email, name, role, team, timezone, capacity, hours_start, "
                   "hours_end, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
                   "?, ?) RETURNING id"));
    insert->Bind(1, user.email)
        .Bind(2, user.name)
        .Bind(3, user.role)
        .BindNullable(4, user.team)
        .Bind(5, user.timezone)
        .Bind(6, int64_t{user.capacity})
        .Bind(7, int64_t{user.hours_start})
        .Bind(8, int64_t{user.hours_end})
        .Bind(9, int64_t{user.active ? 1 : 0})
        .Bind(10, ToUnixMillis(user.created_at))
        .Bind(11, ToUnixMillis(user.updated_at));
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
                   "updated_at = ? WHERE id = ?"));
    stmt->Bind(1, u.name)
        .Bind(2, u.role)
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
    stmt->Bind(11, ToUnixMillis(u.updated_at)).Bind(12, u.id);
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

StatusOr<std::vector<UserRecord>> SqlStore::ListUsers() {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  return sql::ListUsers(lease->db());
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

StatusOr<std::optional<LeadRecord>> SqlStore::GetLead(int64_t lead_id) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  return sql::GetLead(lease->db(), lead_id);
}

StatusOr<std::optional<int64_t>> SqlStore::ResolveLeadId(int64_t person_id) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  return sql::ResolveLeadId(lease->db(), person_id);
}

StatusOr<std::vector<LeadRecord>> SqlStore::ListLeads(const LeadQuery& query) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  return sql::ListLeads(lease->db(), query);
}

StatusOr<std::vector<ScoreItem>> SqlStore::ListScoreItems(int64_t lead_id) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  return sql::ListScoreItems(lease->db(), lead_id);
}

StatusOr<std::vector<LeadLogEntry>> SqlStore::ListLeadLog(int64_t lead_id) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  return sql::ListLeadLog(lease->db(), lead_id);
}

StatusOr<std::vector<AssignmentRecord>> SqlStore::ListAssignments(int64_t lead_id) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  return sql::ListAssignments(lease->db(), lead_id);
}

StatusOr<ContactPrefs> SqlStore::GetContactPrefs(int64_t lead_id) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  return sql::GetContactPrefs(lease->db(), lead_id);
}

StatusOr<std::vector<ConsentRecord>> SqlStore::ListConsents(int64_t lead_id) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  return sql::ListConsents(lease->db(), lead_id);
}

StatusOr<std::vector<TouchRecord>> SqlStore::ListTouches(int64_t lead_id, TimePoint since) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  return sql::ListTouches(lease->db(), lead_id, since);
}

StatusOr<std::vector<int64_t>> SqlStore::DueSlaLeads(TimePoint now, size_t limit) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  return sql::DueSlaLeads(lease->db(), now, limit);
}

StatusOr<std::vector<LeadRecord>> SqlStore::NeverTouchedLeads(size_t limit) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  return sql::NeverTouchedLeads(lease->db(), limit);
}

StatusOr<int64_t> SqlStore::CountNeverTouchedLeads() {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  return sql::CountNeverTouchedLeads(lease->db());
}

StatusOr<std::vector<AssignmentRecord>> SqlStore::AssignmentsSince(TimePoint since) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  return sql::AssignmentsSince(lease->db(), since);
}

StatusOr<RefusalCounts> SqlStore::CountRefusals(TimePoint since) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  return sql::CountRefusals(lease->db(), since);
}

StatusOr<std::vector<OutboxMessage>> SqlStore::ListOutbox(int64_t after_id, size_t limit) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  return sql::ListOutbox(lease->db(), after_id, limit);
}

StatusOr<std::optional<Credentials>> SqlStore::FindCredentials(std::string_view email) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  return sql::FindCredentials(lease->db(), email);
}

Status SqlStore::SetPassword(int64_t user_id, std::string_view password_hash) {
  return Write([&](sql::Db& db) { return sql::SetPassword(db, user_id, password_hash); });
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

StatusOr<Catalog> SqlStore::LoadCatalog() {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  return sql::LoadCatalog(lease->db());
}

Status SqlStore::PutCatalog(const Catalog& entries, bool replace) {
  return Write([&](sql::Db& db) { return sql::PutCatalog(db, entries, replace); });
}

StatusOr<bool> SqlStore::DeleteCampaign(std::string_view key) {
  bool deleted = false;
  TANDEM_RETURN_IF_ERROR(Write([&](sql::Db& db) -> Status {
    TANDEM_ASSIGN_OR_RETURN(deleted, sql::DeleteCampaign(db, key));
    return OkStatus();
  }));
  return deleted;
}

StatusOr<bool> SqlStore::DeleteContent(std::string_view asset_id) {
  bool deleted = false;
  TANDEM_RETURN_IF_ERROR(Write([&](sql::Db& db) -> Status {
    TANDEM_ASSIGN_OR_RETURN(deleted, sql::DeleteContent(db, asset_id));
    return OkStatus();
  }));
  return deleted;
}

StatusOr<std::vector<int64_t>> SqlStore::ListLeadIds() {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt,
                          lease->db().Prepare("SELECT id FROM leads ORDER BY id"));
  std::vector<int64_t> out;
  for (;;) {
    TANDEM_ASSIGN_OR_RETURN(bool more, stmt->Step());
    if (!more) break;
    out.push_back(stmt->Int(0));
  }
  stmt->Reset();
  return out;
}

StatusOr<int64_t> SqlStore::CountLeads() {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt, lease->db().Prepare("SELECT COUNT(*) FROM leads"));
  TANDEM_ASSIGN_OR_RETURN(auto n, First<int64_t>(stmt, IntAt0));
  return n.value_or(0);
}

StatusOr<std::vector<PendingDelivery>> SqlStore::DueDeliveries(TimePoint now, size_t limit) {
  std::vector<PendingDelivery> out;
  Status claimed = Write([&](sql::Db& db) -> Status {
    TANDEM_ASSIGN_OR_RETURN(
        Statement * stmt,
        db.Prepare(
            "SELECT d.id, d.endpoint, d.attempts, o.id, o.uid, o.type, o.lead_id, o.payload, "
            "o.created_at FROM deliveries d JOIN outbox o ON o.id = d.outbox_id WHERE d.state = "
            "'pending' AND d.next_attempt_at <= ? AND NOT EXISTS (SELECT 1 FROM deliveries e WHERE "
            "e.state = 'pending' AND e.endpoint = d.endpoint AND e.lead_id = d.lead_id AND e.id < "
            "d.id AND d.lead_id IS NOT NULL) ORDER BY d.id LIMIT ?"));
    stmt->Bind(1, ToUnixMillis(now)).Bind(2, static_cast<int64_t>(limit));
    TANDEM_ASSIGN_OR_RETURN(out, sql::Collect<PendingDelivery>(stmt, [](const Statement& row) {
                              PendingDelivery d;
                              d.id = row.Int(0);
                              d.endpoint = row.Text(1);
                              d.attempts = static_cast<int>(row.Int(2));
                              d.message.id = row.Int(3);
                              d.message.uid = row.Text(4);
                              d.message.type = row.Text(5);
                              d.message.lead_id = row.NullableInt(6);
                              d.message.payload = row.Text(7);
                              d.message.created_at = FromUnixMillis(row.Int(8));
                              return d;
                            }));
    // Claimed: no other worker (in this instance or another sharing the database)
    // takes these until the claim runs out, which only happens if this one dies
    // before recording the attempt.
    TANDEM_ASSIGN_OR_RETURN(Statement * claim,
                            db.Prepare("UPDATE deliveries SET next_attempt_at = ? WHERE id = ?"));
    for (const PendingDelivery& d : out) {
      claim->Bind(1, ToUnixMillis(now + kDeliveryClaim)).Bind(2, d.id);
      TANDEM_RETURN_IF_ERROR(claim->Run());
      claim->Reset();
    }
    return OkStatus();
  });
  TANDEM_RETURN_IF_ERROR(claimed);
  return out;
}

Status SqlStore::MarkDelivered(int64_t delivery_id, int http_status, TimePoint now) {
  return Write([&](sql::Db& db) -> Status {
    TANDEM_ASSIGN_OR_RETURN(
        Statement * stmt,
        db.Prepare("UPDATE deliveries SET state = 'delivered', attempts = attempts + 1, "
                   "last_status = ?, last_error = NULL, delivered_at = ? WHERE id = ?"));
    stmt->Bind(1, int64_t{http_status}).Bind(2, ToUnixMillis(now)).Bind(3, delivery_id);
    return stmt->Run();
  });
}

Status SqlStore::MarkAttemptFailed(int64_t delivery_id, int http_status, std::string_view error,
                                   TimePoint next_attempt) {
  return Write([&](sql::Db& db) -> Status {
    TANDEM_ASSIGN_OR_RETURN(
        Statement * stmt,
        db.Prepare(
            "UPDATE deliveries SET attempts = attempts + 1, last_status = ?, last_error = ?, "
            "next_attempt_at = ? WHERE id = ?"));
    stmt->Bind(1, int64_t{http_status})
        .Bind(2, error)
        .Bind(3, ToUnixMillis(next_attempt))
        .Bind(4, delivery_id);
    return stmt->Run();
  });
}

StatusOr<int64_t> SqlStore::CountPendingDeliveries() {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare("SELECT COUNT(*) FROM deliveries WHERE state = 'pending'"));
  TANDEM_ASSIGN_OR_RETURN(auto n, First<int64_t>(stmt, IntAt0));
  return n.value_or(0);
}

StatusOr<std::optional<std::string>> SqlStore::GetSetting(std::string_view name) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt,
                          lease->db().Prepare("SELECT value FROM settings WHERE name = ?"));
  stmt->Bind(1, name);
  return First<std::string>(stmt, TextAt0);
}

Status SqlStore::PutSetting(std::string_view name, std::string_view value) {
  return Write([&](sql::Db& db) -> Status {
    TANDEM_ASSIGN_OR_RETURN(
        Statement * stmt,
        db.Prepare("INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE "
                   "SET value = excluded.value"));
    stmt->Bind(1, name).Bind(2, value);
    return stmt->Run();
  });
}

StatusOr<std::string> SqlStore::PutSettingIfAbsent(std::string_view name, std::string_view value) {
  std::optional<std::string> stored;
  Status status = Write([&](sql::Db& db) -> Status {
    TANDEM_ASSIGN_OR_RETURN(Statement * insert,
                            db.Prepare("INSERT INTO settings (name, value) VALUES (?, ?) ON "
                                       "CONFLICT (name) DO NOTHING"));
    insert->Bind(1, name).Bind(2, value);
    TANDEM_RETURN_IF_ERROR(insert->Run());
    TANDEM_ASSIGN_OR_RETURN(Statement * read,
                            db.Prepare("SELECT value FROM settings WHERE name = ?"));
    read->Bind(1, name);
    TANDEM_ASSIGN_OR_RETURN(stored, First<std::string>(read, TextAt0));
    return OkStatus();
  });
  TANDEM_RETURN_IF_ERROR(status);
  if (!stored) return Internal(fmt::format("setting {} was not stored", name));
  return *stored;
}

}  // namespace tandem
