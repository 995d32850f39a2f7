// The reports' queries over the facts (analytics/): each report's rows — one per lead,
// outcome or MQL, with its group — written once, then counted by group for the report
// or filtered to one figure's leads for its drill-down, so a figure and its leads cannot
// disagree.
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analytics/speed_to_lead.h"
#include "leads/lifecycle.h"
#include "store/sql/sql_analytics.h"

namespace tandem::sql {

const char* KeptDimension(Dimension by) {
  // The column lead_funnel and the day tables keep each dimension under; the cohort and
  // the variant are not kept (nullptr).
  static constexpr std::pair<Dimension, const char*> kKept[] = {
      {Dimension::kNone, ""},
      {Dimension::kSource, "source"},
      {Dimension::kMedium, "medium"},
      {Dimension::kCampaign, "campaign"},
      {Dimension::kKeyword, "term"},
      {Dimension::kReferrerDomain, "referrer_domain"},
      {Dimension::kLandingPage, "landing_page"},
      {Dimension::kForm, "form"},
      {Dimension::kContentItem, "content_item"},
      {Dimension::kRep, "rep"},
      {Dimension::kTeam, "team"},
      {Dimension::kCountry, "country"},
      {Dimension::kCompanySize, "company_size"},
  };
  for (const auto& [dimension, column] : kKept) {
    if (dimension == by) return column;
  }
  return nullptr;
}

namespace {

// The month (YYYY-MM, UTC) of a moment in milliseconds, in SQL.
std::string MonthOf(const Db& db, std::string_view millis) {
  return db.dialect() == Dialect::kPostgres
             ? fmt::format("to_char(to_timestamp({} / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM')",
                           millis)
             : fmt::format("strftime('%Y-%m', {} / 1000, 'unixepoch')", millis);
}

// The key of the arm the person of lead `lead` (its id in SQL) was exposed to in the
// query's experiment, "" when none (or two: conflicted). The keys are [a-z0-9_-] and the
// id a number (experiments/experiment.h), so both are written into the SQL.
std::string VariantOf(const FunnelQuery& q, std::string_view lead) {
  if (!q.variants) return "''";
  std::string arms;
  for (size_t i = 0; i < q.variants->keys.size(); ++i) {
    arms += fmt::format(" WHEN {} THEN '{}'", i, q.variants->keys[i]);
  }
  return fmt::format(
      "COALESCE((SELECT CASE ep.arm{} END FROM experiment_persons ep WHERE ep.experiment_id = "
      "{} AND ep.person_id = {} AND ep.exposed_at IS NOT NULL AND ep.conflicted_at IS NULL), '')",
      arms, q.variants->experiment_id, lead);
}

// The SQL giving lead `l`'s group as of the as-of moment (?5): a field of its first
// touchpoint before it, or the lead's own (its owner, team, country, size, the month it
// was created, its variant: today's).
std::string GroupOf(const Db& db, const FunnelQuery& q) {
  const Dimension by = q.by;
  const char* kept = KeptDimension(by);
  if (by == Dimension::kCohort) return MonthOf(db, "l.created_at");
  if (by == Dimension::kVariant) return VariantOf(q, "l.id");
  if (by == Dimension::kNone) return "''";
  if (by == Dimension::kRep) return "COALESCE('usr_' || CAST(l.owner_id AS TEXT), '')";
  if (by == Dimension::kTeam) return "COALESCE(l.team, '')";
  if (by == Dimension::kCountry || by == Dimension::kCompanySize) return fmt::format("l.{}", kept);
  return fmt::format(
      "COALESCE((SELECT t.{} FROM touchpoints t WHERE t.person_id = l.id AND t.at < ?5 ORDER BY "
      "t.at, t.event_id LIMIT 1), '')",
      kept);
}

// The same for a lead as lead_funnel `f` keeps it now.
std::string KeptGroupOf(const Db& db, const FunnelQuery& q) {
  const Dimension by = q.by;
  if (by == Dimension::kCohort) return MonthOf(db, "f.created_at");
  if (by == Dimension::kVariant) return VariantOf(q, "f.lead_id");
  if (by == Dimension::kNone) return "''";
  if (by == Dimension::kRep) return "COALESCE('usr_' || CAST(f.owner_id AS TEXT), '')";
  return fmt::format("f.{}", KeptDimension(by));
}

// Binds a report's scope: ?1 from, ?2 to, ?3 whether narrowed to an owner, ?4 the owner,
// ?5 the as-of moment (the end of time when none). Returns the next free index.
int BindScope(Statement& stmt, const FunnelQuery& scope) {
  stmt.Bind(1, ToUnixMillis(scope.from))
      .Bind(2, ToUnixMillis(scope.to))
      .Bind(3, int64_t{scope.owner_id ? 1 : 0})
      .Bind(4, scope.owner_id.value_or(0))
      .Bind(5, scope.as_of ? ToUnixMillis(*scope.as_of) : INT64_MAX);
  return 6;
}

// The leads of the scope (BindScope): created in the range, and before the as-of moment.
constexpr const char* kLeadsInScope =
    "FROM leads l WHERE l.created_at >= ?1 AND l.created_at < ?2 AND (?3 = 0 OR l.owner_id = "
    "?4) AND l.created_at < ?5";
// The same from what lead_funnel `f` keeps of them now.
constexpr const char* kKeptLeadsInScope =
    "FROM lead_funnel f WHERE f.created_at >= ?1 AND f.created_at < ?2 AND (?3 = 0 OR f.owner_id "
    "= ?4) AND f.created_at < ?5";

// One row per lead of the scope: id, g (its group), cur (its stage's rank), hist (the
// deepest rank it moved to), as they stood at the as-of moment.
std::string FunnelRows(const Db& db, const FunnelQuery& scope) {
  if (!scope.as_of) {
    return "SELECT f.lead_id AS id, " + KeptGroupOf(db, scope) +
           " AS g, f.cur AS cur, f.hist AS hist " + kKeptLeadsInScope;
  }
  // As of a moment, a lead's stage is where its last move before it took it, or where
  // its first move ever started from.
  const std::string current =
      "COALESCE((SELECT " + StageRankSql("s.to_stage") +
      " FROM stage_transitions s WHERE s.lead_id = l.id AND s.at < ?5 ORDER BY s.at DESC, s.id "
      "DESC LIMIT 1), (SELECT " +
      StageRankSql("s.from_stage") +
      " FROM stage_transitions s WHERE s.lead_id = l.id ORDER BY s.at, s.id LIMIT 1), " +
      StageRankSql("l.stage") + ")";
  return "SELECT l.id AS id, " + GroupOf(db, scope) + " AS g, " + current +
         " AS cur, COALESCE((SELECT MAX(" + StageRankSql("s.to_stage") +
         ") FROM stage_transitions s WHERE s.lead_id = l.id AND s.at < ?5), 0) AS hist " +
         kLeadsInScope;
}

// One row per outcome recorded in the range (and before the as-of moment): id (the
// lead), g, o (the outcome), r (the reason). An outcome is what an owner recorded (the
// disposition, from the transition's cause) or a move to disqualified; grouped by rep,
// it is the user who recorded it; a rep's scope is the rep's leads and the outcomes the
// rep recorded. The lead's group and owner as lead_funnel `f` keeps them when there is
// no as-of moment (the condition on the outcomes is the stage_transitions_outcomes
// index's).
std::string OutcomeRows(const Db& db, const FunnelQuery& scope) {
  const bool now = !scope.as_of;
  const std::string group = scope.by == Dimension::kRep
                                ? "COALESCE('usr_' || CAST(s.by_user_id AS TEXT), '')"
                            : now ? KeptGroupOf(db, scope)
                                  : GroupOf(db, scope);
  return fmt::format(
      "SELECT s.lead_id AS id, {0} AS g, CASE WHEN s.cause LIKE 'outcome: %' THEN "
      "SUBSTR(s.cause, 10) ELSE s.to_stage END AS o, SUBSTR(s.reason, 1, 300) AS r FROM "
      "stage_transitions s JOIN "
      "{1} ON {2}.{3} = s.lead_id WHERE s.at >= ?1 AND s.at < ?2 AND s.at < ?5 AND (s.cause IN "
      "('outcome: rejected', 'outcome: lost', 'outcome: recycled') OR s.to_stage = "
      "'disqualified') AND (?3 = 0 OR {2}.owner_id = ?4 OR s.by_user_id = ?4)",
      group, now ? "lead_funnel f" : "leads l", now ? "f" : "l", now ? "lead_id" : "id");
}

// One row per move to MQL in the range (and before the as-of moment): id (the lead), g,
// m (the minutes to the first outbound touch a user made afterwards, to the step of
// AnswerMinutesSql — the gate recorded only what it let through; email marketing is no
// response — or NULL), a, q, w
// (whether the lead went on to SAL, SQL, customer); all as known at the as-of moment.
// Without one, as mql_responses keeps them.
std::string SpeedRows(const Db& db, const FunnelQuery& scope) {
  if (!scope.as_of) {
    return "SELECT p.lead_id AS id, " + KeptGroupOf(db, scope) +
           " AS g, p.minutes AS m, p.reached_sal AS a, p.reached_sql AS q, p.won AS w FROM "
           "mql_responses p JOIN lead_funnel f ON f.lead_id = p.lead_id WHERE p.at >= ?1 AND "
           "p.at < ?2 AND p.at < ?5 AND (?3 = 0 OR f.owner_id = ?4)";
  }
  return fmt::format(
      "SELECT s.lead_id AS id, {} AS g, {} AS m, {} AS a, {} AS q, {} AS w FROM stage_transitions "
      "s JOIN leads l ON l.id = s.lead_id WHERE s.to_stage = 'mql' AND s.at >= ?1 AND s.at < ?2 "
      "AND s.at < ?5 AND (?3 = 0 OR l.owner_id = ?4)",
      GroupOf(db, scope), AnswerMinutesSql("?5"),
      MovedOnSql(db.dialect(), "'sal', 'sql', 'opportunity', 'customer'", "?5"),
      MovedOnSql(db.dialect(), "'sql', 'opportunity', 'customer'", "?5"),
      MovedOnSql(db.dialect(), "'customer'", "?5"));
}

// A grouped count over `rows` (with a column g) by `keys` ("g, cur, hist"), each row
// counting once or as `weight` says (the sum of their column n), narrowed to
// the page of groups: those after the cursor (?6, ?7, after BindScope's places), the
// first groups.limit + 1 of them (?8) — so the database answers the page's rows only,
// though it groups every row of the scope to find them. Groups go in the order of their
// bytes on both databases (analytics/group_page.h). Without a dimension, every row.
std::string PagedCount(const Db& db, const FunnelQuery& q, const std::string& rows,
                       std::string_view keys, std::string_view weight = "COUNT(*)") {
  const std::string count = fmt::format("SELECT {0}, {1} AS n FROM ({2}) AS f", keys, weight, rows);
  if (q.by == Dimension::kNone) return fmt::format("{0} GROUP BY {1} ORDER BY {1}", count, keys);
  const char* bytes = db.dialect() == Dialect::kPostgres ? " COLLATE \"C\"" : "";
  return fmt::format(
      "SELECT {1}, n FROM (SELECT c.*, DENSE_RANK() OVER (ORDER BY g{2}) AS page_rank FROM ({0} "
      "WHERE ?6 = 0 OR g{2} > ?7 GROUP BY {1}) AS c) AS p WHERE page_rank <= ?8 ORDER BY g{2}, {1}",
      count, keys, bytes);
}

void BindPage(Statement& stmt, const FunnelQuery& q) {
  if (q.by == Dimension::kNone) return;
  // The text is bound as a view: the query outlives the statement's steps.
  stmt.Bind(6, int64_t{q.groups.after ? 1 : 0})
      .Bind(7, q.groups.after ? std::string_view(*q.groups.after) : std::string_view())
      .Bind(8, static_cast<int64_t>(q.groups.limit) + 1);
}

VelocityCount ReadVelocityCount(const Statement& s) {
  return VelocityCount{s.Text(0), static_cast<int>(s.Int(1)), s.Int(2), s.Int(3)};
}

// The kept counts (schema 0018_funnel_counts.sql, 0020_speed_days.sql,
// 0021_outcome_days.sql) answer a report as things stand now, over every lead, grouped by
// any dimension they keep: the days wholly inside its range from funnel_days,
// velocity_days, speed_days or outcome_days, the rest of the range from lead_funnel `f`
// (and mql_responses or lead_outcomes). Whether they can answer.
bool KeptDaysAnswer(const FunnelQuery& q) {
  return !q.as_of && !q.owner_id && KeptDimension(q.by) != nullptr;
}

// The kept rows of the days wholly inside the range: dimension ?3, days ?4 to ?5.
constexpr const char* kKeptDays =
    "dim = ?3 AND day >= CAST(?4 AS BIGINT) AND day < CAST(?5 AS BIGINT) AND n <> 0";
// The rows of the range (?1 from, ?2 to) whose moment `column` falls outside those days:
// two ranges of an index on it, not a scan of the whole range (a row in both, when the
// range spans no whole day, is one row).
std::string KeptDayEnds(const Db& db, std::string_view column) {
  const bool pg = db.dialect() == Dialect::kPostgres;
  return fmt::format(
      "(({0} >= ?1 AND {0} < {1}(?2, CAST(?4 AS BIGINT) * 86400000)) OR ({0} >= {2}(?1, CAST(?5 "
      "AS BIGINT) * 86400000) AND {0} < ?2))",
      column, pg ? "LEAST" : "MIN", pg ? "GREATEST" : "MAX");
}
constexpr const char* kSumOfN = "CAST(SUM(n) AS BIGINT)";

// Binds kKeptDays and KeptDayEnds: the first and the end of the whole days in the range
// (the first not before it; none when it spans no whole day).
void BindKept(Statement& stmt, const FunnelQuery& q) {
  const int64_t from = ToUnixMillis(q.from), to = ToUnixMillis(q.to);
  const auto [first, end] = WholeDaysOf(from, to);
  stmt.Bind(1, from).Bind(2, to).Bind(3, KeptDimension(q.by)).Bind(4, first).Bind(5, end);
}

// speed_to_lead.h SpeedBucketOf in SQL, over minutes `m`.
constexpr const char* kBucketOf =
    "CASE WHEN m IS NULL THEN 4 WHEN m < 5 THEN 0 WHEN m < 60 THEN 1 WHEN m < 1440 THEN 2 "
    "ELSE 3 END";

// Binds an optional text filter "(? = 0 OR column = ?)" at `index`; the next index.
int BindOptional(Statement& stmt, int index, const std::optional<std::string>& value) {
  // The text is bound as a view: `value` outlives the statement's steps.
  stmt.Bind(index, int64_t{value ? 1 : 0})
      .Bind(index + 1, value ? std::string_view(*value) : std::string_view());
  return index + 2;
}

// The deals `where` selects (with the placeholders `bind` binds), each with its
// touchpoints at or before it, oldest deal first; `by` a lead dimension gives the
// lead's group.
Status StreamDeals(Db& db, const FunnelQuery& scope, const std::string& where,
                   const std::function<void(Statement&)>& bind,
                   const std::function<Status(Deal)>& sink) {
  TANDEM_RETURN_IF_ERROR(ReportsKept(db));
  // A lead dimension is today's (as lead_funnel `f` keeps it), also as of a moment.
  const std::string group = IsLeadDimension(scope.by) ? KeptGroupOf(db, scope) : std::string("''");
  const std::string sql = fmt::format(
      "SELECT s.id, s.lead_id, s.to_stage, s.at, COALESCE(s.amount_cents, 0), f.created_at, "
      "COALESCE((SELECT MAX(o.at) FROM {0} WHERE o.lead_id = s.lead_id AND "
      "o.to_stage = 'opportunity' AND o.at <= s.at), s.at), {1}, t.person_id, t.event_id, t.at, "
      "t.type, t.source, t.medium, t.campaign, t.term, t.content, t.referrer_domain, "
      "t.landing_page, t.form, t.content_item FROM stage_transitions s JOIN lead_funnel f ON "
      "f.lead_id = s.lead_id LEFT JOIN touchpoints t ON t.person_id = s.lead_id AND t.at <= s.at "
      "WHERE s.to_stage IN ('opportunity', 'customer') AND {2} ORDER BY s.at, s.id, t.at, "
      "t.event_id",
      TransitionsOfLead(db.dialect(), "o"), group, where);
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt, db.Prepare(sql));
  bind(*stmt);
  std::optional<Deal> deal;
  auto fail = [&](Status status) {
    stmt->Reset();
    return status;
  };
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return fail(row.status());
    const int64_t id = *row ? stmt->Int(0) : 0;
    if (deal && (!*row || deal->transition_id != id)) {
      if (Status st = sink(std::move(*deal)); !st.ok()) return fail(st);
      deal.reset();
    }
    if (!*row) return OkStatus();
    if (!deal) {
      auto stage = ParseStage(stmt->TextView(2));
      if (!stage)
        return fail(Internal(fmt::format("stage transition {} names an unknown stage", id)));
      deal = Deal{.lead_id = stmt->Int(1),
                  .transition_id = id,
                  .stage = *stage,
                  .at = FromUnixMillis(stmt->Int(3)),
                  // Amounts are kept from 0 to 10^12 (leads/lifecycle.h); a row outside
                  // that cannot overflow the sums.
                  .amount_cents = std::clamp<int64_t>(stmt->Int(4), 0, 100'000'000'000'000),
                  .lead_created_at = FromUnixMillis(stmt->Int(5)),
                  .opportunity_at = FromUnixMillis(stmt->Int(6)),
                  .lead_group = stmt->Text(7)};
    }
    if (!stmt->IsNull(9)) deal->touches.push_back(ReadTouchpointAt(*stmt, 8));
  }
}

}  // namespace

