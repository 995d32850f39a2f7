#include "store/sql/sql_analytics.h"

#include <fmt/format.h>

#include <cstdint>
#include <string>

namespace tandem::sql {
namespace {

constexpr const char* kSelectTransition =
    "SELECT id, lead_id, from_stage, to_stage, at, by_user_id, cause, reason, amount_cents "
    "FROM stage_transitions ";
constexpr const char* kSelectTouchpoint =
    "SELECT person_id, event_id, at, type, source, medium, campaign, term, content, "
    "referrer_domain, landing_page, form, content_item FROM touchpoints ";

StatusOr<StageTransition> ReadTransition(const Statement& s) {
  StageTransition t;
  t.id = s.Int(0);
  t.lead_id = s.Int(1);
  auto from = ParseStage(s.TextView(2));
  auto to = ParseStage(s.TextView(3));
  if (!from || !to) {
    return Internal("stage transition " + std::to_string(t.id) + " names an unknown stage");
  }
  t.from = *from;
  t.to = *to;
  t.at = FromUnixMillis(s.Int(4));
  t.by_user_id = s.NullableInt(5);
  t.cause = s.Text(6);
  t.reason = s.Text(7);
  t.amount_cents = s.NullableInt(8);
  return t;
}

// The touchpoint in the 13 columns from `first` on, in kSelectTouchpoint's order.
Touchpoint ReadTouchpointAt(const Statement& s, int first) {
  Touchpoint t;
  t.person_id = s.Int(first);
  t.event_id = s.Int(first + 1);
  t.at = FromUnixMillis(s.Int(first + 2));
  std::string* texts[] = {&t.type, &t.source,      &t.medium,          &t.campaign,
                          &t.term, &t.content,     &t.referrer_domain, &t.landing_page,
                          &t.form, &t.content_item};
  for (int i = 0; i < 10; ++i) *texts[i] = s.Text(first + 3 + i);
  return t;
}

Touchpoint ReadTouchpoint(const Statement& s) { return ReadTouchpointAt(s, 0); }

// Binds a FactRange's bounds and keyset from index 1 on: from, to, after-at twice,
// after-id, limit. Without `after` the keyset starts before every fact.
void BindRange(Statement& stmt, const FactRange& range) {
  const int64_t after_at = range.after ? ToUnixMillis(range.after->at) : INT64_MIN;
  const int64_t after_id = range.after ? range.after->id : INT64_MIN;
  stmt.Bind(1, ToUnixMillis(range.from))
      .Bind(2, ToUnixMillis(range.to))
      .Bind(3, after_at)
      .Bind(4, after_at)
      .Bind(5, after_id)
      .Bind(6, static_cast<int64_t>(range.limit));
}

// A lead's funnel rank (leads/lifecycle.h FunnelRank) from a stage column.
std::string RankOf(std::string_view column) {
  return "CASE " + std::string(column) +
         " WHEN 'lead' THEN 1 WHEN 'mql' THEN 2 WHEN 'sal' THEN 3 WHEN 'sql' THEN 4 WHEN "
         "'opportunity' THEN 5 WHEN 'customer' THEN 6 ELSE 0 END";
}

// The SQL giving lead `l`'s group: a field of its first touchpoint, or its owner.
std::string GroupOf(Dimension by) {
  const char* column = "";
  switch (by) {
    case Dimension::kNone:
      return "''";
    case Dimension::kTeam:
      return "COALESCE(l.team, '')";
    case Dimension::kRep:
      return "COALESCE('usr_' || CAST(l.owner_id AS TEXT), '')";
    case Dimension::kSource:
      column = "source";
      break;
    case Dimension::kMedium:
      column = "medium";
      break;
    case Dimension::kCampaign:
      column = "campaign";
      break;
    case Dimension::kKeyword:
      column = "term";
      break;
    case Dimension::kReferrerDomain:
      column = "referrer_domain";
      break;
    case Dimension::kLandingPage:
      column = "landing_page";
      break;
    case Dimension::kForm:
      column = "form";
      break;
    case Dimension::kContentItem:
      column = "content_item";
      break;
  }
  return "COALESCE((SELECT t." + std::string(column) +
         " FROM touchpoints t WHERE t.person_id = l.id ORDER BY t.at, t.event_id LIMIT 1), '')";
}

}  // namespace

StatusOr<std::vector<FunnelCount>> CountFunnel(Db& db, const FunnelQuery& q) {
  const std::string sql =
      "SELECT g, cur, hist, COUNT(*) FROM (SELECT " + GroupOf(q.by) + " AS g, " +
      RankOf("l.stage") + " AS cur, COALESCE((SELECT MAX(" + RankOf("s.to_stage") +
      ") FROM stage_transitions s WHERE s.lead_id = l.id), 0) AS hist FROM leads l WHERE "
      "l.created_at >= ? AND l.created_at < ? AND (? = 0 OR l.owner_id = ?)) AS f "
      "GROUP BY g, cur, hist ORDER BY g, cur, hist";
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt, db.Prepare(sql));
  stmt->Bind(1, ToUnixMillis(q.from))
      .Bind(2, ToUnixMillis(q.to))
      .Bind(3, int64_t{q.owner_id ? 1 : 0})
      .Bind(4, q.owner_id.value_or(0));
  return Collect<FunnelCount>(stmt, [](const Statement& s) {
    return FunnelCount{s.Text(0), static_cast<int>(s.Int(1)), static_cast<int>(s.Int(2)), s.Int(3)};
  });
}

