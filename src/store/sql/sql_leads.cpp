#include "store/sql/sql_leads.h"

#include <fmt/format.h>

#include <cmath>
#include <variant>

#include "store/sql/sql_contact.h"
#include "store/sql/sql_events.h"

namespace tandem::sql {

const char* const kLeadColumns =
    "id, email, name, title, company_name, account_domain, traits, stage, stage_reason, "
    "revisit_on, priority, owner_id, team, queued, fit, engagement_ref, first_touch, last_touch, "
    "visits, mql_at, sla_due_at, sla_met_at, sla_breached_at, last_activity_at, created_at, "
    "updated_at, contacted_at";

std::optional<TimePoint> OptionalTime(const Statement& row, int column) {
  if (row.IsNull(column)) return std::nullopt;
  return FromUnixMillis(row.Int(column));
}

std::optional<int64_t> OptionalMillis(const std::optional<TimePoint>& t) {
  if (!t) return std::nullopt;
  return ToUnixMillis(*t);
}

LeadRecord ReadLead(const Statement& row) {
  LeadRecord l;
  l.id = row.Int(0);
  l.email = row.Text(1);
  l.name = row.Text(2);
  l.title = row.Text(3);
  l.company_name = row.Text(4);
  l.account_domain = row.Text(5);
  l.traits = row.Text(6);
  l.stage = row.Text(7);
  l.stage_reason = row.Text(8);
  l.revisit_on = OptionalTime(row, 9);
  l.priority = row.Text(10);
  l.owner_id = row.NullableInt(11);
  l.team = row.Text(12);
  l.queued = row.Int(13) != 0;
  l.fit = row.Double(14);
  l.engagement_ref = row.Double(15);
  l.first_touch = row.Text(16);
  l.last_touch = row.Text(17);
  l.visits = row.Int(18);
  l.mql_at = OptionalTime(row, 19);
  l.sla_due_at = OptionalTime(row, 20);
  l.sla_met_at = OptionalTime(row, 21);
  l.sla_breached_at = OptionalTime(row, 22);
  l.last_activity_at = OptionalTime(row, 23);
  l.created_at = FromUnixMillis(row.Int(24));
  l.updated_at = FromUnixMillis(row.Int(25));
  l.contacted_at = OptionalTime(row, 26);
  return l;
}

const char* const kUserColumns =
    "id, email, name, role, COALESCE(team, ''), timezone, capacity, hours_start, hours_end, "
    "active, ooo_from, ooo_until, created_at, updated_at";

UserRecord ReadUser(const Statement& row) {
  UserRecord u;
  u.id = row.Int(0);
  u.email = row.Text(1);
  u.name = row.Text(2);
  u.role = row.Text(3);
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
  return u;
}

namespace {

Status RunSteps(Db& db, std::initializer_list<const char*> steps, int64_t a, int64_t b, int64_t c) {
  for (const char* sql : steps) {
    TANDEM_ASSIGN_OR_RETURN(Statement * stmt, db.Prepare(sql));
    stmt->Bind(1, a).Bind(2, b).Bind(3, c);
    TANDEM_RETURN_IF_ERROR(stmt->Run());
  }
  return OkStatus();
}

}  // namespace

StatusOr<std::optional<LeadRecord>> GetLead(Db& db, int64_t lead_id) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt, db.Prepare(fmt::format("SELECT {} FROM leads WHERE id = ?", kLeadColumns)));
  stmt->Bind(1, lead_id);
  TANDEM_ASSIGN_OR_RETURN(auto rows, Collect<LeadRecord>(stmt, ReadLead));
  if (rows.empty()) return std::optional<LeadRecord>();
  return std::optional<LeadRecord>(std::move(rows[0]));
}