Status ReportsKept(const Db& db) {
  if (db.keeps_reports()) return OkStatus();
  return Conflict("reports_not_kept",
                  "this store was opened without keeping what the reports count");
}

StatusOr<std::vector<FunnelCount>> CountFunnel(Db& db, const FunnelQuery& q) {
  TANDEM_RETURN_IF_ERROR(ReportsKept(db));
  Statement* stmt = nullptr;
  if (KeptDaysAnswer(q)) {
    const std::string rows = fmt::format(
        "SELECT g, cur, hist, n FROM funnel_days WHERE {0} UNION ALL SELECT {1} AS g, cur, hist, "
        "1 AS n FROM lead_funnel f WHERE {2}",
        kKeptDays, KeptGroupOf(db, q), KeptDayEnds(db, "created_at"));
    TANDEM_ASSIGN_OR_RETURN(stmt, db.Prepare(PagedCount(db, q, rows, "g, cur, hist", kSumOfN)));
    BindKept(*stmt, q);
  } else {
    TANDEM_ASSIGN_OR_RETURN(stmt, db.Prepare(PagedCount(db, q, FunnelRows(db, q), "g, cur, hist")));
    BindScope(*stmt, q);
  }
  BindPage(*stmt, q);
  return Collect<FunnelCount>(stmt, [](const Statement& s) {
    return FunnelCount{s.Text(0), static_cast<int>(s.Int(1)), static_cast<int>(s.Int(2)), s.Int(3)};
  });
}

