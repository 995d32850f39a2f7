#include "store/sql/sql_leads.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <variant>

#include "store/sql/sql_analytics.h"
#include "store/sql/sql_contact.h"
#include "store/sql/sql_routing.h"
#include "store/sql/sql_store.h"

namespace tandem::sql {

const char* const kLeadColumns =
    "id, email, name, title, company_name, account_domain, traits, stage, stage_reason, "
    "revisit_on, priority, owner_id, team, queued, fit, engagement_ref, first_touch, last_touch, "
    "visits, mql_at, sla_due_at, sla_met_at, sla_breached_at, last_activity_at, created_at, "
    "updated_at, contacted_at, country, company_size";

StatusOr<LeadRecord> ReadLead(const Statement& row) {
  LeadRecord l;
  l.id = row.Int(0);
  l.email = row.Text(1);
  l.name = row.Text(2);
  l.title = row.Text(3);
  l.company_name = row.Text(4);
  l.account_domain = row.Text(5);
  l.traits = row.Text(6);
  TANDEM_ASSIGN_OR_RETURN(l.stage, ReadEnum(row, 7, "leads.stage", ParseStage));
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
  l.country = row.Text(27);
  l.company_size = row.Text(28);
  return l;
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
      Statement * stmt,
      db.Prepare(
          fmt::format("SELECT {} FROM leads WHERE id = ? AND erased_at IS NULL", kLeadColumns)));
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
      .Bind(8, StageName(l.stage))
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
      .BindNullable(27, OptionalMillis(l.contacted_at))
      .Bind(28, l.country)
      .Bind(29, l.company_size);
  TANDEM_RETURN_IF_ERROR(stmt->Run());
  TANDEM_RETURN_IF_ERROR(NoteLeadOwnership(db, l));
  return NoteLeadWritten(db, l);
}

Status FoldLead(Db& db, int64_t from, int64_t into, TimePoint now) {
  TANDEM_RETURN_IF_ERROR(EndAssignment(db, from, now, fmt::format("merged into ld_{}", into)));
  TANDEM_RETURN_IF_ERROR(MoveContact(db, from, into));
  TANDEM_RETURN_IF_ERROR(
      RunSteps(db,
               {"UPDATE lead_log SET lead_id = ?2 WHERE lead_id = ?1 AND ?3 = ?3",
                "UPDATE stage_transitions SET lead_id = ?2 WHERE lead_id = ?1 AND ?3 = ?3",
                "UPDATE assignments SET lead_id = ?2 WHERE lead_id = ?1 AND ?3 = ?3",
                "UPDATE lead_trait_history SET lead_id = ?2 WHERE lead_id = ?1 AND ?3 = ?3",
                "UPDATE email_sends SET lead_id = ?2 WHERE lead_id = ?1 AND ?3 = ?3",
                "UPDATE email_engagements SET lead_id = ?2 WHERE lead_id = ?1 AND ?3 = ?3",
                "UPDATE inbound_messages SET lead_id = ?2 WHERE lead_id = ?1 AND ?3 = ?3",
                "DELETE FROM score_items WHERE lead_id = ?1 AND ?2 = ?2 AND ?3 = ?3",
                "DELETE FROM leads WHERE id = ?1 AND ?2 = ?2 AND ?3 = ?3"},
               from, into, ToUnixMillis(now)));
  TANDEM_RETURN_IF_ERROR(RecountReportsOf(db, from));
  return RecountReportsOf(db, into);
}

Status EnsureAccount(Db& db, std::string_view domain, std::string_view name, TimePoint now) {
  // An account that has its name is only read. Else, beside other batches, in turns: one
  // waits on another's insert of the same domain only while it holds the turn.
  TANDEM_ASSIGN_OR_RETURN(Statement * read,
                          db.Prepare("SELECT name IS NOT NULL FROM accounts WHERE domain = ?"));
  read->Bind(1, domain);
  TANDEM_ASSIGN_OR_RETURN(auto has_name,
                          Collect<int64_t>(read, [](const Statement& r) { return r.Int(0); }));
  if (!has_name.empty() && (has_name[0] != 0 || name.empty())) return OkStatus();
  TANDEM_RETURN_IF_ERROR(db.Hold(Turn::kLeadsShared));
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt, db.Prepare("INSERT INTO accounts (domain, name, created_at) VALUES (?, ?, "
                                   "?) ON CONFLICT (domain) DO NOTHING"));
  stmt->Bind(1, domain).BindNullable(2, name).Bind(3, ToUnixMillis(now));
  TANDEM_RETURN_IF_ERROR(stmt->Run());
  if (name.empty()) return OkStatus();
  TANDEM_ASSIGN_OR_RETURN(
      Statement * named,
      db.Prepare("UPDATE accounts SET name = ? WHERE domain = ? AND name IS NULL"));
  named->Bind(1, name).Bind(2, domain);
  return named->Run();
}

