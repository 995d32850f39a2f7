// The reports' kept counts (schema 0018_funnel_counts.sql, 0020_speed_days.sql,
// 0021_outcome_days.sql): lead_funnel holds what each lead counts as in the funnel,
// funnel_days and velocity_days the sums per day and group, mql_responses each move to
// MQL with its answer and lead_outcomes each outcome (both recounted whole for their
// lead), speed_days and outcome_days the sums of those per day and group.
// Whenever a lead's stage, history, first touchpoint or answers may have changed, its
// rows are recomputed from the facts, and the sums move by the difference between what
// it counted as and what it counts as now — so they always equal a count of lead_funnel,
// mql_responses and lead_outcomes, which always equal what the facts say.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <string>
#include <tuple>

#include "leads/lifecycle.h"
#include "store/sql/sql_analytics.h"

namespace tandem::sql {
namespace {

constexpr int64_t kHourMillis = 3'600'000;

// A statement's SQL for the connection's dialect, made by `make` once for each dialect
// (the first time the lambda's type is used), not at every statement run.
template <typename Make>
const std::string& SqlFor(const Db& db, Make make) {
  static const std::array<std::string, 2> sql = {make(Dialect::kSqlite), make(Dialect::kPostgres)};
  return sql[db.dialect() == Dialect::kSqlite ? 0 : 1];
}

// What one lead counts as: a lead_funnel row.
struct FunnelLead {
  int64_t created_at = 0;
  int64_t cur = 0;
  int64_t hist = 0;
  // When it first reached rank 2 (MQL) … 6 (customer) or deeper.
  std::array<std::optional<int64_t>, 5> reached;
  std::optional<int64_t> first_at;
  std::optional<int64_t> first_event_id;
  std::optional<int64_t> owner_id;
  // Its group by each of kKeptDimensions: its first touchpoint's fields, then its
  // owner ("usr_N"), team, country and company size band ("" for none).
  std::array<std::string, kKeptDimensions.size()> groups;

  bool operator==(const FunnelLead&) const = default;
};

constexpr const char* kFunnelLeadColumns =
    "created_at, cur, hist, t2, t3, t4, t5, t6, first_at, first_event_id, source, medium, "
    "campaign, term, referrer_domain, landing_page, form, content_item, owner_id, team, country, "
    "company_size";
constexpr size_t kRep = kTouchDimensions;  // the index of "rep" in groups

// The columns after the touchpoint's fields, from `first` on: owner_id, team, country,
// company_size.
void ReadLeadGroups(const Statement& s, int first, FunnelLead& lead) {
  lead.owner_id = s.NullableInt(first);
  lead.groups[kRep] = lead.owner_id ? fmt::format("usr_{}", *lead.owner_id) : "";
  for (size_t i = kRep + 1; i < lead.groups.size(); ++i)
    lead.groups[i] = s.Text(first + static_cast<int>(i - kRep));
}

FunnelLead ReadFunnelLead(const Statement& s) {
  FunnelLead lead{.created_at = s.Int(0), .cur = s.Int(1), .hist = s.Int(2)};
  for (size_t i = 0; i < lead.reached.size(); ++i) lead.reached[i] = s.NullableInt(3 + i);
  lead.first_at = s.NullableInt(8);
  lead.first_event_id = s.NullableInt(9);
  for (size_t i = 0; i < kTouchDimensions; ++i) lead.groups[i] = s.Text(10 + i);
  ReadLeadGroups(s, 10 + kTouchDimensions, lead);
  return lead;
}

StatusOr<std::optional<FunnelLead>> ReadOne(Statement* stmt) {
  TANDEM_ASSIGN_OR_RETURN(std::vector<FunnelLead> rows, Collect<FunnelLead>(stmt, ReadFunnelLead));
  if (rows.empty()) return std::optional<FunnelLead>();
  return std::optional<FunnelLead>(std::move(rows[0]));
}

StatusOr<std::optional<FunnelLead>> StoredFunnelLead(Db& db, int64_t lead_id) {
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt, db.Prepare(SqlFor(db, [](Dialect) {
    return fmt::format("SELECT {} FROM lead_funnel WHERE lead_id = ?", kFunnelLeadColumns);
  })));
  stmt->Bind(1, lead_id);
  return ReadOne(stmt);
}

// What the lead counts as by the facts: its row in leads, its moves, its touchpoints.
StatusOr<std::optional<FunnelLead>> CountedFunnelLead(Db& db, int64_t lead_id) {
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt, db.Prepare(SqlFor(db, [](Dialect) {
    std::string reached;
    for (int rank = 2; rank <= 6; ++rank)
      reached += fmt::format(", MIN(CASE WHEN r >= {0} THEN at END) AS r{0}", rank);
    std::string fields;
    for (size_t i = 0; i < kTouchDimensions; ++i)
      fields += fmt::format(", COALESCE(t.{}, '')", kKeptDimensions[i]);
    fields += ", l.owner_id, COALESCE(l.team, ''), l.country, l.company_size";
    return fmt::format(
        "SELECT l.created_at, {0}, COALESCE(m.hist, 0), m.r2, m.r3, m.r4, "
        "m.r5, m.r6, t.at, t.event_id{1} FROM leads l LEFT JOIN (SELECT "
        "MAX(r) AS hist{2} FROM (SELECT at, {3} AS r FROM "
        "stage_transitions WHERE lead_id = ?1) AS s) AS m ON 1 = 1 LEFT "
        "JOIN (SELECT * FROM touchpoints WHERE person_id = ?1 ORDER BY at, "
        "event_id LIMIT 1) AS t ON 1 = 1 WHERE l.id = ?1",
        StageRankSql("l.stage"), fields, reached, StageRankSql("to_stage"));
  })));
  stmt->Bind(1, lead_id);
  return ReadOne(stmt);
}