// The kept rows of `stmt` (g first, then what `key_of` packs into one number that sorts
// as the report's keys do, and the count n in column `n`), counted here rather than by
// SQL and handed to `emit(group, key, n)` by group and key. The day tables' rows come in
// day order, with about as many distinct keys as leads or MQLs when the keys hold hours
// or minutes, so on SQLite a GROUP BY would sort each into a temporary tree; this sorts
// each group's once and keeps the page's groups only — the first groups.limit + 1 after
// the cursor, as PagedCount's — so a dimension with a million values is read through,
// not held. (PostgreSQL sends a statement's whole result at once, so there the database
// groups and pages: PagedCount.)
template <typename KeyOf, typename Emit>
Status CountPageInMemory(Statement* stmt, const FunnelQuery& q, int n, KeyOf key_of, Emit emit) {
  using Rows = std::vector<std::pair<int64_t, int64_t>>;  // (key, count)
  std::map<std::string, Rows, std::less<>> groups;
  const bool paged = q.by != Dimension::kNone;
  const size_t most = q.groups.limit + 1;
  Rows* last = nullptr;  // the group of the row before: rows of a day come by group
  std::string_view last_name;
  for (;;) {
    StatusOr<bool> row = stmt->Step();
    if (!row.ok()) {
      stmt->Reset();
      return row.status();
    }
    if (!*row) break;
    const std::string_view g = stmt->TextView(0);
    if (last == nullptr || g != last_name) {
      auto group = groups.find(g);
      if (group == groups.end()) {
        if (paged && q.groups.after && g <= *q.groups.after) continue;
        if (paged && groups.size() >= most) {
          if (g > std::prev(groups.end())->first) continue;
          groups.erase(std::prev(groups.end()));
        }
        group = groups.emplace(std::string(g), Rows()).first;
      }
      last = &group->second;
      last_name = group->first;
    }
    last->emplace_back(key_of(*stmt), stmt->Int(n));
  }
  stmt->Reset();
  for (auto& [g, rows] : groups) {
    std::sort(rows.begin(), rows.end());
    for (size_t i = 0; i < rows.size();) {
      const int64_t key = rows[i].first;
      int64_t count = 0;
      for (; i < rows.size() && rows[i].first == key; ++i) count += rows[i].second;
      if (count != 0) emit(g, key, count);
    }
  }
  return OkStatus();
}

