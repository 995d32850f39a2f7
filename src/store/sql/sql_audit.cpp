// The audit trail's entries and the head of its chain.
#include <fmt/format.h>

#include <algorithm>

#include "store/sql/sql_store.h"

namespace tandem {

using sql::Statement;

namespace {

constexpr const char* kColumns =
    "seq, at, user_id, actor, action, subject, detail, prev_hash, hash FROM audit_log";

AuditEntry ReadEntry(const Statement& s) {
  AuditEntry e;
  e.seq = s.Int(0);
  e.at = FromUnixMillis(s.Int(1));
  e.user_id = s.NullableInt(2);
  e.actor = s.Text(3);
  e.action = s.Text(4);
  e.subject = s.Text(5);
  e.detail = s.Text(6);
  e.prev_hash = s.Text(7);
  e.hash = s.Text(8);
  return e;
}

StatusOr<AuditHead> Head(sql::Db& db) {
  TANDEM_ASSIGN_OR_RETURN(Statement * head,
                          db.Prepare("SELECT seq, hash FROM audit_head WHERE id = 1"));
  TANDEM_ASSIGN_OR_RETURN(auto found, sql::First<AuditHead>(head, [](const Statement& s) {
                            return AuditHead{s.Int(0), s.Text(1)};
                          }));
  if (!found) return Internal("the audit log has no head row");
  return *found;
}

}  // namespace

StatusOr<AuditEntry> SqlStore::AppendAudit(const AuditEntry& draft) {
  AuditEntry sealed;
  const auto append = [&](sql::Db& db) -> Status {
    // Taking the head's row first makes a second writer wait here until this one commits.
    TANDEM_ASSIGN_OR_RETURN(Statement * take,
                            db.Prepare("UPDATE audit_head SET seq = seq WHERE id = 1"));
    TANDEM_RETURN_IF_ERROR(take->Run());
    TANDEM_ASSIGN_OR_RETURN(AuditHead head, Head(db));
    sealed = Seal(draft, head);
    TANDEM_ASSIGN_OR_RETURN(
        Statement * insert,
        db.Prepare("INSERT INTO audit_log (seq, at, user_id, actor, action, subject, detail, "
                   "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    insert->Bind(1, sealed.seq)
        .Bind(2, ToUnixMillis(sealed.at))
        .BindNullable(3, sealed.user_id)
        .Bind(4, sealed.actor)
        .Bind(5, sealed.action)
        .Bind(6, sealed.subject)
        .Bind(7, sealed.detail)
        .Bind(8, sealed.prev_hash)
        .Bind(9, sealed.hash);
    TANDEM_RETURN_IF_ERROR(insert->Run());
    TANDEM_ASSIGN_OR_RETURN(Statement * move,
                            db.Prepare("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1"));
    move->Bind(1, sealed.seq).Bind(2, sealed.hash);
    return move->Run();
  };
  TANDEM_RETURN_IF_ERROR(Write(append));
  return sealed;
}

StatusOr<std::vector<AuditEntry>> SqlStore::ListAudit(const AuditQuery& query) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  std::string sql = fmt::format("SELECT {} WHERE seq > ?", kColumns);
  if (!query.action.empty()) sql += " AND action = ?";
  if (!query.subject.empty()) sql += " AND subject = ?";
  if (query.user_id) sql += " AND user_id = ?";
  sql += " ORDER BY seq LIMIT ?";
  TANDEM_ASSIGN_OR_RETURN(Statement * list, lease->db().Prepare(sql));
  int i = 1;
  list->Bind(i++, query.after_seq);
  if (!query.action.empty()) list->Bind(i++, query.action);
  if (!query.subject.empty()) list->Bind(i++, query.subject);
  if (query.user_id) list->Bind(i++, *query.user_id);
  list->Bind(i, static_cast<int64_t>(query.limit));
  return sql::Collect<AuditEntry>(list, ReadEntry);
}

StatusOr<AuditScan> SqlStore::ScanAudit(const std::function<Status(const AuditEntry&)>& visit) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  // The head first: entries appended while the scan runs lie past it.
  TANDEM_ASSIGN_OR_RETURN(AuditHead head, Head(lease->db()));
  constexpr int64_t kPage = 1000;
  int64_t after = 0;
  for (;;) {
    TANDEM_ASSIGN_OR_RETURN(
        Statement * page,
        lease->db().Prepare(
            fmt::format("SELECT {} WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?", kColumns)));
    page->Bind(1, after).Bind(2, head.seq).Bind(3, kPage);
    TANDEM_ASSIGN_OR_RETURN(auto entries, sql::Collect<AuditEntry>(page, ReadEntry));
    for (const AuditEntry& e : entries) TANDEM_RETURN_IF_ERROR(visit(e));
    if (static_cast<int64_t>(entries.size()) < kPage) break;
    after = entries.back().seq;
  }
  // Entries appended meanwhile lie behind the head as it is now; any past it, the head
  // was moved back over.
  TANDEM_ASSIGN_OR_RETURN(
      Statement * beyond,
      lease->db().Prepare("SELECT (SELECT COALESCE(MAX(seq), 0) FROM audit_log) - seq FROM "
                          "audit_head WHERE id = 1"));
  TANDEM_ASSIGN_OR_RETURN(auto past,
                          sql::First<int64_t>(beyond, [](const Statement& s) { return s.Int(0); }));
  return AuditScan{head, std::max<int64_t>(past.value_or(0), 0)};
}

}  // namespace tandem