// One move to MQL of a lead as mql_responses keeps it, and as speed_days counts it.
struct MqlRow {
  int64_t day = 0;
  int64_t minutes = -1;  // to the first answer; -1: none yet
  int64_t fate = 0;      // reached SAL: 1, SQL: 2, won: 4

  bool operator==(const MqlRow&) const = default;
};

StatusOr<std::vector<MqlRow>> MqlRowsOf(Db& db, int64_t lead_id) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("SELECT at, COALESCE(minutes, -1), reached_sal + 2 * reached_sql + 4 * won FROM "
                 "mql_responses WHERE lead_id = ? ORDER BY transition_id"));
  stmt->Bind(1, lead_id);
  return Collect<MqlRow>(stmt, [](const Statement& s) {
    return MqlRow{UtcDayOf(s.Int(0)), s.Int(1), s.Int(2)};
  });
}

// Rewrites the lead's rows of mql_responses from its moves and touches.
Status WriteMqlResponses(Db& db, int64_t lead_id) {
  TANDEM_ASSIGN_OR_RETURN(Statement * clear,
                          db.Prepare("DELETE FROM mql_responses WHERE lead_id = ?"));
  clear->Bind(1, lead_id);
  TANDEM_RETURN_IF_ERROR(clear->Run());
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt, db.Prepare(SqlFor(db, [](Dialect dialect) {
    return fmt::format(
        "INSERT INTO mql_responses (transition_id, lead_id, at, minutes, reached_sal, "
        "reached_sql, won) SELECT s.id, s.lead_id, s.at, {}, {}, {}, {} FROM {} WHERE "
        "s.lead_id = ? AND s.to_stage = 'mql'",
        AnswerMinutesSql(""), MovedOnSql(dialect, "'sal', 'sql', 'opportunity', 'customer'", ""),
        MovedOnSql(dialect, "'sql', 'opportunity', 'customer'", ""),
        MovedOnSql(dialect, "'customer'", ""), TransitionsOfLead(dialect, "s"));
  })));
  stmt->Bind(1, lead_id);
  return stmt->Run();
}

// One outcome of a lead as lead_outcomes keeps it, and as outcome_days counts it.
struct OutcomeRow {
  int64_t day = 0;
  std::string outcome, reason;
  std::optional<int64_t> by_user_id;