StatusOr<std::vector<OutcomeCount>> CountOutcomes(Db& db, const OutcomeQuery& q) {
  // An outcome is what an owner recorded (the disposition, from the transition's cause)
  // or a move to disqualified; grouped by rep, it is the user who recorded it.
  const std::string group = q.scope.by == Dimension::kRep
                                ? "COALESCE('usr_' || CAST(s.by_user_id AS TEXT), '')"
                                : GroupOf(q.scope.by);
  const std::string sql =
      "SELECT g, o, r, COUNT(*) FROM (SELECT " + group +
      " AS g, CASE WHEN s.cause LIKE 'outcome: %' THEN SUBSTR(s.cause, 10) ELSE s.to_stage "
      "END AS o, s.reason AS r FROM stage_transitions s JOIN leads l ON l.id = s.lead_id "
      "WHERE s.at >= ? AND s.at < ? AND (s.cause IN ('outcome: rejected', 'outcome: lost', "
      "'outcome: recycled') OR s.to_stage = 'disqualified') AND (? = 0 OR l.owner_id = ? OR "
      "s.by_user_id = ?)) AS f GROUP BY g, o, r ORDER BY g, o, r";
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt, db.Prepare(sql));
  const int64_t owner = q.scope.owner_id.value_or(0);
  stmt->Bind(1, ToUnixMillis(q.scope.from))
      .Bind(2, ToUnixMillis(q.scope.to))
      .Bind(3, int64_t{q.scope.owner_id ? 1 : 0})
      .Bind(4, owner)
      .Bind(5, owner);
  return Collect<OutcomeCount>(stmt, [](const Statement& s) {
    return OutcomeCount{s.Text(0), s.Text(1), s.Text(2), s.Int(3)};
  });
}

StatusOr<std::vector<SpeedCount>> CountSpeedToLead(Db& db, const FunnelQuery& q) {
  // After each move to MQL: the first outbound touch a user made (the gate recorded only
  // what it let through; email marketing is not a response), and whether the lead went
  // on to SAL, SQL or customer afterwards.
  auto reached = [](const char* stages) {
    return fmt::format(
        "CASE WHEN EXISTS (SELECT 1 FROM stage_transitions x WHERE x.lead_id = s.lead_id AND "
        "x.at >= s.at AND x.to_stage IN ({})) THEN 1 ELSE 0 END",
        stages);
  };
  const std::string sql =
      "SELECT g, m, a, q, w, COUNT(*) FROM (SELECT " + GroupOf(q.by) +
      " AS g, (SELECT (MIN(t.at) - s.at) / 60000 FROM touches t WHERE t.lead_id = s.lead_id "
      "AND t.at >= s.at AND t.direction = 'outbound' AND t.user_id IS NOT NULL AND t.purpose "
      "<> 'email_marketing') AS m, " +
      reached("'sal', 'sql', 'opportunity', 'customer'") + " AS a, " +
      reached("'sql', 'opportunity', 'customer'") + " AS q, " + reached("'customer'") +
      " AS w FROM stage_transitions s JOIN leads l ON l.id = s.lead_id WHERE s.to_stage = "
      "'mql' AND s.at >= ? AND s.at < ? AND (? = 0 OR l.owner_id = ?)) AS f GROUP BY g, m, a, "
      "q, w ORDER BY g, m";
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt, db.Prepare(sql));
  stmt->Bind(1, ToUnixMillis(q.from))
      .Bind(2, ToUnixMillis(q.to))
      .Bind(3, int64_t{q.owner_id ? 1 : 0})
      .Bind(4, q.owner_id.value_or(0));
  return Collect<SpeedCount>(stmt, [](const Statement& s) {
    return SpeedCount{s.Text(0),     s.NullableInt(1), s.Int(2) != 0,
                      s.Int(3) != 0, s.Int(4) != 0,    s.Int(5)};
  });
}

Status AddStageTransition(Db& db, const StageTransition& t) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("INSERT INTO stage_transitions (lead_id, from_stage, to_stage, at, by_user_id, "
                 "cause, reason, amount_cents) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  stmt->Bind(1, t.lead_id)
      .Bind(2, StageName(t.from))
      .Bind(3, StageName(t.to))
      .Bind(4, ToUnixMillis(t.at))
      .BindNullable(5, t.by_user_id)
      .Bind(6, t.cause)
      .Bind(7, t.reason)
      .BindNullable(8, t.amount_cents);
  return stmt->Run();
}