namespace {

using Value = std::variant<int64_t, double, std::string>;
// Scores compare as fit + engagement_ref * factor at one moment (see scorer.h).
constexpr const char* kScore = "(fit + engagement_ref * ?)";

// The WHERE clauses of a lead list and their values, in order.
struct LeadFilter {
  std::vector<std::string> where;
  std::vector<Value> binds;
};

LeadFilter FilterOf(const Db& db, const LeadQuery& q, double factor) {
  LeadFilter f;
  auto& where = f.where;
  auto& binds = f.binds;
  const char* score = kScore;
  auto add = [&](std::string clause, std::initializer_list<Value> values) {
    where.push_back(std::move(clause));
    binds.insert(binds.end(), values);
  };
  // An erased lead's tombstone counts in the reports only (privacy/erasure.h).
  add("erased_at IS NULL", {});
  if (q.owner_id) add("owner_id = ?", {*q.owner_id});
  if (q.unassigned) add("owner_id IS NULL", {});
  if (q.queued) add("queued = 1", {});
  if (!q.stages.empty()) {
    std::vector<std::string_view> marks(q.stages.size(), "?");
    where.push_back(fmt::format("stage IN ({})", fmt::join(marks, ", ")));
    for (Stage stage : q.stages) binds.emplace_back(std::string(StageName(stage)));
  }
  if (!q.stage_reason.empty()) add("lower(stage_reason) = lower(?)", {q.stage_reason});
  if (!q.priority.empty()) add("priority = ?", {q.priority});
  if (!q.team.empty()) add("team = ?", {q.team});
  if (!q.account.empty()) add("account_domain = ?", {q.account});
  if (q.min_score) add(fmt::format("{} >= ?", score), {factor, *q.min_score});
  if (q.updated_since) add("updated_at >= ?", {ToUnixMillis(*q.updated_since)});
  if (!q.source.empty())
    add(fmt::format("lower({}) = lower(?)", JsonText(db, "first_touch", "source")), {q.source});
  if (!q.form.empty()) {
    add("EXISTS (SELECT 1 FROM touchpoints tp WHERE tp.person_id = leads.id AND tp.form = ?)",
        {q.form});
  }
  if (!q.search.empty()) {
    const std::string pattern = LikeContaining(q.search);
    add("(lower(email) LIKE lower(?) ESCAPE '\\' OR lower(name) LIKE lower(?) ESCAPE '\\' OR "
        "lower(company_name) LIKE lower(?) ESCAPE '\\')",
        {pattern, pattern, pattern});
  }
  if (q.sla_overdue) {
    add("sla_met_at IS NULL AND sla_due_at <= ?", {ToUnixMillis(q.score_at)});
  }
  return f;
}

// The filter's leads with `extra` clauses, in `order_by`, up to `limit`.
StatusOr<std::vector<LeadRecord>> RunLeadQuery(Db& db, const LeadFilter& filter,
                                               std::vector<std::string> extra,
                                               std::vector<Value> extra_binds,
                                               const std::string& order_by,
                                               std::vector<Value> order_binds, size_t limit) {
  std::vector<std::string> all = filter.where;
  all.insert(all.end(), extra.begin(), extra.end());
  std::vector<Value> values = filter.binds;
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
}

}  // namespace