Status PutLead(Db& db, const LeadRecord& l) {
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt, db.Prepare(Upsert("leads", kLeadColumns, "id")));
  stmt->Bind(1, l.id)
      .BindNullable(2, l.email)
      .BindNullable(3, l.name)
      .BindNullable(4, l.title)
      .BindNullable(5, l.company_name)
      .BindNullable(6, l.account_domain)
      .Bind(7, l.traits)
      .Bind(8, l.stage)
      .BindNullable(9, l.stage_reason)
      .BindNullable(10, OptionalMillis(l.revisit_on))
      .BindNullable(11, l.priority)
      .BindNullable(12, l.owner_id)
      .BindNullable(13, l.team)
      .Bind(14, int64_t{l.queued ? 1 : 0})
      .Bind(15, l.fit)
      .Bind(16, l.engagement_ref)
      .BindNullable(17, l.first_touch)
      .BindNullable(18, l.last_touch)
      .Bind(19, l.visits)
      .BindNullable(20, OptionalMillis(l.mql_at))
      .BindNullable(21, OptionalMillis(l.sla_due_at))
      .BindNullable(22, OptionalMillis(l.sla_met_at))
      .BindNullable(23, OptionalMillis(l.sla_breached_at))
      .BindNullable(24, OptionalMillis(l.last_activity_at))
      .Bind(25, ToUnixMillis(l.created_at))
      .Bind(26, ToUnixMillis(l.updated_at))
      .BindNullable(27, OptionalMillis(l.contacted_at));
  return stmt->Run();
}

Status FoldLead(Db& db, int64_t from, int64_t into, TimePoint now) {
  TANDEM_RETURN_IF_ERROR(EndAssignment(db, from, now, fmt::format("merged into ld_{}", into)));
  TANDEM_RETURN_IF_ERROR(FoldContact(db, from, into, now));
  return RunSteps(db,
                  {"UPDATE lead_log SET lead_id = ?2 WHERE lead_id = ?1 AND ?3 = ?3",
                   "UPDATE assignments SET lead_id = ?2 WHERE lead_id = ?1 AND ?3 = ?3",
                   "UPDATE lead_trait_history SET lead_id = ?2 WHERE lead_id = ?1 AND ?3 = ?3",
                   "DELETE FROM score_items WHERE lead_id = ?1 AND ?2 = ?2 AND ?3 = ?3",
                   "DELETE FROM leads WHERE id = ?1 AND ?2 = ?2 AND ?3 = ?3"},
                  from, into, ToUnixMillis(now));
}

Status EnsureAccount(Db& db, std::string_view domain, std::string_view name, TimePoint now) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare(
          "INSERT INTO accounts (domain, name, created_at) VALUES (?, ?, ?) "
          "ON CONFLICT (domain) DO UPDATE SET name = COALESCE(accounts.name, excluded.name)"));
  stmt->Bind(1, domain).BindNullable(2, name).Bind(3, ToUnixMillis(now));
  return stmt->Run();
}