StatusOr<std::vector<VelocityCount>> CountVelocity(Db& db, const FunnelQuery& q) {
  TANDEM_RETURN_IF_ERROR(ReportsKept(db));
  if (KeptDaysAnswer(q)) {
    std::string rows = fmt::format("SELECT g, k, h, n FROM velocity_days WHERE {}", kKeptDays);
    for (int step = 1; step <= 5; ++step) {
      const std::string from = step == 1 ? "created_at" : fmt::format("t{}", step);
      rows += fmt::format(
          " UNION ALL SELECT {0} AS g, {1} AS k, CASE WHEN t{2} < {3} THEN 0 ELSE (t{2} - {3}) / "
          "3600000 END AS h, 1 AS n FROM lead_funnel f WHERE t{2} IS NOT NULL AND {4}",
          KeptGroupOf(db, q), step, step + 1, from, KeptDayEnds(db, "created_at"));
    }
    if (db.dialect() == Dialect::kSqlite) {
      TANDEM_ASSIGN_OR_RETURN(Statement * stmt, db.Prepare(rows));
      BindKept(*stmt, q);
      std::vector<VelocityCount> out;
      // The step and its hours (never below zero) in one number: k << 32 | h.
      TANDEM_RETURN_IF_ERROR(CountPageInMemory(
          stmt, q, 3,
          [](const Statement& row) {
            return row.Int(1) << 32 | std::clamp<int64_t>(row.Int(2), 0, 0xffffffff);
          },
          [&out](const std::string& g, int64_t key, int64_t n) {
            out.push_back(VelocityCount{g, static_cast<int>(key >> 32), key & 0xffffffff, n});
          }));
      return out;
    }
    TANDEM_ASSIGN_OR_RETURN(Statement * stmt,
                            db.Prepare(PagedCount(db, q, rows, "g, k, h", kSumOfN)));
    BindKept(*stmt, q);
    BindPage(*stmt, q);
    return Collect<VelocityCount>(stmt, ReadVelocityCount);
  }
  // When each lead of the scope first reached each rank (created: rank 1), before the
  // as-of moment; then each step's whole hours (never below zero).
  std::string reached;
  if (!q.as_of) {
    reached = "SELECT " + KeptGroupOf(db, q) +
              " AS g, f.created_at AS t1, f.t2 AS t2, f.t3 AS t3, f.t4 AS t4, f.t5 AS t5, f.t6 AS "
              "t6 " +
              kKeptLeadsInScope;
  } else {
    reached = "SELECT " + GroupOf(db, q) + " AS g, l.created_at AS t1";
  }
  for (int rank = 2; rank <= 6 && q.as_of; ++rank) {
    reached += fmt::format(
        ", (SELECT MIN(s.at) FROM stage_transitions s WHERE s.lead_id = l.id AND s.at < ?5 AND "
        "{} >= {}) AS t{}",
        StageRankSql("s.to_stage"), rank, rank);
  }
  if (q.as_of) reached += std::string(" ") + kLeadsInScope;
  std::string steps;
  for (int step = 1; step <= 5; ++step) {
    steps += fmt::format(
        "{}SELECT g, {} AS k, CASE WHEN t{} < t{} THEN 0 ELSE (t{} - t{}) / 3600000 END AS h FROM "
        "r WHERE t{} IS NOT NULL",
        step > 1 ? " UNION ALL " : "", step, step + 1, step, step + 1, step, step + 1);
  }
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt, db.Prepare("WITH r AS (" + reached + ") " +
                                                       PagedCount(db, q, steps, "g, k, h")));
  BindScope(*stmt, q);
  BindPage(*stmt, q);
  return Collect<VelocityCount>(stmt, ReadVelocityCount);
}