  bool operator==(const OutcomeRow&) const = default;
};

// The outcomes report's condition on stage_transitions `s`, and the outcome it gives.
// A reason counts by its first 300 characters, the most a reason may have (reasons
// given before that limit may be longer), as in sql_reports.cpp OutcomeRows.
constexpr const char* kIsOutcome =
    "(s.cause IN ('outcome: rejected', 'outcome: lost', 'outcome: recycled') OR s.to_stage = "
    "'disqualified')";
constexpr const char* kOutcomeOf =
    "CASE WHEN s.cause LIKE 'outcome: %' THEN SUBSTR(s.cause, 10) ELSE s.to_stage END";

StatusOr<std::vector<OutcomeRow>> OutcomeRowsOf(Db& db, int64_t lead_id) {
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt,
                          db.Prepare("SELECT at, outcome, reason, by_user_id FROM lead_outcomes "
                                     "WHERE lead_id = ? ORDER BY transition_id"));
  stmt->Bind(1, lead_id);
  return Collect<OutcomeRow>(stmt, [](const Statement& s) {
    return OutcomeRow{UtcDayOf(s.Int(0)), s.Text(1), s.Text(2), s.NullableInt(3)};
  });
}

// Rewrites the lead's rows of lead_outcomes from its moves.
Status WriteLeadOutcomes(Db& db, int64_t lead_id) {
  TANDEM_ASSIGN_OR_RETURN(Statement * clear,
                          db.Prepare("DELETE FROM lead_outcomes WHERE lead_id = ?"));
  clear->Bind(1, lead_id);
  TANDEM_RETURN_IF_ERROR(clear->Run());
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt, db.Prepare(SqlFor(db, [](Dialect dialect) {
    return fmt::format(
        "INSERT INTO lead_outcomes (transition_id, lead_id, at, outcome, reason, by_user_id) "
        "SELECT s.id, s.lead_id, s.at, {}, SUBSTR(s.reason, 1, 300), s.by_user_id FROM {} "
        "WHERE s.lead_id = ? AND {}",
        kOutcomeOf, TransitionsOfLead(dialect, "s"), kIsOutcome);
  })));
  stmt->Bind(1, lead_id);
  return stmt->Run();
}

// A lead's rows of mql_responses and lead_outcomes.
struct LeadRows {
  std::vector<MqlRow> mqls;
  std::vector<OutcomeRow> outcomes;

  bool operator==(const LeadRows&) const = default;
};

StatusOr<LeadRows> LeadRowsOf(Db& db, int64_t lead_id) {
  LeadRows rows;
  TANDEM_ASSIGN_OR_RETURN(rows.mqls, MqlRowsOf(db, lead_id));
  TANDEM_ASSIGN_OR_RETURN(rows.outcomes, OutcomeRowsOf(db, lead_id));
  return rows;
}

// A row of funnel_days (table 0), velocity_days (1) or speed_days (2): dim, day, g and
// two numbers (cur and hist, the step and its hours, or MqlRow's minutes and fate).
using CountKey = std::tuple<int, const char*, int64_t, std::string, int64_t, int64_t>;
// A row of outcome_days: dim, day, g, outcome, reason.
using OutcomeKey = std::tuple<const char*, int64_t, std::string, std::string, std::string>;

void AddCounts(const FunnelLead& lead, int64_t sign, std::map<CountKey, int64_t>& counts) {
  const int64_t day = UtcDayOf(lead.created_at);
  for (size_t d = 0; d <= kKeptDimensions.size(); ++d) {
    const char* dim = d == 0 ? "" : kKeptDimensions[d - 1];
    const std::string& group = d == 0 ? std::string() : lead.groups[d - 1];
    counts[{0, dim, day, group, lead.cur, lead.hist}] += sign;
    std::optional<int64_t> from = lead.created_at;
    for (size_t step = 0; step < lead.reached.size(); ++step) {
      const std::optional<int64_t>& to = lead.reached[step];
      if (to && from) {
        const int64_t hours = *to < *from ? 0 : (*to - *from) / kHourMillis;
        counts[{1, dim, day, group, static_cast<int64_t>(step) + 1, hours}] += sign;
      }
      from = to;
    }
  }
}