StatusOr<std::vector<LeadRecord>> ListLeads(Db& db, const LeadQuery& q) {
  using Sort = LeadQuery::Sort;
  const double factor = EngagementFromRef(1.0, q.score_at, q.half_life_days);
  const char* score = kScore;
  const LeadFilter filter = FilterOf(db, q, factor);
  auto run = [&](std::vector<std::string> extra, std::vector<Value> extra_binds,
                 const std::string& order_by, std::vector<Value> order_binds, size_t limit) {
    return RunLeadQuery(db, filter, std::move(extra), std::move(extra_binds), order_by,
                        std::move(order_binds), limit);
  };

  switch (q.sort) {
    case Sort::kScore: {
      std::vector<std::string> keyset;
      std::vector<Value> keyset_binds;
      if (q.after) {
        keyset.push_back(fmt::format("{0} <= ? AND ({0} < ? OR id < ?)", score));
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
        // Not "(col < ? OR (col = ? AND id < ?))": with the OR alone SQLite walks the
        // index from its end to the key, so each page cost more than the one before.
        keyset.push_back(fmt::format("{0} <= ? AND ({0} < ? OR id < ?)", column));
        keyset_binds = {key, key, q.after->id};
      }
      return run(keyset, keyset_binds, fmt::format("{} DESC, id DESC", column), {}, q.limit);
    }
    case Sort::kId: {
      std::vector<std::string> keyset;
      std::vector<Value> keyset_binds;
      if (q.after) {
        keyset.push_back("id > ?");
        keyset_binds = {q.after->id};
      }
      return run(keyset, keyset_binds, "id", {}, q.limit);
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
      due.push_back("sla_due_at >= ? AND (sla_due_at > ? OR id > ?)");
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
                 "WHERE p.id = ? AND l.erased_at IS NULL"));
  stmt->Bind(1, person_id);
  TANDEM_ASSIGN_OR_RETURN(auto ids,
                          Collect<int64_t>(stmt, [](const Statement& s) { return s.Int(0); }));
  if (ids.empty()) return std::optional<int64_t>();
  return std::optional<int64_t>(ids[0]);
}

namespace {

// Reads a row of score_items selected from its `axis` column on.
ScoreItem ReadScoreItem(const Statement& s, int first) {
  ScoreItem item;
  item.axis = s.TextView(first) == "fit" ? ScoreAxis::kFit : ScoreAxis::kEngagement;
  item.rule = s.Text(first + 1);
  item.points = s.Double(first + 2);
  item.at = FromUnixMillis(s.Int(first + 3));
  item.event_id = s.NullableInt(first + 4);
  item.trait = s.Text(first + 5);
  return item;
}

}  // namespace

StatusOr<std::vector<ScoreItem>> ListScoreItems(Db& db, int64_t lead_id) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("SELECT axis, rule, points, at, event_id, COALESCE(trait, '') FROM score_items "
                 "WHERE lead_id = ? ORDER BY id"));
  stmt->Bind(1, lead_id);
  return Collect<ScoreItem>(stmt, [](const Statement& s) { return ReadScoreItem(s, 0); });
}

StatusOr<std::map<int64_t, std::vector<ScoreItem>>> ListScoreItemsOf(
    Db& db, std::span<const int64_t> lead_ids) {
  std::map<int64_t, std::vector<ScoreItem>> out;
  for (int64_t id : lead_ids) out[id];
  if (lead_ids.empty()) return out;
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare(fmt::format("SELECT lead_id, axis, rule, points, at, event_id, COALESCE(trait, "
                             "'') FROM score_items WHERE lead_id IN ({}) ORDER BY lead_id, id",
                             IdPlaces(lead_ids.size()))));
  BindIds(*stmt, 1, lead_ids);
  for (;;) {
    TANDEM_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    out[stmt->Int(0)].push_back(ReadScoreItem(*stmt, 1));
  }
  return out;
}