StatusOr<std::vector<OutcomeCount>> CountOutcomes(Db& db, const OutcomeQuery& q) {
  TANDEM_RETURN_IF_ERROR(ReportsKept(db));
  Statement* stmt = nullptr;
  if (KeptDaysAnswer(q.scope)) {
    // By rep, the user who recorded the outcome.
    const std::string group = q.scope.by == Dimension::kRep
                                  ? "COALESCE('usr_' || CAST(p.by_user_id AS TEXT), '')"
                                  : KeptGroupOf(db, q.scope);
    const std::string rows = fmt::format(
        "SELECT g, o, r, n FROM outcome_days WHERE {0} UNION ALL SELECT {1} AS g, p.outcome AS o, "
        "p.reason AS r, 1 AS n FROM lead_outcomes p JOIN lead_funnel f ON f.lead_id = p.lead_id "
        "WHERE {2}",
        kKeptDays, group, KeptDayEnds(db, "p.at"));
    TANDEM_ASSIGN_OR_RETURN(stmt, db.Prepare(PagedCount(db, q.scope, rows, "g, o, r", kSumOfN)));
    BindKept(*stmt, q.scope);
  } else {
    TANDEM_ASSIGN_OR_RETURN(
        stmt, db.Prepare(PagedCount(db, q.scope, OutcomeRows(db, q.scope), "g, o, r")));
    BindScope(*stmt, q.scope);
  }
  BindPage(*stmt, q.scope);
  return Collect<OutcomeCount>(stmt, [](const Statement& s) {
    return OutcomeCount{s.Text(0), s.Text(1), s.Text(2), s.Int(3)};
  });
}