Status AddTouchpoint(Db& db, const Touchpoint& t) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("INSERT INTO touchpoints (person_id, at, event_id, type, source, medium, "
                 "campaign, term, content, referrer_domain, landing_page, form, content_item) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"));
  stmt->Bind(1, t.person_id)
      .Bind(2, ToUnixMillis(t.at))
      .Bind(3, t.event_id)
      .Bind(4, t.type)
      .Bind(5, t.source)
      .Bind(6, t.medium)
      .Bind(7, t.campaign)
      .Bind(8, t.term)
      .Bind(9, t.content)
      .Bind(10, t.referrer_domain)
      .Bind(11, t.landing_page)
      .Bind(12, t.form)
      .Bind(13, t.content_item);
  return stmt->Run();
}

StatusOr<std::vector<StageTransition>> StageTransitionsOf(Db& db, int64_t lead_id) {
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt, db.Prepare(std::string(kSelectTransition) +
                                                       "WHERE lead_id = ? ORDER BY at, id"));
  stmt->Bind(1, lead_id);
  return Collect<StageTransition>(stmt, ReadTransition);
}

StatusOr<std::vector<Touchpoint>> TouchpointsOf(Db& db, int64_t person_id) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare(std::string(kSelectTouchpoint) + "WHERE person_id = ? ORDER BY at, event_id"));
  stmt->Bind(1, person_id);
  return Collect<Touchpoint>(stmt, ReadTouchpoint);
}

StatusOr<std::vector<StageTransition>> ListStageTransitions(Db& db, const FactRange& range) {
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt,
                          db.Prepare(std::string(kSelectTransition) +
                                     "WHERE at >= ? AND at < ? AND (at > ? OR (at = ? AND id > ?)) "
                                     "ORDER BY at, id LIMIT ?"));
  BindRange(*stmt, range);
  return Collect<StageTransition>(stmt, ReadTransition);
}

StatusOr<std::vector<Touchpoint>> ListTouchpoints(Db& db, const FactRange& range) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare(std::string(kSelectTouchpoint) +
                 "WHERE at >= ? AND at < ? AND (at > ? OR (at = ? AND event_id > ?)) "
                 "ORDER BY at, event_id LIMIT ?"));
  BindRange(*stmt, range);
  return Collect<Touchpoint>(stmt, ReadTouchpoint);
}

namespace {

// The deals `where` selects (binding from index 3 on), each with its touchpoints at or
// before it, oldest deal first; `by` a lead-level dimension gives the lead's group.
Status StreamDeals(Db& db, Dimension by, const std::string& where,
                   const std::function<void(Statement&)>& bind,
                   const std::function<Status(Deal)>& sink) {
  const std::string group =
      by == Dimension::kTeam || by == Dimension::kRep ? GroupOf(by) : std::string("''");
  const std::string sql =
      "SELECT s.id, s.lead_id, s.to_stage, s.at, COALESCE(s.amount_cents, 0), l.created_at, "
      "COALESCE((SELECT MAX(o.at) FROM stage_transitions o WHERE o.lead_id = s.lead_id AND "
      "o.to_stage = 'opportunity' AND o.at <= s.at), s.at), " +
      group +
      ", t.person_id, t.event_id, t.at, t.type, t.source, t.medium, t.campaign, t.term, "
      "t.content, t.referrer_domain, t.landing_page, t.form, t.content_item FROM "
      "stage_transitions s JOIN leads l ON l.id = s.lead_id LEFT JOIN touchpoints t ON "
      "t.person_id = s.lead_id AND t.at <= s.at WHERE s.to_stage IN ('opportunity', "
      "'customer') AND " +
      where + " ORDER BY s.at, s.id, t.at, t.event_id";
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
                  .amount_cents = stmt->Int(4),
                  .lead_created_at = FromUnixMillis(stmt->Int(5)),
                  .opportunity_at = FromUnixMillis(stmt->Int(6)),
                  .lead_group = stmt->Text(7)};
    }
    if (!stmt->IsNull(9)) deal->touches.push_back(ReadTouchpointAt(*stmt, 8));
  }
}

}  // namespace

Status ForEachDeal(Db& db, const AttributionQuery& q, const std::function<Status(Deal)>& sink) {
  const FunnelQuery& scope = q.scope;
  return StreamDeals(
      db, scope.by, "s.at >= ? AND s.at < ? AND (? = 0 OR l.owner_id = ?)",
      [&](Statement& stmt) {
        stmt.Bind(1, ToUnixMillis(scope.from))
            .Bind(2, ToUnixMillis(scope.to))
            .Bind(3, int64_t{scope.owner_id ? 1 : 0})
            .Bind(4, scope.owner_id.value_or(0));
      },
      sink);
}

StatusOr<std::vector<Deal>> DealsOf(Db& db, int64_t lead_id) {
  std::vector<Deal> deals;
  TANDEM_RETURN_IF_ERROR(StreamDeals(
      db, Dimension::kNone, "s.lead_id = ?", [&](Statement& stmt) { stmt.Bind(1, lead_id); },
      [&](Deal deal) {
        deals.push_back(std::move(deal));
        return OkStatus();
      }));
  return deals;
}

}  // namespace tandem::sql