// The lead's moves to MQL, each by each dimension's group of the lead.
void AddSpeedCounts(const FunnelLead& lead, const std::vector<MqlRow>& rows, int64_t sign,
                    std::map<CountKey, int64_t>& counts) {
  for (const MqlRow& row : rows) {
    for (size_t d = 0; d <= kKeptDimensions.size(); ++d) {
      const char* dim = d == 0 ? "" : kKeptDimensions[d - 1];
      const std::string& group = d == 0 ? std::string() : lead.groups[d - 1];
      counts[{2, dim, row.day, group, row.minutes, row.fate}] += sign;
    }
  }
}

// The lead's outcomes, each by each dimension's group of the lead — but by rep, the
// user who recorded it.
void AddOutcomeCounts(const FunnelLead& lead, const std::vector<OutcomeRow>& rows, int64_t sign,
                      std::map<OutcomeKey, int64_t>& counts) {
  for (const OutcomeRow& row : rows) {
    for (size_t d = 0; d <= kKeptDimensions.size(); ++d) {
      const char* dim = d == 0 ? "" : kKeptDimensions[d - 1];
      std::string group = d == 0 ? std::string() : lead.groups[d - 1];
      if (d == kRep + 1) group = row.by_user_id ? fmt::format("usr_{}", *row.by_user_id) : "";
      counts[{dim, row.day, std::move(group), row.outcome, row.reason}] += sign;
    }
  }
}

Status WriteFunnelLead(Db& db, int64_t lead_id, const std::optional<FunnelLead>& lead) {
  if (!lead) {
    TANDEM_ASSIGN_OR_RETURN(Statement * stmt,
                            db.Prepare("DELETE FROM lead_funnel WHERE lead_id = ?"));
    stmt->Bind(1, lead_id);
    return stmt->Run();
  }
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt, db.Prepare(SqlFor(db, [](Dialect) {
    return fmt::format(
        "INSERT INTO lead_funnel (lead_id, {}) VALUES (?, ?, ?, ?, ?, ?, ?, "
        "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (lead_id) DO UPDATE "
        "SET created_at = excluded.created_at, cur = excluded.cur, hist = "
        "excluded.hist, t2 = excluded.t2, t3 = excluded.t3, t4 = excluded.t4, "
        "t5 = excluded.t5, t6 = excluded.t6, first_at = excluded.first_at, "
        "first_event_id = excluded.first_event_id, source = excluded.source, "
        "medium = excluded.medium, campaign = excluded.campaign, term = "
        "excluded.term, referrer_domain = excluded.referrer_domain, "
        "landing_page = excluded.landing_page, form = excluded.form, "
        "content_item = excluded.content_item, owner_id = excluded.owner_id, "
        "team = excluded.team, country = excluded.country, company_size = "
        "excluded.company_size",
        kFunnelLeadColumns);
  })));
  stmt->Bind(1, lead_id).Bind(2, lead->created_at).Bind(3, lead->cur).Bind(4, lead->hist);
  for (size_t i = 0; i < lead->reached.size(); ++i) stmt->BindNullable(5 + i, lead->reached[i]);
  stmt->BindNullable(10, lead->first_at).BindNullable(11, lead->first_event_id);
  for (size_t i = 0; i < kTouchDimensions; ++i) stmt->Bind(12 + i, lead->groups[i]);
  stmt->BindNullable(12 + kTouchDimensions, lead->owner_id);
  for (size_t i = kRep + 1; i < lead->groups.size(); ++i)
    stmt->Bind(static_cast<int>(12 + i), lead->groups[i]);
  return stmt->Run();
}

