#include "testing/raw_reports.h"

#include <fmt/format.h>

#include <algorithm>

namespace tandem::testing {
namespace {

bool Postgres(const sql::Db& db) { return db.dialect() == sql::Dialect::kPostgres; }

// The text at the dotted `path` of the JSON in `column`, "" when there is none.
std::string Json(const sql::Db& db, std::string_view column, std::string_view path) {
  if (Postgres(db)) {
    std::string keys(path);
    std::replace(keys.begin(), keys.end(), '.', ',');
    return fmt::format("COALESCE({}::jsonb #>> '{{{}}}', '')", column, keys);
  }
  return fmt::format("COALESCE(json_extract({}, '$.{}'), '')", column, path);
}

// The first of two texts that is not empty.
std::string Either(const sql::Db& db, std::string_view column, std::string_view first,
                   std::string_view second) {
  const std::string a = Json(db, column, first);
  return fmt::format("CASE WHEN {0} <> '' THEN {0} ELSE {1} END", a, Json(db, column, second));
}

// Where `needle` starts in `text`, from 1; 0 when it does not occur.
std::string Find(const sql::Db& db, std::string_view text, std::string_view needle) {
  return fmt::format("{}({}, {})", Postgres(db) ? "strpos" : "instr", text, needle);
}

// A stage's place in the funnel: lead 1 … customer 6; 0 off the funnel.
std::string Rank(std::string_view stage) {
  return fmt::format(
      "CASE {} WHEN 'lead' THEN 1 WHEN 'mql' THEN 2 WHEN 'sal' THEN 3 WHEN 'sql' THEN 4 "
      "WHEN 'opportunity' THEN 5 WHEN 'customer' THEN 6 ELSE 0 END",
      stage);
}

// The column of raw_touchpoints a dimension of the first touchpoint reads; "" for none.
std::string_view TouchColumn(std::string_view by) {
  if (by == "source" || by == "medium" || by == "campaign" || by == "form" ||
      by == "referrer_domain") {
    return by;
  }
  if (by == "keyword") return "term";
  if (by == "content_item") return "asset";
  return "";
}

int64_t Millis(const std::optional<TimePoint>& t) { return t ? ToUnixMillis(*t) : INT64_MAX; }

}  // namespace

Status RawReports::Load() {
  const sql::Db& db = db_;
  // The stage log: one row per stage_changed entry, with the user who made it.
  const std::string moves = fmt::format(
      "CREATE TEMP TABLE raw_moves AS SELECT m.*, {} AS to_rank, {} AS from_rank FROM (SELECT "
      "id, lead_id, at, {} AS to_stage, {} AS from_stage, {} AS cause, {} AS reason, CASE WHEN "
      "actor LIKE 'user:usr_%' THEN substr(actor, 6) ELSE '' END AS by_user FROM lead_log WHERE "
      "kind = 'stage_changed') m",
      Rank("m.to_stage"), Rank("m.from_stage"), Json(db, "data", "to"), Json(db, "data", "from"),
      Json(db, "data", "cause"), Json(db, "data", "reason"));
  // The outcomes, with the amount they recorded in cents (half a cent up).
  const std::string cents =
      Postgres(db) ? "floor((data::jsonb ->> 'amount')::double precision * 100 + 0.5)::bigint"
                   : "CAST(json_extract(data, '$.amount') * 100 + 0.5 AS INTEGER)";
  const std::string outcomes = fmt::format(
      "CREATE TEMP TABLE raw_outcomes AS SELECT lead_id, at, {} AS disposition, {} AS cents "
      "FROM lead_log WHERE kind = 'outcome'",
      Json(db, "data", "disposition"), cents);
  // The touchpoints, from the events: each field as the message has it, the URL and
  // referrer past their scheme and cut to the host, then the rules of what counts.
  const std::string fields = fmt::format(
      "SELECT id, person_id, timestamp AS at, type, {} AS source, {} AS medium, {} AS campaign, "
      "{} AS term, {} AS content, {} AS form, {} AS asset, {} AS referrer, {} AS url FROM events "
      "WHERE person_id IS NOT NULL AND type IN ('page', 'track', 'identify')",
      Json(db, "payload", "context.campaign.source"),
      Json(db, "payload", "context.campaign.medium"),
      Either(db, "payload", "context.campaign.name", "context.campaign.campaign"),
      Json(db, "payload", "context.campaign.term"), Json(db, "payload", "context.campaign.content"),
      Either(db, "payload", "properties.form", "properties.form_id"),
      Json(db, "payload", "properties.asset_id"),
      Either(db, "payload", "context.page.referrer", "properties.referrer"),
      Either(db, "payload", "context.page.url", "properties.url"));
  auto past_scheme = [&](std::string_view column) {
    const std::string at = Find(db, column, "'://'");
    return fmt::format("CASE WHEN {0} > 0 THEN substr({1}, {0} + 3) ELSE {1} END", at, column);
  };
  auto host = [&](std::string_view column) {
    return fmt::format("lower(substr({0}, 1, {1} - 1))", column,
                       Find(db, fmt::format("{} || '/'", column), "'/'"));
  };
  auto no_www = [](std::string_view column) {
    return fmt::format("CASE WHEN {0} LIKE 'www.%' THEN substr({0}, 5) ELSE {0} END", column);
  };
  const std::string touchpoints = fmt::format(
      "CREATE TEMP TABLE raw_touchpoints AS SELECT id, person_id, at, source, medium, campaign, "
      "term, form, asset, CASE WHEN rh <> '' AND rh <> uh THEN rh ELSE '' END AS "
      "referrer_domain, type, content FROM (SELECT h.*, {} AS rh, {} AS uh FROM (SELECT s.*, {} "
      "AS rh0, {} AS uh0 FROM (SELECT f.*, {} AS rs, {} AS us FROM ({}) f) s) h) t WHERE "
      "(type IN ('page', 'track') AND (form <> '' OR asset <> '')) OR (type = 'page' AND "
      "(source <> '' OR medium <> '' OR campaign <> '' OR term <> '' OR content <> '' OR (rh <> "
      "'' AND rh <> uh))) OR (type = 'identify' AND (source <> '' OR medium <> '' OR campaign "
      "<> '' OR term <> '' OR content <> ''))",
      no_www("h.rh0"), no_www("h.uh0"), host("s.rs"), host("s.us"), past_scheme("f.referrer"),
      past_scheme("f.url"), fields);
  for (const std::string& statement :
       {std::string("DROP TABLE IF EXISTS raw_moves"),
        std::string("DROP TABLE IF EXISTS raw_outcomes"),
        std::string("DROP TABLE IF EXISTS raw_touchpoints"), moves, outcomes, touchpoints,
        std::string("CREATE INDEX raw_moves_lead ON raw_moves(lead_id, at)"),
        std::string("CREATE INDEX raw_outcomes_lead ON raw_outcomes(lead_id, at)"),
        std::string("CREATE INDEX raw_touchpoints_person ON raw_touchpoints(person_id, at, id)")}) {
    TANDEM_RETURN_IF_ERROR(db_.Exec(statement));
  }
  return OkStatus();
}

// ?1 from, ?2 to, ?3 the as-of moment (the end of time when none), ?4 whether there is
// one; a statement binds only the places it uses.
StatusOr<sql::Statement*> RawReports::Prepare(const std::string& sql, const RawScope& scope) {
  TANDEM_ASSIGN_OR_RETURN(sql::Statement * stmt, db_.Prepare(sql));
  stmt->Bind(1, ToUnixMillis(scope.from))
      .Bind(2, ToUnixMillis(scope.to))
      .Bind(3, Millis(scope.as_of));
  if (sql.find("?4") != std::string::npos) stmt->Bind(4, int64_t{scope.as_of ? 1 : 0});
  return stmt;
}

// "ft": each person's first touchpoint before the as-of moment, as (person_id, g).
std::string RawReports::FirstTouch(std::string_view by) const {
  const std::string_view column = TouchColumn(by);
  if (column.empty()) return "ft AS (SELECT 0 AS person_id, '' AS g WHERE 1 = 0)";
  return fmt::format(
      "ft AS (SELECT person_id, g FROM (SELECT person_id, {} AS g, ROW_NUMBER() OVER (PARTITION "
      "BY person_id ORDER BY at, id) AS n FROM raw_touchpoints WHERE at < ?3) x WHERE n = 1)",
      column);
}

// The group of lead `lead` (joined with ft).
StatusOr<std::string> RawReports::GroupOf(std::string_view by, std::string_view lead) const {
  if (by.empty()) return std::string("''");
  if (by == "rep") {
    return fmt::format(
        "CASE WHEN {0}.owner_id IS NULL THEN '' ELSE 'usr_' || CAST({0}.owner_id AS TEXT) END",
        lead);
  }
  if (TouchColumn(by).empty()) {
    return InvalidArgument("by", fmt::format("no raw recount by {}", by));
  }
  return std::string("COALESCE(ft.g, '')");
}

StatusOr<RawReports::FunnelCounts> RawReports::Funnel(const RawScope& scope, std::string_view by) {
  TANDEM_ASSIGN_OR_RETURN(const std::string group, GroupOf(by, "l"));
  // As of a moment a lead stands where its last move before it took it, or where its
  // first move started from, or (never moved) where it stands.
  const std::string sql = fmt::format(
      "WITH {}, deepest AS (SELECT lead_id, MAX(to_rank) AS r FROM raw_moves WHERE at < ?3 GROUP "
      "BY lead_id), latest AS (SELECT lead_id, to_rank AS r FROM (SELECT lead_id, to_rank, "
      "ROW_NUMBER() OVER (PARTITION BY lead_id ORDER BY at DESC, id DESC) AS n FROM raw_moves "
      "WHERE at < ?3) x WHERE n = 1), earliest AS (SELECT lead_id, from_rank AS r FROM (SELECT "
      "lead_id, from_rank, ROW_NUMBER() OVER (PARTITION BY lead_id ORDER BY at, id) AS n FROM "
      "raw_moves) x WHERE n = 1) SELECT {} AS g, CASE WHEN ?4 = 1 THEN COALESCE(latest.r, "
      "earliest.r, {}) ELSE {} END AS cur, COALESCE(deepest.r, 0) AS hist FROM leads l LEFT JOIN "
      "ft ON ft.person_id = l.id LEFT JOIN deepest ON deepest.lead_id = l.id LEFT JOIN latest ON "
      "latest.lead_id = l.id LEFT JOIN earliest ON earliest.lead_id = l.id WHERE l.created_at >= "
      "?1 AND l.created_at < ?2 AND l.created_at < ?3",
      FirstTouch(by), group, Rank("l.stage"), Rank("l.stage"));
  TANDEM_ASSIGN_OR_RETURN(sql::Statement * stmt, Prepare(sql, scope));
  FunnelCounts counts;
  for (;;) {
    TANDEM_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    // Every lead is a lead; it reached every stage up to the deepest it stood at.
    const int64_t deepest = std::max<int64_t>({1, stmt->Int(1), stmt->Int(2)});
    auto& reached = counts[stmt->Text(0)];
    for (int64_t rank = 1; rank <= deepest; ++rank) ++reached[rank - 1];
  }
  return counts;
}

StatusOr<RawReports::StepHours> RawReports::Velocity(const RawScope& scope, std::string_view by) {
  TANDEM_ASSIGN_OR_RETURN(const std::string group, GroupOf(by, "l"));
  std::string reached;
  for (int rank = 2; rank <= 6; ++rank) {
    reached += fmt::format(", MIN(CASE WHEN to_rank >= {0} THEN at END) AS t{0}", rank);
  }
  const std::string sql = fmt::format(
      "WITH {}, reach AS (SELECT lead_id{} FROM raw_moves WHERE at < ?3 GROUP BY lead_id) SELECT "
      "{} AS g, l.created_at, r.t2, r.t3, r.t4, r.t5, r.t6 FROM leads l LEFT JOIN ft ON "
      "ft.person_id = l.id LEFT JOIN reach r ON r.lead_id = l.id WHERE l.created_at >= ?1 AND "
      "l.created_at < ?2 AND l.created_at < ?3",
      FirstTouch(by), reached, group);
  TANDEM_ASSIGN_OR_RETURN(sql::Statement * stmt, Prepare(sql, scope));
  StepHours hours;
  for (;;) {
    TANDEM_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    auto& steps = hours[stmt->Text(0)];
    for (int step = 0; step < 5; ++step) {
      if (stmt->IsNull(step + 2)) break;
      const int64_t begun = stmt->Int(step + 1), ended = stmt->Int(step + 2);
      steps[step].push_back(ended < begun ? 0 : (ended - begun) / 3'600'000);
    }
  }
  return hours;
}

StatusOr<RawReports::OutcomeCounts> RawReports::Outcomes(const RawScope& scope,
                                                         std::string_view by) {
  // By rep, an outcome belongs to the user who recorded it.
  StatusOr<std::string> group = std::string("m.by_user");
  if (by != "rep") group = GroupOf(by, "l");
  if (!group.ok()) return group.status();
  const std::string sql = fmt::format(
      "WITH {} SELECT {}, CASE WHEN m.cause LIKE 'outcome: %' THEN substr(m.cause, 10) ELSE "
      "m.to_stage END, m.reason FROM raw_moves m JOIN leads l ON l.id = m.lead_id LEFT JOIN ft "
      "ON ft.person_id = m.lead_id WHERE m.at >= ?1 AND m.at < ?2 AND m.at < ?3 AND (m.cause IN "
      "('outcome: rejected', 'outcome: lost', 'outcome: recycled') OR m.to_stage = "
      "'disqualified')",
      FirstTouch(by), *group);
  TANDEM_ASSIGN_OR_RETURN(sql::Statement * stmt, Prepare(sql, scope));
  OutcomeCounts counts;
  for (;;) {
    TANDEM_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    ++counts[{stmt->Text(0), stmt->Text(1), stmt->Text(2)}];
  }
  return counts;
}

StatusOr<std::vector<RawMql>> RawReports::Mqls(const RawScope& scope, std::string_view by) {
  TANDEM_ASSIGN_OR_RETURN(const std::string group, GroupOf(by, "l"));
  const std::string sql = fmt::format(
      "WITH {} SELECT {}, (SELECT MIN(t.at) FROM touches t WHERE t.lead_id = m.lead_id AND t.at "
      ">= m.at AND t.at < ?3 AND t.direction = 'outbound' AND t.user_id IS NOT NULL AND "
      "t.purpose <> 'email_marketing') - m.at, COALESCE((SELECT MAX(x.to_rank) FROM raw_moves x "
      "WHERE x.lead_id = m.lead_id AND x.at >= m.at AND x.at < ?3), 0) FROM raw_moves m JOIN "
      "leads l ON l.id = m.lead_id LEFT JOIN ft ON ft.person_id = m.lead_id WHERE m.to_stage = "
      "'mql' AND m.at >= ?1 AND m.at < ?2 AND m.at < ?3",
      FirstTouch(by), group);
  TANDEM_ASSIGN_OR_RETURN(sql::Statement * stmt, Prepare(sql, scope));
  std::vector<RawMql> mqls;
  for (;;) {
    TANDEM_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    mqls.push_back({stmt->Text(0), stmt->NullableInt(1), static_cast<int>(stmt->Int(2))});
  }
  return mqls;
}

StatusOr<std::vector<RawDeal>> RawReports::Deals(const RawScope& scope, std::string_view by,
                                                 bool last_touch) {
  const std::string_view column = TouchColumn(by);
  if (column.empty()) {
    return InvalidArgument("by", fmt::format("no raw deals by {}", by));
  }
  const char* order = last_touch ? "DESC" : "";
  const std::string sql = fmt::format(
      "SELECT m.to_stage, COALESCE(o.cents, 0), COALESCE((SELECT t.{0} FROM raw_touchpoints t "
      "WHERE t.person_id = m.lead_id AND t.at <= m.at ORDER BY t.at {1}, t.id {1} LIMIT 1), '') "
      "FROM raw_moves m JOIN leads l ON l.id = m.lead_id LEFT JOIN raw_outcomes o ON o.lead_id = "
      "m.lead_id AND o.at = m.at AND o.disposition = CASE m.to_stage WHEN 'customer' THEN 'won' "
      "ELSE 'opportunity' END WHERE m.to_stage IN ('opportunity', 'customer') AND m.at >= ?1 AND "
      "m.at < ?2 AND m.at < ?3",
      column, order);
  TANDEM_ASSIGN_OR_RETURN(sql::Statement * stmt, Prepare(sql, scope));
  std::vector<RawDeal> deals;
  for (;;) {
    TANDEM_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    deals.push_back({stmt->Text(0), stmt->Int(1), stmt->Text(2)});
  }
  return deals;
}

}  // namespace tandem::testing