StatusOr<std::vector<SpeedCount>> CountSpeedToLead(Db& db, const FunnelQuery& q) {
  TANDEM_RETURN_IF_ERROR(ReportsKept(db));
  auto read = [](const Statement& s) {
    const std::optional<int64_t> m = s.NullableInt(1);
    return SpeedCount{s.Text(0),     m && *m >= 0 ? m : std::nullopt,
                      s.Int(2) != 0, s.Int(3) != 0,
                      s.Int(4) != 0, s.Int(5)};
  };
  Statement* stmt = nullptr;
  if (KeptDaysAnswer(q)) {
    const std::string rows = fmt::format(
        "SELECT g, m, a, q, w, n FROM speed_days WHERE {0} UNION ALL SELECT {1} AS g, "
        "COALESCE(p.minutes, -1) AS m, p.reached_sal AS a, p.reached_sql AS q, p.won AS w, 1 AS n "
        "FROM mql_responses p JOIN lead_funnel f ON f.lead_id = p.lead_id WHERE {2}",
        kKeptDays, KeptGroupOf(db, q), KeptDayEnds(db, "p.at"));
    if (db.dialect() == Dialect::kSqlite) {
      TANDEM_ASSIGN_OR_RETURN(stmt, db.Prepare(rows));
      BindKept(*stmt, q);
      std::vector<SpeedCount> out;
      // The minutes and the fate in one number: (m + 1) << 3 | accepted qualified won.
      TANDEM_RETURN_IF_ERROR(CountPageInMemory(
          stmt, q, 5,
          [](const Statement& row) {
            return (std::max<int64_t>(row.Int(1), -1) + 1) << 3 | (row.Int(2) != 0 ? 4 : 0) |
                   (row.Int(3) != 0 ? 2 : 0) | (row.Int(4) != 0 ? 1 : 0);
          },
          [&out](const std::string& g, int64_t key, int64_t n) {
            const int64_t m = (key >> 3) - 1;
            out.push_back(SpeedCount{g, m < 0 ? std::nullopt : std::optional<int64_t>(m),
                                     (key & 4) != 0, (key & 2) != 0, (key & 1) != 0, n});
          }));
      return out;
    }
    TANDEM_ASSIGN_OR_RETURN(stmt, db.Prepare(PagedCount(db, q, rows, "g, m, a, q, w", kSumOfN)));
    BindKept(*stmt, q);
  } else {
    TANDEM_ASSIGN_OR_RETURN(stmt, db.Prepare(PagedCount(db, q, SpeedRows(db, q), "g, m, a, q, w")));
    BindScope(*stmt, q);
  }
  BindPage(*stmt, q);
  return Collect<SpeedCount>(stmt, read);
}