constexpr std::array<DayTable, 4> kDayTables = {{
    {"INSERT INTO funnel_days (dim, day, g, cur, hist, n) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT "
     "(dim, day, g, cur, hist) DO UPDATE SET n = funnel_days.n + excluded.n",
     "n",
     "DELETE FROM funnel_days WHERE dim = ? AND day = ? AND g = ? AND cur = ? AND hist = ? AND n "
     "= 0",
     "INSERT INTO funnel_days (dim, day, g, cur, hist, n) SELECT dim, day, g, cur, hist, "
     "SUM(n) FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[], "
     "$6::bigint[]) AS x(dim, day, g, cur, hist, n) GROUP BY dim, day, g, cur, hist ORDER BY dim, "
     "day, g, cur, hist ON "
     "CONFLICT (dim, day, g, cur, hist) DO UPDATE SET n = funnel_days.n + excluded.n",
     "DELETE FROM funnel_days f USING unnest($1::text[], $2::bigint[], $3::text[], "
     "$4::bigint[], $5::bigint[]) AS x(dim, day, g, cur, hist) WHERE f.dim = x.dim AND "
     "f.day = x.day AND f.g = x.g AND f.cur = x.cur AND f.hist = x.hist AND f.n = 0",
     1},
    {"INSERT INTO velocity_days (dim, day, g, k, h, n) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (dim, "
     "day, g, k, h) DO UPDATE SET n = velocity_days.n + excluded.n",
     "n",
     "DELETE FROM velocity_days WHERE dim = ? AND day = ? AND g = ? AND k = ? AND h = ? AND n = 0",
     "INSERT INTO velocity_days (dim, day, g, k, h, n) SELECT dim, day, g, k, h, SUM(n) "
     "FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[], "
     "$6::bigint[]) AS x(dim, day, g, k, h, n) GROUP BY dim, day, g, k, h ORDER BY dim, day, g, k, "
     "h ON CONFLICT (dim, "
     "day, g, k, h) DO UPDATE SET n = velocity_days.n + excluded.n",
     "DELETE FROM velocity_days f USING unnest($1::text[], $2::bigint[], $3::text[], "
     "$4::bigint[], $5::bigint[]) AS x(dim, day, g, k, h) WHERE f.dim = x.dim AND f.day = "
     "x.day AND f.g = x.g AND f.k = x.k AND f.h = x.h AND f.n = 0",
     2},
    {"INSERT INTO speed_days (dim, day, g, m, a, q, w, n) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON "
     "CONFLICT (dim, day, g, m, a, q, w) DO UPDATE SET n = speed_days.n + excluded.n",
     "n",
     "DELETE FROM speed_days WHERE dim = ? AND day = ? AND g = ? AND m = ? AND a = ? AND q = ? AND "
     "w = ? AND n = 0",
     "INSERT INTO speed_days (dim, day, g, m, a, q, w, n) SELECT dim, day, g, m, a, q, w, "
     "SUM(n) FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[], "
     "$6::bigint[], $7::bigint[], $8::bigint[]) AS x(dim, day, g, m, a, q, w, n) GROUP BY "
     "dim, day, g, m, a, q, w ORDER BY dim, day, g, m, a, q, w ON CONFLICT (dim, day, g, m, a, q, "
     "w) DO UPDATE SET n = "
     "speed_days.n + excluded.n",
     "DELETE FROM speed_days f USING unnest($1::text[], $2::bigint[], $3::text[], "
     "$4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[]) AS x(dim, day, g, m, a, q, w) "
     "WHERE f.dim = x.dim AND f.day = x.day AND f.g = x.g AND f.m = x.m AND f.a = x.a AND "
     "f.q = x.q AND f.w = x.w AND f.n = 0",
     3},
    {"INSERT INTO outcome_days (dim, day, g, o, r, n) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (dim, "
     "day, g, o, r) DO UPDATE SET n = outcome_days.n + excluded.n",
     "n",
     "DELETE FROM outcome_days WHERE dim = ? AND day = ? AND g = ? AND o = ? AND r = ? AND n = 0",
     "INSERT INTO outcome_days (dim, day, g, o, r, n) SELECT dim, day, g, o, r, SUM(n) FROM "
     "unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::bigint[]) AS "
     "x(dim, day, g, o, r, n) GROUP BY dim, day, g, o, r ORDER BY dim, day, g, o, r ON CONFLICT "
     "(dim, day, g, o, r) DO "
     "UPDATE SET n = outcome_days.n + excluded.n",
     "DELETE FROM outcome_days f USING unnest($1::text[], $2::bigint[], $3::text[], "
     "$4::text[], $5::text[]) AS x(dim, day, g, o, r) WHERE f.dim = x.dim AND f.day = x.day "
     "AND f.g = x.g AND f.o = x.o AND f.r = x.r AND f.n = 0",
     4},
}};
constexpr size_t kOutcomeDays = 3;

