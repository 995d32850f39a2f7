// SqlStore: its connections, its transactions, the schema version, persons and settings.
#include "store/sql/sql_store.h"

#include <fmt/format.h>

#include "store/sql/sql_email_txn.h"

namespace tandem {

using sql::Db;
using sql::Statement;

namespace {

class SqlLeadTxn final : public sql::SqlLeadOps<LeadTxn> {
 public:
  using SqlLeadOps::SqlLeadOps;
};

// A lead transaction that can also queue email.
class SqlEmailTxn final : public sql::SqlEmailOps<EmailTxn> {
 public:
  using SqlEmailOps::SqlEmailOps;
};

std::string TextAt0(const Statement& s) { return s.Text(0); }

}  // namespace

StatusOr<sql::ReadConn> SqlStore::ReadOn() {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  return sql::ReadConn(std::move(lease));
}

Status SqlStore::Write(const std::function<Status(sql::Db&)>& write) {
  TANDEM_ASSIGN_OR_RETURN(auto scope, BeginWrite(sql::WriteKind::kDefault));
  TANDEM_RETURN_IF_ERROR(write(scope->db()));
  return scope->Commit();
}

StatusOr<std::unique_ptr<LeadTxn>> SqlStore::BeginLeadTxn() {
  TANDEM_ASSIGN_OR_RETURN(auto scope, BeginWrite(sql::WriteKind::kDefault));
  return std::unique_ptr<LeadTxn>(std::make_unique<SqlLeadTxn>(std::move(scope)));
}

StatusOr<std::unique_ptr<EmailTxn>> SqlStore::BeginEmailTxn() {
  TANDEM_ASSIGN_OR_RETURN(auto scope, BeginWrite(sql::WriteKind::kDefault));
  return std::unique_ptr<EmailTxn>(std::make_unique<SqlEmailTxn>(std::move(scope)));
}

StatusOr<int> SqlStore::SchemaVersion() {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  TANDEM_ASSIGN_OR_RETURN(bool row, stmt->Step());
  return row ? static_cast<int>(stmt->Int(0)) : 0;
}

StatusOr<std::optional<int64_t>> SqlStore::FindPersonByIdentity(const Identity& identity) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare("SELECT COALESCE(p.merged_into, p.id) FROM identities i JOIN persons p "
                          "ON p.id = i.person_id WHERE i.kind = ? AND i.value = ?"));
  stmt->Bind(1, IdentityKindName(identity.kind)).Bind(2, identity.value);
  TANDEM_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<int64_t>();
  return std::optional<int64_t>(stmt->Int(0));
}

StatusOr<std::optional<Person>> SqlStore::GetPerson(int64_t person_id) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare("SELECT id, user_id, email, merged_into, created_at, updated_at FROM "
                          "persons WHERE id = ?"));
  stmt->Bind(1, person_id);
  TANDEM_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<Person>();
  Person person;
  person.id = stmt->Int(0);
  person.user_id = stmt->Text(1);
  person.email = stmt->Text(2);
  if (!stmt->IsNull(3)) person.merged_into = stmt->Int(3);
  person.created_at = FromUnixMillis(stmt->Int(4));
  person.updated_at = FromUnixMillis(stmt->Int(5));
  stmt->Reset();
  TANDEM_ASSIGN_OR_RETURN(
      Statement * ids,
      lease->db().Prepare(
          "SELECT kind, value FROM identities WHERE person_id = ? ORDER BY kind, value"));
  ids->Bind(1, person_id);
  for (;;) {
    TANDEM_ASSIGN_OR_RETURN(bool more, ids->Step());
    if (!more) break;
    if (auto kind = ParseIdentityKind(ids->TextView(0)))
      person.identities.push_back({*kind, ids->Text(1)});
  }
  return std::optional<Person>(std::move(person));
}

StatusOr<std::optional<std::string>> SqlStore::GetSetting(std::string_view name) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt,
                          lease->db().Prepare("SELECT value FROM settings WHERE name = ?"));
  stmt->Bind(1, name);
  return sql::First<std::string>(stmt, TextAt0);
}

namespace sql {

Status PutSetting(Db& db, std::string_view name, std::string_view value) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE "
                 "SET value = excluded.value"));
  stmt->Bind(1, name).Bind(2, value);
  return stmt->Run();
}

}  // namespace sql

Status SqlStore::PutSetting(std::string_view name, std::string_view value) {
  return Write([&](sql::Db& db) -> Status { return sql::PutSetting(db, name, value); });
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
    TANDEM_ASSIGN_OR_RETURN(stored, sql::First<std::string>(read, TextAt0));
    return OkStatus();
  });
  TANDEM_RETURN_IF_ERROR(status);
  if (!stored) return Internal(fmt::format("setting {} was not stored", name));
  return *stored;
}

}  // namespace tandem