Status AddScoreItem(Db& db, int64_t lead_id, const ScoreItem& item) {
  static constexpr BatchedWrite kInsert = {
      "INSERT INTO score_items (lead_id, axis, rule, points, at, day, event_id, trait) VALUES (?, "
      "?, ?, ?, ?, ?, ?, ?)",
      "INSERT INTO score_items (lead_id, axis, rule, points, at, day, event_id, trait) SELECT l, "
      "x, r, p, a, d, e, t FROM unnest($1::bigint[], $2::text[], $3::text[], $4::float8[], "
      "$5::bigint[], $6::bigint[], $7::bigint[], $8::text[]) WITH ORDINALITY AS u(l, x, r, p, a, "
      "d, e, t, n) ORDER BY n"};
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt, db.PrepareBatched(kInsert));
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
  static constexpr BatchedWrite kInsert = {
      "INSERT INTO lead_trait_history (lead_id, trait, value, event_id, at) VALUES (?, ?, ?, ?, ?)",
      "INSERT INTO lead_trait_history (lead_id, trait, value, event_id, at) SELECT l, t, v, e, a "
      "FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::bigint[]) WITH "
      "ORDINALITY AS u(l, t, v, e, a, n) ORDER BY n"};
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt, db.PrepareBatched(kInsert));
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

StatusOr<std::vector<int64_t>> DueSlaLeads(Db& db, TimePoint now, size_t limit) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("SELECT lead_id FROM assignments WHERE ended_at IS NULL AND first_touch_at IS "
                 "NULL AND sla_breached_at IS NULL AND sla_warn_at <= ?1 AND (sla_reminded_at IS "
                 "NULL OR sla_due_at <= ?1) ORDER BY sla_warn_at LIMIT ?2"));
  stmt->Bind(1, ToUnixMillis(now)).Bind(2, static_cast<int64_t>(limit));
  return Collect<int64_t>(stmt, [](const Statement& s) { return s.Int(0); });
}

namespace {

// Served by the partial index leads_never_contacted. On SQLite "+stage" keeps the
// planner from preferring the index on stage, which would visit every open lead;
// PostgreSQL's planner weighs the partial index by its statistics.
std::string NeverTouched(const Db& db) {
  return fmt::format(
      "mql_at IS NOT NULL AND contacted_at IS NULL AND erased_at IS NULL AND {}stage IN ('lead', "
      "'mql', 'sal', 'sql', "
      "'opportunity')",
      db.dialect() == Dialect::kSqlite ? "+" : "");
}

}  // namespace

StatusOr<std::vector<LeadRecord>> NeverTouchedLeads(Db& db, size_t limit) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare(fmt::format("SELECT {} FROM leads WHERE {} ORDER BY mql_at, id LIMIT ?",
                             kLeadColumns, NeverTouched(db))));
  stmt->Bind(1, static_cast<int64_t>(limit));
  return Collect<LeadRecord>(stmt, ReadLead);
}

StatusOr<int64_t> CountNeverTouchedLeads(Db& db) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare(fmt::format("SELECT COUNT(*) FROM leads WHERE {}", NeverTouched(db))));
  TANDEM_ASSIGN_OR_RETURN(auto rows,
                          Collect<int64_t>(stmt, [](const Statement& s) { return s.Int(0); }));
  return rows.empty() ? 0 : rows[0];
}

}  // namespace tandem::sql

namespace tandem {

using sql::Statement;

StatusOr<std::optional<int64_t>> SqlStore::ResolveLeadId(int64_t person_id) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  return sql::ResolveLeadId(lease->db(), person_id);
}

StatusOr<std::vector<LeadRecord>> SqlStore::ListLeads(const LeadQuery& query) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  return sql::ListLeads(lease->db(), query);
}

StatusOr<std::vector<int64_t>> SqlStore::ListLeadIds() {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare("SELECT id FROM leads WHERE erased_at IS NULL ORDER BY id"));
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
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt, lease->db().Prepare("SELECT COUNT(*) FROM leads WHERE erased_at IS NULL"));
  TANDEM_ASSIGN_OR_RETURN(auto n,
                          sql::First<int64_t>(stmt, [](const Statement& s) { return s.Int(0); }));
  return n.value_or(0);
}

StatusOr<std::vector<int64_t>> SqlStore::DueRevisits(TimePoint now, size_t limit) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare(
          "SELECT id FROM leads WHERE stage = 'recycled' AND revisit_on <= ? AND erased_at IS NULL "
          "ORDER BY revisit_on, id LIMIT ?"));
  stmt->Bind(1, ToUnixMillis(now)).Bind(2, static_cast<int64_t>(limit));
  return sql::Collect<int64_t>(stmt, [](const Statement& s) { return s.Int(0); });
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

}  // namespace tandem