Status MoveCounts(Db& db, const std::map<CountKey, int64_t>& counts) {
  for (const auto& [key, delta] : counts) {
    if (delta == 0) continue;
    const auto& [table, dim, day, group, a, b] = key;
    auto bind = [&](Statement& stmt) {
      stmt.Bind(1, dim).Bind(2, day).Bind(3, group).Bind(4, a);
      if (table == 2) {
        stmt.Bind(5, b & 1).Bind(6, (b >> 1) & 1).Bind(7, (b >> 2) & 1);
      } else {
        stmt.Bind(5, b);
      }
    };
    TANDEM_RETURN_IF_ERROR(
        AddToCount(db, kDayTables[static_cast<size_t>(table)], table == 2 ? 7 : 5, {delta}, bind));
  }
  return OkStatus();
}

Status MoveOutcomeCounts(Db& db, const std::map<OutcomeKey, int64_t>& counts) {
  for (const auto& [key, delta] : counts) {
    if (delta == 0) continue;
    const auto& [dim, day, group, outcome, reason] = key;
    TANDEM_RETURN_IF_ERROR(
        AddToCount(db, kDayTables[kOutcomeDays], 5, {delta}, [&](Statement& stmt) {
          stmt.Bind(1, dim).Bind(2, day).Bind(3, group).Bind(4, outcome).Bind(5, reason);
        }));
  }
  return OkStatus();
}

// What may have changed about a lead: its lead_funnel row (its stage, moves, first
// touchpoint, owner or other groups), its answers to MQL moves (moves or touches), its
// outcomes (moves), its deals (moves, touchpoints before one, groups).
struct Changed {
  bool funnel = false, mqls = false, outcomes = false, deals = false;
};

// Recounts what the lead counts as in the day counts — what `changed` says — from the
// facts into `counted`, and moves the counts by the difference from `stored` (its
// lead_funnel row) and its rows before.
Status RecountDays(Db& db, int64_t lead_id, const std::optional<FunnelLead>& stored,
                   Changed changed, std::optional<FunnelLead>& counted) {
  counted = stored;
  if (changed.funnel) {
    TANDEM_ASSIGN_OR_RETURN(counted, CountedFunnelLead(db, lead_id));
  }
  // Neither counted nor counting (a person who is no lead, as most merged ones): the
  // counts hold nothing of it, and the reports read mql_responses and lead_outcomes
  // through lead_funnel only.
  if (!stored && !counted) return OkStatus();
  if (!changed.mqls && !changed.outcomes && counted == stored) return OkStatus();
  TANDEM_ASSIGN_OR_RETURN(const LeadRows before, LeadRowsOf(db, lead_id));
  LeadRows after = before;
  if (changed.mqls) {
    TANDEM_RETURN_IF_ERROR(WriteMqlResponses(db, lead_id));
    TANDEM_ASSIGN_OR_RETURN(after.mqls, MqlRowsOf(db, lead_id));
  }
  if (changed.outcomes) {
    TANDEM_RETURN_IF_ERROR(WriteLeadOutcomes(db, lead_id));
    TANDEM_ASSIGN_OR_RETURN(after.outcomes, OutcomeRowsOf(db, lead_id));
  }
  if (counted == stored && after == before) return OkStatus();
  std::map<CountKey, int64_t> counts;
  std::map<OutcomeKey, int64_t> outcomes;
  if (stored) {
    AddCounts(*stored, -1, counts);
    AddSpeedCounts(*stored, before.mqls, -1, counts);
    AddOutcomeCounts(*stored, before.outcomes, -1, outcomes);
  }
  if (counted) {
    AddCounts(*counted, +1, counts);
    AddSpeedCounts(*counted, after.mqls, +1, counts);
    AddOutcomeCounts(*counted, after.outcomes, +1, outcomes);
  }
  TANDEM_RETURN_IF_ERROR(MoveCounts(db, counts));
  TANDEM_RETURN_IF_ERROR(MoveOutcomeCounts(db, outcomes));
  if (counted == stored) return OkStatus();
  return WriteFunnelLead(db, lead_id, counted);
}