StatusOr<std::vector<LeadRecord>> ListLeads(Db& db, const LeadQuery& q) {
  using Sort = LeadQuery::Sort;
  using Value = std::variant<int64_t, double, std::string>;
  // Scores compare as fit + engagement_ref * factor at one moment (see scorer.h).
  const double factor = EngagementFromRef(1.0, q.score_at, q.half_life_days);
  const char* score = "(fit + engagement_ref * ?)";
  std::vector<std::string> where;
  std::vector<Value> binds;
  auto add = [&](std::string clause, std::initializer_list<Value> values) {
    where.push_back(std::move(clause));
    binds.insert(binds.end(), values);
  };
  if (q.owner_id) add("owner_id = ?", {*q.owner_id});
  if (q.unassigned) add("owner_id IS NULL", {});
  if (q.queued) add("queued = 1", {});
  if (!q.stages.empty()) {
    std::vector<std::string_view> marks(q.stages.size(), "?");
    where.push_back(fmt::format("stage IN ({})", fmt::join(marks, ", ")));
    binds.insert(binds.end(), q.stages.begin(), q.stages.end());
  }
  if (!q.priority.empty()) add("priority = ?", {q.priority});
  if (!q.team.empty()) add("team = ?", {q.team});
  if (q.min_score) add(fmt::format("{} >= ?", score), {factor, *q.min_score});
  if (q.updated_since) add("updated_at >= ?", {ToUnixMillis(*q.updated_since)});
  if (!q.source.empty())
    add(fmt::format("lower({}) = lower(?)", JsonText(db, "first_touch", "source")), {q.source});
  if (!q.search.empty()) {
    std::string pattern = "%";
    for (char c : q.search) {
      if (c == '%' || c == '_' || c == '\\') pattern += '\\';
      pattern += c;
    }
    pattern += '%';
    add("(lower(email) LIKE lower(?) ESCAPE '\\' OR lower(name) LIKE lower(?) ESCAPE '\\' OR "
        "lower(company_name) LIKE lower(?) ESCAPE '\\')",
        {pattern, pattern, pattern});
  }
  if (q.sla_overdue) {
    add("sla_met_at IS NULL AND sla_due_at <= ?", {ToUnixMillis(q.score_at)});
  }

  auto run = [&](std::vector<std::string> extra, std::vector<Value> extra_binds,
                 const std::string& order_by, std::vector<Value> order_binds,
                 size_t limit) -> StatusOr<std::vector<LeadRecord>> {
    std::vector<std::string> all = where;
    all.insert(all.end(), extra.begin(), extra.end());
    std::vector<Value> values = binds;
    values.insert(values.end(), extra_binds.begin(), extra_binds.end());
    values.insert(values.end(), order_binds.begin(), order_binds.end());
    values.push_back(static_cast<int64_t>(limit));
    std::string sql = fmt::format("SELECT {} FROM leads", kLeadColumns);
    if (!all.empty()) sql += fmt::format(" WHERE {}", fmt::join(all, " AND "));
    sql += fmt::format(" ORDER BY {} LIMIT ?", order_by);
    TANDEM_ASSIGN_OR_RETURN(Statement * stmt, db.Prepare(sql));
    for (size_t i = 0; i < values.size(); ++i) {
      std::visit([&](const auto& v) { stmt->Bind(static_cast<int>(i + 1), v); }, values[i]);
    }
    return Collect<LeadRecord>(stmt, ReadLead);
  };

  switch (q.sort) {
    case Sort::kScore: {
      std::vector<std::string> keyset;
      std::vector<Value> keyset_binds;
      if (q.after) {
        keyset.push_back(fmt::format("({0} < ? OR ({0} = ? AND id < ?))", score));
        keyset_binds = {factor, q.after->key, factor, q.after->key, q.after->id};
      }
      return run(keyset, keyset_binds, fmt::format("{} DESC, id DESC", score), {factor}, q.limit);
    }
    case Sort::kCreated:
    case Sort::kUpdated: {
      const char* column = q.sort == Sort::kCreated ? "created_at" : "updated_at";
      std::vector<std::string> keyset;
      std::vector<Value> keyset_binds;
      if (q.after) {
        auto key = static_cast<int64_t>(q.after->key);
        keyset.push_back(fmt::format("({0} < ? OR ({0} = ? AND id < ?))", column));
        keyset_binds = {key, key, q.after->id};
      }
      return run(keyset, keyset_binds, fmt::format("{} DESC, id DESC", column), {}, q.limit);
    }
    case Sort::kSla:
      break;
  }
  // Due soonest first, leads without a due time last: two index range scans (with a
  // due time, then without) instead of one sort over every matching lead.
  std::vector<LeadRecord> out;
  if (!q.after || !q.after->is_null) {
    std::vector<std::string> due = {"sla_due_at IS NOT NULL"};
    std::vector<Value> due_binds;
    if (q.after) {
      auto key = static_cast<int64_t>(q.after->key);
      due.push_back("(sla_due_at > ? OR (sla_due_at = ? AND id > ?))");
      due_binds = {key, key, q.after->id};
    }
    TANDEM_ASSIGN_OR_RETURN(out, run(due, due_binds, "sla_due_at, id", {}, q.limit));
  }
  if (out.size() < q.limit) {
    std::vector<std::string> none = {"sla_due_at IS NULL"};
    std::vector<Value> none_binds;
    if (q.after && q.after->is_null) {
      none.push_back("id > ?");
      none_binds = {q.after->id};
    }
    TANDEM_ASSIGN_OR_RETURN(auto rest, run(none, none_binds, "id", {}, q.limit - out.size()));
    for (auto& l : rest) out.push_back(std::move(l));
  }
  return out;
}