StatusOr<std::vector<int64_t>> DrillDownLeads(Db& db, const DrillDown& drill) {
  TANDEM_RETURN_IF_ERROR(ReportsKept(db));
  std::string rows, where;
  switch (drill.report) {
    case ReportKind::kFunnel:
      // The deepest of (1, cur, hist): every lead counts as a lead.
      rows = FunnelRows(db, drill.scope);
      where =
          "(CASE WHEN cur >= hist AND cur >= 1 THEN cur WHEN hist >= 1 THEN hist ELSE 1 END) >= ?";
      break;
    case ReportKind::kOutcomes:
      rows = OutcomeRows(db, drill.scope);
      where = "(? = 0 OR o = ?) AND (? = 0 OR r = ?)";
      break;
    case ReportKind::kSpeedToLead:
      rows = SpeedRows(db, drill.scope);
      where = std::string("(? = 0 OR ") + kBucketOf + " = ?)";
      break;
    case ReportKind::kAttribution:
      return InvalidArgument("invalid_parameter", "attribution is drilled from its deals");
  }
  // The rows bind ?1 to ?5 (BindScope); the bare places after them number on from 6.
  const std::string sql = "SELECT DISTINCT id FROM (" + rows +
                          ") AS f WHERE (? = 0 OR g = ?) AND " + where +
                          " AND id > ? ORDER BY id LIMIT ?";
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt, db.Prepare(sql));
  int next = BindScope(*stmt, drill.scope);
  next = BindOptional(*stmt, next, drill.group);
  switch (drill.report) {
    case ReportKind::kFunnel:
      stmt->Bind(next++, int64_t{drill.stage ? FunnelRank(*drill.stage) : 1});
      break;
    case ReportKind::kOutcomes:
      next = BindOptional(*stmt, next, drill.outcome);
      next = BindOptional(*stmt, next, drill.reason);
      break;
    default:
      stmt->Bind(next, int64_t{drill.bucket ? 1 : 0})
          .Bind(next + 1, static_cast<int64_t>(drill.bucket.value_or(0)));
      next += 2;
      break;
  }
  stmt->Bind(next, drill.after).Bind(next + 1, static_cast<int64_t>(drill.limit) + 1);
  return Collect<int64_t>(stmt, [](const Statement& s) { return s.Int(0); });
}

Status ForEachDeal(Db& db, const AttributionQuery& q, const std::function<Status(Deal)>& sink) {
  const FunnelQuery& scope = q.scope;
  return StreamDeals(
      db, scope, "s.at >= ?1 AND s.at < ?2 AND (?3 = 0 OR f.owner_id = ?4) AND s.at < ?5",
      [&](Statement& stmt) { BindScope(stmt, scope); }, sink);
}

StatusOr<std::vector<Deal>> DealsOf(Db& db, int64_t lead_id) {
  std::vector<Deal> deals;
  TANDEM_RETURN_IF_ERROR(StreamDeals(
      db, FunnelQuery{}, "s.lead_id = ?", [&](Statement& stmt) { stmt.Bind(1, lead_id); },
      [&](Deal deal) {
        deals.push_back(std::move(deal));
        return OkStatus();
      }));
  return deals;
}

}  // namespace tandem::sql