// A lead that ever reached opportunity: one with deals.
bool HasDeals(const std::optional<FunnelLead>& lead) {
  return lead && lead->hist >= FunnelRank(Stage::kOpportunity);
}

// The lead's deals, with its groups as `lead` has them (none when it is no lead).
Status RecountDealsAs(Db& db, int64_t lead_id, const std::optional<FunnelLead>& lead) {
  if (!lead) return RecountDeals(db, lead_id, nullptr);
  std::array<std::string, 4> groups;
  std::copy(lead->groups.begin() + kRep, lead->groups.end(), groups.begin());
  return RecountDeals(db, lead_id, &groups);
}

// RecountDays, then the lead's deals when they may have changed and it has or had any.
Status Recount(Db& db, int64_t lead_id, const std::optional<FunnelLead>& stored, Changed changed) {
  std::optional<FunnelLead> counted;
  TANDEM_RETURN_IF_ERROR(RecountDays(db, lead_id, stored, changed, counted));
  if (!changed.deals || !(HasDeals(stored) || HasDeals(counted))) return OkStatus();
  return RecountDealsAs(db, lead_id, counted);
}

}  // namespace

std::string TransitionsOfLead(Dialect dialect, std::string_view alias) {
  return fmt::format("stage_transitions {}{}", alias,
                     dialect == Dialect::kSqlite ? " INDEXED BY stage_transitions_lead" : "");
}

std::string StageRankSql(std::string_view column) {
  return "CASE " + std::string(column) +
         " WHEN 'lead' THEN 1 WHEN 'mql' THEN 2 WHEN 'sal' THEN 3 WHEN 'sql' THEN 4 WHEN "
         "'opportunity' THEN 5 WHEN 'customer' THEN 6 ELSE 0 END";
}

std::string MovedOnSql(Dialect dialect, std::string_view stages, std::string_view bound) {
  return fmt::format(
      "CASE WHEN EXISTS (SELECT 1 FROM {0} WHERE x.lead_id = s.lead_id AND x.at >= s.at{1} AND "
      "x.to_stage IN ({2})) THEN 1 ELSE 0 END",
      TransitionsOfLead(dialect, "x"), bound.empty() ? "" : fmt::format(" AND x.at < {}", bound),
      stages);
}

std::string AnswerMinutesSql(std::string_view bound) {
  // To the step 0024_speed_minutes.sql states: whole minutes under an hour, quarter hours
  // under a day, whole hours from then on, each rounded down.
  return fmt::format(
      "(SELECT CASE WHEN MIN(t.at) - s.at < 3600000 THEN (MIN(t.at) - s.at) / 60000 WHEN "
      "MIN(t.at) - s.at < 86400000 THEN (MIN(t.at) - s.at) / 900000 * 15 ELSE (MIN(t.at) - s.at) "
      "/ 3600000 * 60 END FROM touches t WHERE t.lead_id = s.lead_id AND t.at >= s.at{} AND "
      "t.direction = 'outbound' AND t.user_id IS NOT NULL AND t.purpose <> 'email_marketing')",
      bound.empty() ? "" : fmt::format(" AND t.at < {}", bound));
}

Status RecountMqlResponses(Db& db, int64_t lead_id) {
  if (!db.keeps_reports()) return OkStatus();
  TANDEM_ASSIGN_OR_RETURN(std::optional<FunnelLead> stored, StoredFunnelLead(db, lead_id));
  return Recount(db, lead_id, stored, {.mqls = true});
}