StatusOr<std::optional<int64_t>> ResolveLeadId(Db& db, int64_t person_id) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("SELECT l.id FROM persons p JOIN leads l ON l.id = COALESCE(p.merged_into, p.id) "
                 "WHERE p.id = ?"));
  stmt->Bind(1, person_id);
  TANDEM_ASSIGN_OR_RETURN(auto ids,
                          Collect<int64_t>(stmt, [](const Statement& s) { return s.Int(0); }));
  if (ids.empty()) return std::optional<int64_t>();
  return std::optional<int64_t>(ids[0]);
}

StatusOr<std::vector<ScoreItem>> ListScoreItems(Db& db, int64_t lead_id) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("SELECT axis, rule, points, at, event_id, COALESCE(trait, '') FROM score_items "
                 "WHERE lead_id = ? ORDER BY id"));
  stmt->Bind(1, lead_id);
  return Collect<ScoreItem>(stmt, [](const Statement& s) {
    ScoreItem item;
    item.axis = s.TextView(0) == "fit" ? ScoreAxis::kFit : ScoreAxis::kEngagement;
    item.rule = s.Text(1);
    item.points = s.Double(2);
    item.at = FromUnixMillis(s.Int(3));
    item.event_id = s.NullableInt(4);
    item.trait = s.Text(5);
    return item;
  });
}

Status AddScoreItem(Db& db, int64_t lead_id, const ScoreItem& item) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("INSERT INTO score_items (lead_id, axis, rule, points, at, day, event_id, trait) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  stmt->Bind(1, lead_id)
      .Bind(2, ScoreAxisName(item.axis))
      .Bind(3, item.rule)
      .Bind(4, item.points)
      .Bind(5, ToUnixMillis(item.at))
      .Bind(6, UtcDay(item.at))
      .BindNullable(7, item.event_id)
      .BindNullable(8, item.trait);
  return stmt->Run();
}

Status DeleteScoreItems(Db& db, int64_t lead_id, std::optional<ScoreAxis> axis) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare(
          "DELETE FROM score_items WHERE lead_id = ? AND (CAST(? AS TEXT) IS NULL OR axis = ?)"));
  stmt->Bind(1, lead_id);
  if (axis) {
    stmt->Bind(2, ScoreAxisName(*axis)).Bind(3, ScoreAxisName(*axis));
  } else {
    stmt->BindNull(2).BindNull(3);
  }
  return stmt->Run();
}

StatusOr<double> RulePointsOnDay(Db& db, int64_t lead_id, std::string_view rule, int64_t day) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("SELECT COALESCE(SUM(points), 0) FROM score_items WHERE lead_id = ? AND "
                 "axis = 'engagement' AND rule = ? AND day = ?"));
  stmt->Bind(1, lead_id).Bind(2, rule).Bind(3, day);
  TANDEM_ASSIGN_OR_RETURN(auto sums,
                          Collect<double>(stmt, [](const Statement& s) { return s.Double(0); }));
  return sums.empty() ? 0.0 : sums[0];
}

Status AddTraitHistory(Db& db, int64_t lead_id, std::string_view trait, std::string_view value,
                       std::optional<int64_t> event_id, TimePoint at) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("INSERT INTO lead_trait_history (lead_id, trait, value, event_id, at) "
                 "VALUES (?, ?, ?, ?, ?)"));
  stmt->Bind(1, lead_id)
      .Bind(2, trait)
      .BindNullable(3, value)
      .BindNullable(4, event_id)
      .Bind(5, ToUnixMillis(at));
  return stmt->Run();
}

