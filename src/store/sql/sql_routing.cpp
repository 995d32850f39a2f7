#include "store/sql/sql_routing.h"

#include <fmt/format.h>

namespace tandem::sql {

const char* const kAssignmentColumns =
    "id, lead_id, user_id, rule, reason, candidates, actor, started_at, ended_at, "
    "COALESCE(end_reason, ''), sla_due_at, sla_warn_at, sla_reminded_at, sla_breached_at, "
    "first_touch_at";

AssignmentRecord ReadAssignment(const Statement& s) {
  AssignmentRecord a;
  a.id = s.Int(0);
  a.lead_id = s.Int(1);
  a.user_id = s.Int(2);
  a.rule = s.Text(3);
  a.reason = s.Text(4);
  a.candidates = s.Text(5);
  a.actor = s.Text(6);
  a.started_at = FromUnixMillis(s.Int(7));
  a.ended_at = OptionalTime(s, 8);
  a.end_reason = s.Text(9);
  a.sla_due_at = OptionalTime(s, 10);
  a.sla_warn_at = OptionalTime(s, 11);
  a.sla_reminded_at = OptionalTime(s, 12);
  a.sla_breached_at = OptionalTime(s, 13);
  a.first_touch_at = OptionalTime(s, 14);
  return a;
}

StatusOr<std::vector<AssignmentRecord>> ListAssignments(Db& db, int64_t lead_id) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare(fmt::format("SELECT {} FROM assignments WHERE lead_id = ? ORDER BY started_at, id",
                             kAssignmentColumns)));
  stmt->Bind(1, lead_id);
  return Collect<AssignmentRecord>(stmt, ReadAssignment);
}

StatusOr<int> CountOpenLeads(Db& db, int64_t user_id) {
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt,
                          db.Prepare("SELECT COUNT(*) FROM leads WHERE owner_id = ? AND erased_at "
                                     "IS NULL AND stage IN ('lead', 'mql', "
                                     "'sal', 'sql', 'opportunity')"));
  stmt->Bind(1, user_id);
  TANDEM_ASSIGN_OR_RETURN(auto n,
                          Collect<int64_t>(stmt, [](const Statement& s) { return s.Int(0); }));
  return static_cast<int>(n.empty() ? 0 : n[0]);
}

StatusOr<std::optional<int64_t>> FindAccountOwner(Db& db, std::string_view domain,
                                                  int64_t except_lead) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("SELECT owner_id FROM account_owners WHERE account_domain = ? AND lead_id <> ? "
                 "ORDER BY started_at DESC, lead_id DESC LIMIT 1"));
  stmt->Bind(1, domain).Bind(2, except_lead);
  TANDEM_ASSIGN_OR_RETURN(auto ids,
                          Collect<int64_t>(stmt, [](const Statement& s) { return s.Int(0); }));
  if (ids.empty()) return std::optional<int64_t>();
  return std::optional<int64_t>(ids[0]);
}

Status NoteAccountOwner(Db& db, int64_t lead_id) {
  TANDEM_ASSIGN_OR_RETURN(Statement * drop,
                          db.Prepare("DELETE FROM account_owners WHERE lead_id = ?"));
  drop->Bind(1, lead_id);
  TANDEM_RETURN_IF_ERROR(drop->Run());
  // The rule of schema 0019_pipeline_lookups.sql's back-fill.
  TANDEM_ASSIGN_OR_RETURN(
      Statement * keep,
      db.Prepare("INSERT INTO account_owners (lead_id, account_domain, owner_id, started_at) "
                 "SELECT l.id, l.account_domain, l.owner_id, a.started_at FROM leads l JOIN "
                 "assignments a ON a.lead_id = l.id AND a.ended_at IS NULL WHERE l.id = ? AND "
                 "l.account_domain IS NOT NULL AND l.account_domain <> '' AND l.owner_id IS NOT "
                 "NULL"));
  keep->Bind(1, lead_id);
  return keep->Run();
}

Status NoteLeadOwnership(Db& db, const LeadRecord& lead) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("SELECT account_domain, owner_id FROM account_owners WHERE lead_id = ?"));
  stmt->Bind(1, lead.id);
  using Kept = std::pair<std::string, int64_t>;  // account, owner
  TANDEM_ASSIGN_OR_RETURN(
      auto kept, Collect<Kept>(stmt, [](const Statement& s) { return Kept(s.Text(0), s.Int(1)); }));
  // Unchanged when the row kept names the lead's account and owner, or when there is no
  // row and the lead has no account or no owner to keep (an open assignment without
  // them keeps none either).
  const bool keeps = !lead.account_domain.empty() && lead.owner_id;
  if (kept.empty()
          ? !keeps
          : keeps && kept[0].first == lead.account_domain && kept[0].second == *lead.owner_id)
    return OkStatus();
  return NoteAccountOwner(db, lead.id);
}