Status RecountReportsOf(Db& db, int64_t lead_id) {
  if (!db.keeps_reports()) return OkStatus();
  TANDEM_ASSIGN_OR_RETURN(std::optional<FunnelLead> stored, StoredFunnelLead(db, lead_id));
  return Recount(db, lead_id, stored,
                 {.funnel = true, .mqls = true, .outcomes = true, .deals = true});
}

Status RecountDealsOf(Db& db, int64_t lead_id) {
  TANDEM_ASSIGN_OR_RETURN(std::optional<FunnelLead> stored, StoredFunnelLead(db, lead_id));
  return RecountDealsAs(db, lead_id, stored);
}

Status NoteLeadWritten(Db& db, const LeadRecord& lead) {
  if (!db.keeps_reports()) return OkStatus();
  TANDEM_ASSIGN_OR_RETURN(std::optional<FunnelLead> stored, StoredFunnelLead(db, lead.id));
  // A new lead: the touchpoints of its person's events so far (its own are kept as they
  // come).
  if (!stored) {
    TANDEM_RETURN_IF_ERROR(KeepTouchpointsOf(db, lead.id, lead.id));
  }
  // A write that keeps the lead's stage, owner, team, country and size changes nothing
  // it counts as.
  if (stored && stored->cur == FunnelRank(lead.stage) &&
      stored->created_at == ToUnixMillis(lead.created_at) && stored->owner_id == lead.owner_id &&
      stored->groups[kRep + 1] == lead.team && stored->groups[kRep + 2] == lead.country &&
      stored->groups[kRep + 3] == lead.company_size)
    return OkStatus();
  return Recount(db, lead.id, stored, {.funnel = true, .deals = true});
}

Status NoteTouchpoint(Db& db, const Touchpoint& touchpoint) {
  if (!db.keeps_reports()) return OkStatus();
  TANDEM_ASSIGN_OR_RETURN(std::optional<FunnelLead> stored,
                          StoredFunnelLead(db, touchpoint.person_id));
  // No lead yet: its creation keeps the touchpoint, when it comes.
  if (!stored) return OkStatus();
  TANDEM_RETURN_IF_ERROR(InsertTouchpoint(db, touchpoint));
  // Kept already (by the lead's creation, which keeps its person's events so far).
  if (db.Changes() == 0) return OkStatus();
  const int64_t at = ToUnixMillis(touchpoint.at);
  Changed changed;
  // A touchpoint before its first one, or before one of its deals.
  changed.funnel =
      !stored->first_at || !(std::pair(*stored->first_at, stored->first_event_id.value_or(0)) <
                             std::pair(at, touchpoint.event_id));
  if (HasDeals(stored)) {
    TANDEM_ASSIGN_OR_RETURN(changed.deals, BeforeAKeptDeal(db, touchpoint.person_id, at));
  }
  if (!changed.funnel && !changed.deals) return OkStatus();
  return Recount(db, touchpoint.person_id, stored, changed);
}

Status NotePersonsMerging(Db& db, int64_t from, int64_t into) {
  if (!db.keeps_reports()) return OkStatus();
  TANDEM_ASSIGN_OR_RETURN(std::optional<FunnelLead> lead, StoredFunnelLead(db, into));
  if (!lead) return OkStatus();
  return KeepTouchpointsOf(db, from, into);
}

Status NotePersonsMerged(Db& db, int64_t from, int64_t into) {
  if (!db.keeps_reports()) return OkStatus();
  TANDEM_ASSIGN_OR_RETURN(std::optional<FunnelLead> had, StoredFunnelLead(db, from));
  if (had) {
    TANDEM_RETURN_IF_ERROR(RecountReportsOf(db, from));
    return RecountReportsOf(db, into);
  }
  TANDEM_ASSIGN_OR_RETURN(std::optional<FunnelLead> lead, StoredFunnelLead(db, into));
  if (!lead) return OkStatus();  // neither is a lead
  return Recount(db, into, lead, {.funnel = true, .deals = true});
}

}  // namespace tandem::sql