Status AppendLog(Db& db, const LeadLogEntry& e) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("INSERT INTO lead_log (lead_id, at, kind, actor, data) VALUES (?, ?, ?, ?, ?)"));
  stmt->Bind(1, e.lead_id)
      .Bind(2, ToUnixMillis(e.at))
      .Bind(3, e.kind)
      .Bind(4, e.actor)
      .Bind(5, e.data);
  return stmt->Run();
}

StatusOr<std::vector<LeadLogEntry>> ListLeadLog(Db& db, int64_t lead_id) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("SELECT id, lead_id, at, kind, actor, data FROM lead_log WHERE lead_id = ? "
                 "ORDER BY at, id"));
  stmt->Bind(1, lead_id);
  return Collect<LeadLogEntry>(stmt, [](const Statement& s) {
    return LeadLogEntry{s.Int(0),  s.Int(1),  FromUnixMillis(s.Int(2)),
                        s.Text(3), s.Text(4), s.Text(5)};
  });
}

StatusOr<std::vector<StoredEvent>> PersonEvents(Db& db, int64_t person_id, size_t limit) {
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt,
                          db.Prepare(std::string(kSelectEvent) +
                                     " WHERE person_id = ? ORDER BY timestamp, id LIMIT ?"));
  stmt->Bind(1, person_id).Bind(2, static_cast<int64_t>(limit));
  return Collect<StoredEvent>(stmt, ReadEvent);
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

StatusOr<int> CountOpenLeads(Db& db, int64_t user_id) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("SELECT COUNT(*) FROM leads WHERE owner_id = ? AND stage IN ('lead', 'mql', "
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
      db.Prepare("SELECT l.owner_id FROM leads l JOIN assignments a ON a.lead_id = l.id AND "
                 "a.ended_at IS NULL WHERE l.account_domain = ? AND l.id != ? AND l.owner_id IS "
                 "NOT NULL ORDER BY a.started_at DESC LIMIT 1"));
  stmt->Bind(1, domain).Bind(2, except_lead);
  TANDEM_ASSIGN_OR_RETURN(auto ids,
                          Collect<int64_t>(stmt, [](const Statement& s) { return s.Int(0); }));
  if (ids.empty()) return std::optional<int64_t>();
  return std::optional<int64_t>(ids[0]);
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
  return stmt->Run();
}

Status EndAssignment(Db& db, int64_t lead_id, TimePoint at, std::string_view reason) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("UPDATE assignments SET ended_at = ?, end_reason = ? WHERE lead_id = ? AND "
                 "ended_at IS NULL"));
  stmt->Bind(1, ToUnixMillis(at)).Bind(2, reason).Bind(3, lead_id);
  return stmt->Run();
}

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

Status Enqueue(Db& db, const OutboxMessage& m, std::span<const std::string> endpoints,
               TimePoint now) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * insert,
      db.Prepare(
          "INSERT INTO outbox (uid, type, lead_id, payload, created_at) VALUES (?, ?, ?, ?, ?) "
          "RETURNING id"));
  insert->Bind(1, m.uid)
      .Bind(2, m.type)
      .BindNullable(3, m.lead_id)
      .Bind(4, m.payload)
      .Bind(5, ToUnixMillis(m.created_at));
  TANDEM_ASSIGN_OR_RETURN(const int64_t outbox_id, InsertedId(*insert));
  TANDEM_ASSIGN_OR_RETURN(
      Statement * delivery,
      db.Prepare("INSERT INTO deliveries (outbox_id, endpoint, lead_id, state, next_attempt_at) "
                 "VALUES (?, ?, ?, 'pending', ?)"));
  for (const std::string& endpoint : endpoints) {
    delivery->Bind(1, outbox_id)
        .Bind(2, endpoint)
        .BindNullable(3, m.lead_id)
        .Bind(4, ToUnixMillis(now));
    TANDEM_RETURN_IF_ERROR(delivery->Run());
    delivery->Reset();
  }
  return OkStatus();
}

}  // namespace tandem::sql