StatusOr<std::vector<std::pair<int64_t, double>>> RoutingPasses(Db& db, std::string_view team) {
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt,
                          db.Prepare("SELECT user_id, pass FROM routing_passes WHERE team = ?"));
  stmt->Bind(1, team);
  return Collect<std::pair<int64_t, double>>(
      stmt, [](const Statement& s) { return std::make_pair(s.Int(0), s.Double(1)); });
}

Status SetRoutingPass(Db& db, std::string_view team, int64_t user_id, double pass) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("INSERT INTO routing_passes (team, user_id, pass) VALUES (?, ?, ?) "
                 "ON CONFLICT (team, user_id) DO UPDATE SET pass = excluded.pass"));
  stmt->Bind(1, team).Bind(2, user_id).Bind(3, pass);
  return stmt->Run();
}

StatusOr<double> VirtualTime(Db& db, std::string_view team) {
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt,
                          db.Prepare("SELECT virtual_time FROM routing_clocks WHERE team = ?"));
  stmt->Bind(1, team);
  TANDEM_ASSIGN_OR_RETURN(auto v,
                          Collect<double>(stmt, [](const Statement& s) { return s.Double(0); }));
  return v.empty() ? 0.0 : v[0];
}

Status SetVirtualTime(Db& db, std::string_view team, double virtual_time) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("INSERT INTO routing_clocks (team, virtual_time) VALUES (?, ?) "
                 "ON CONFLICT (team) DO UPDATE SET virtual_time = excluded.virtual_time"));
  stmt->Bind(1, team).Bind(2, virtual_time);
  return stmt->Run();
}

Status StartAssignment(Db& db, const AssignmentRecord& a) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("INSERT INTO assignments (lead_id, user_id, rule, reason, candidates, actor, "
                 "started_at, sla_due_at, sla_warn_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  stmt->Bind(1, a.lead_id)
      .Bind(2, a.user_id)
      .Bind(3, a.rule)
      .Bind(4, a.reason)
      .Bind(5, a.candidates)
      .Bind(6, a.actor)
      .Bind(7, ToUnixMillis(a.started_at))
      .BindNullable(8, OptionalMillis(a.sla_due_at))
      .BindNullable(9, OptionalMillis(a.sla_warn_at));
  TANDEM_RETURN_IF_ERROR(stmt->Run());
  return NoteAccountOwner(db, a.lead_id);
}

Status EndAssignment(Db& db, int64_t lead_id, TimePoint at, std::string_view reason) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("UPDATE assignments SET ended_at = ?, end_reason = ? WHERE lead_id = ? AND "
                 "ended_at IS NULL"));
  stmt->Bind(1, ToUnixMillis(at)).Bind(2, reason).Bind(3, lead_id);
  TANDEM_RETURN_IF_ERROR(stmt->Run());
  return NoteAccountOwner(db, lead_id);
}

StatusOr<std::optional<AssignmentRecord>> OpenAssignment(Db& db, int64_t lead_id) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare(fmt::format("SELECT {} FROM assignments WHERE lead_id = ? AND ended_at IS NULL",
                             kAssignmentColumns)));
  stmt->Bind(1, lead_id);
  TANDEM_ASSIGN_OR_RETURN(auto rows, Collect<AssignmentRecord>(stmt, ReadAssignment));
  if (rows.empty()) return std::optional<AssignmentRecord>();
  return std::optional<AssignmentRecord>(rows[0]);
}

Status UpdateAssignmentSla(Db& db, const AssignmentRecord& a) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("UPDATE assignments SET sla_due_at = ?, sla_warn_at = ?, sla_reminded_at = ?, "
                 "sla_breached_at = ?, first_touch_at = ? WHERE id = ?"));
  stmt->BindNullable(1, OptionalMillis(a.sla_due_at))
      .BindNullable(2, OptionalMillis(a.sla_warn_at))
      .BindNullable(3, OptionalMillis(a.sla_reminded_at))
      .BindNullable(4, OptionalMillis(a.sla_breached_at))
      .BindNullable(5, OptionalMillis(a.first_touch_at))
      .Bind(6, a.id);
  return stmt->Run();
}

StatusOr<std::vector<AssignmentRecord>> AssignmentsSince(Db& db, TimePoint since) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare(fmt::format(
          "SELECT {} FROM assignments WHERE started_at >= ? AND sla_due_at IS NOT NULL ORDER BY "
          "started_at, id",
          kAssignmentColumns)));
  stmt->Bind(1, ToUnixMillis(since));
  return Collect<AssignmentRecord>(stmt, ReadAssignment);
}

}  // namespace tandem::sql
