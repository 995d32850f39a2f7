// The attribution report's kept sums (schema 0022_attribution_days.sql): each lead's
// deals as the sums counted them (attributed_deals, attributed_touches), and the credits
// and amounts per model, dimension, day, group and won or not (attribution_days).
// Whenever a lead's deals, their touchpoints or its groups may have changed, its deals
// are read again from the facts; when they differ from those counted, the sums move by
// the difference: the old deals credited with a minus sign, the new with a plus, by the
// models' own code (analytics/attribution.h), so the sums always equal what crediting
// the deals one by one gives.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <optional>
#include <string>
#include <tuple>

#include "leads/lifecycle.h"
#include "store/sql/sql_analytics.h"
#include "store/sql/sql_email_txn.h"
#include "store/sql/sql_store.h"

namespace tandem::sql {
namespace {

constexpr int64_t kWholeDeal = 1'000'000;  // a deal in millionths

// The models the sums keep: all but time decay, whose half-life each request sets.
constexpr std::array<AttributionModel, 5> kKeptModels = {
    AttributionModel::kFirstTouch, AttributionModel::kLastTouch, AttributionModel::kLinear,
    AttributionModel::kUShaped, AttributionModel::kWShaped};
// kKeptDimensions as the reports name them; the last four are the lead's own groups.
constexpr std::array<Dimension, kKeptDimensions.size()> kKeptDimensionOf = {
    Dimension::kSource,  Dimension::kMedium,         Dimension::kCampaign,
    Dimension::kKeyword, Dimension::kReferrerDomain, Dimension::kLandingPage,
    Dimension::kForm,    Dimension::kContentItem,    Dimension::kRep,
    Dimension::kTeam,    Dimension::kCountry,        Dimension::kCompanySize};
using LeadGroups = std::array<std::string, kKeptDimensions.size() - kTouchDimensions>;

// A lead's deals, each with its touchpoints, and its groups (none without a deal).
struct LeadDeals {
  std::vector<Deal> deals;
  LeadGroups groups;
};

bool SameDeal(const Deal& a, const Deal& b) {
  return a.lead_id == b.lead_id && a.transition_id == b.transition_id && a.stage == b.stage &&
         a.at == b.at && a.amount_cents == b.amount_cents &&
         a.lead_created_at == b.lead_created_at && a.opportunity_at == b.opportunity_at &&
         a.touches == b.touches;
}

bool SameDeals(const LeadDeals& a, const LeadDeals& b) {
  return a.groups == b.groups &&
         std::equal(a.deals.begin(), a.deals.end(), b.deals.begin(), b.deals.end(), SameDeal);
}

// The deals the sums counted for the lead.
StatusOr<LeadDeals> KeptDeals(Db& db, int64_t lead_id) {
  LeadDeals kept;
  TANDEM_ASSIGN_OR_RETURN(
      Statement * deals,
      db.Prepare("SELECT transition_id, stage, at, amount_cents, lead_created_at, opportunity_at, "
                 "rep, team, country, company_size FROM attributed_deals WHERE lead_id = ? ORDER "
                 "BY at, transition_id"));
  deals->Bind(1, lead_id);
  std::optional<Status> bad;
  auto read = [&](const Statement& s) {
    const std::optional<Stage> stage = ParseStage(s.TextView(1));
    if (!stage && !bad)
      bad = Internal(fmt::format("kept deal {} names an unknown stage", s.Int(0)));
    for (size_t i = 0; i < kept.groups.size(); ++i)
      kept.groups[i] = s.Text(6 + static_cast<int>(i));
    return Deal{.lead_id = lead_id,
                .transition_id = s.Int(0),
                .stage = stage.value_or(Stage::kOpportunity),
                .at = FromUnixMillis(s.Int(2)),
                .amount_cents = s.Int(3),
                .lead_created_at = FromUnixMillis(s.Int(4)),
                .opportunity_at = FromUnixMillis(s.Int(5))};
  };
  TANDEM_ASSIGN_OR_RETURN(kept.deals, Collect<Deal>(deals, read));
  if (bad) return *bad;
  if (kept.deals.empty()) return kept;
  TANDEM_ASSIGN_OR_RETURN(
      Statement * touches,
      db.Prepare("SELECT lead_id, event_id, at, type, source, medium, campaign, term, content, "
                 "referrer_domain, landing_page, form, content_item FROM attributed_touches WHERE "
                 "lead_id = ? ORDER BY at, event_id"));
  touches->Bind(1, lead_id);
  TANDEM_ASSIGN_OR_RETURN(
      std::vector<Touchpoint> all,
      Collect<Touchpoint>(touches, [](const Statement& s) { return ReadTouchpointAt(s, 0); }));
  // Each deal's touchpoints are those of the lead up to it.
  for (Deal& deal : kept.deals) {
    for (const Touchpoint& t : all) {
      if (t.at > deal.at) break;
      deal.touches.push_back(t);
    }
  }
  return kept;
}

Status WriteKeptDeals(Db& db, int64_t lead_id, const LeadDeals& lead) {
  for (const char* table : {"attributed_deals", "attributed_touches"}) {
    TANDEM_ASSIGN_OR_RETURN(Statement * clear,
                            db.Prepare(fmt::format("DELETE FROM {} WHERE lead_id = ?", table)));
    clear->Bind(1, lead_id);
    TANDEM_RETURN_IF_ERROR(clear->Run());
  }
  if (lead.deals.empty()) return OkStatus();
  for (const Deal& deal : lead.deals) {
    TANDEM_ASSIGN_OR_RETURN(
        Statement * stmt,
        db.Prepare("INSERT INTO attributed_deals (transition_id, lead_id, stage, at, amount_cents, "
                   "lead_created_at, opportunity_at, rep, team, country, company_size) VALUES (?, "
                   "?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    stmt->Bind(1, deal.transition_id)
        .Bind(2, lead_id)
        .Bind(3, StageName(deal.stage))
        .Bind(4, ToUnixMillis(deal.at))
        .Bind(5, deal.amount_cents)
        .Bind(6, ToUnixMillis(deal.lead_created_at))
        .Bind(7, ToUnixMillis(deal.opportunity_at));
    for (size_t i = 0; i < lead.groups.size(); ++i)
      stmt->Bind(8 + static_cast<int>(i), lead.groups[i]);
    TANDEM_RETURN_IF_ERROR(stmt->Run());
  }
  // The latest deal's touchpoints are every deal's and more.
  const Deal& latest = *std::max_element(
      lead.deals.begin(), lead.deals.end(),
      [](const Deal& a, const Deal& b) { return a.touches.size() < b.touches.size(); });
  for (const Touchpoint& t : latest.touches) {
    TANDEM_ASSIGN_OR_RETURN(
        Statement * stmt,
        db.Prepare("INSERT INTO attributed_touches (lead_id, at, event_id, type, source, medium, "
                   "campaign, term, content, referrer_domain, landing_page, form, content_item) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    stmt->Bind(1, lead_id).Bind(2, ToUnixMillis(t.at)).Bind(3, t.event_id);
    const std::string* texts[] = {&t.type, &t.source,      &t.medium,          &t.campaign,
                                  &t.term, &t.content,     &t.referrer_domain, &t.landing_page,
                                  &t.form, &t.content_item};
    for (int i = 0; i < 10; ++i) stmt->Bind(4 + i, *texts[i]);
    TANDEM_RETURN_IF_ERROR(stmt->Run());
  }
  return OkStatus();
}

// A row of attribution_days: model, dim, day, g, won; and what it sums.
using SumKey = std::tuple<std::string_view, const char*, int64_t, std::string, int64_t>;
struct Sum {
  int64_t micros = 0, cents = 0, deals = 0;
};

// Credits the lead's deals by every kept model, and adds them `sign` times to the sums of
// each dimension's groups (dim "": the totals).
void AddDeals(const LeadDeals& lead, int64_t sign, std::map<SumKey, Sum>& sums) {
  for (Deal deal : lead.deals) {
    const int64_t won = deal.stage == Stage::kCustomer ? 1 : 0;
    const int64_t day = UtcDayOf(ToUnixMillis(deal.at));
    auto add = [&](Sum& sum, int64_t micros, int64_t cents) {
      sum.micros += sign * micros;
      sum.cents += sign * cents;
      sum.deals += sign;
    };
    for (AttributionModel model : kKeptModels) {
      AttributionQuery query;
      query.model = model;
      const std::vector<Credit> credits = CreditDeal(deal, query);
      const std::string_view name = ModelName(model);
      add(sums[{name, "", day, "", won}], kWholeDeal, deal.amount_cents);
      for (size_t d = 0; d < kKeptDimensions.size(); ++d) {
        if (d >= kTouchDimensions) deal.lead_group = lead.groups[d - kTouchDimensions];
        for (const auto& [group, parts] : CreditsByGroup(deal, credits, kKeptDimensionOf[d]))
          add(sums[{name, kKeptDimensions[d], day, group, won}], parts.first, parts.second);
      }
    }
  }
}

constexpr DayTable kAttributionDays = {
    "INSERT INTO attribution_days (model, dim, day, g, won, micros, cents, deals) VALUES (?, ?, "
    "?, ?, ?, ?, ?, ?) ON CONFLICT (model, dim, day, g, won) DO UPDATE SET micros = "
    "attribution_days.micros + excluded.micros, cents = attribution_days.cents + excluded.cents, "
    "deals = attribution_days.deals + excluded.deals",
    "deals",
    "DELETE FROM attribution_days WHERE model = ? AND dim = ? AND day = ? AND g = ? AND won = ? "
    "AND deals = 0"};

// Moves attribution_days by `sums`, dropping a row whose deals come to none.
Status MoveSums(Db& db, const std::map<SumKey, Sum>& sums) {
  // Every deal of a day adds to these rows: beside other batches, in turns.
  if (!sums.empty()) TANDEM_RETURN_IF_ERROR(db.Hold(Turn::kLeadsShared));
  for (const auto& [key, sum] : sums) {
    if (sum.micros == 0 && sum.cents == 0 && sum.deals == 0) continue;
    const auto& [model, dim, day, group, won] = key;
    TANDEM_RETURN_IF_ERROR(AddToCount(
        db, kAttributionDays, 5, {sum.micros, sum.cents, sum.deals}, [&](Statement& stmt) {
          stmt.Bind(1, model).Bind(2, dim).Bind(3, day).Bind(4, group).Bind(5, won);
        }));
  }
  return OkStatus();
}

}  // namespace

Status RecountDeals(Db& db, int64_t lead_id, const std::array<std::string, 4>* lead_groups) {
  static_assert(std::tuple_size_v<LeadGroups> == 4);
  TANDEM_ASSIGN_OR_RETURN(const LeadDeals kept, KeptDeals(db, lead_id));
  LeadDeals counted;
  if (lead_groups) {
    TANDEM_ASSIGN_OR_RETURN(counted.deals, DealsOf(db, lead_id));
    if (!counted.deals.empty()) counted.groups = *lead_groups;
  }
  if (SameDeals(kept, counted)) return OkStatus();
  std::map<SumKey, Sum> sums;
  AddDeals(kept, -1, sums);
  AddDeals(counted, +1, sums);
  TANDEM_RETURN_IF_ERROR(MoveSums(db, sums));
  return WriteKeptDeals(db, lead_id, counted);
}

StatusOr<bool> BeforeAKeptDeal(Db& db, int64_t lead_id, int64_t at) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("SELECT 1 FROM attributed_deals WHERE lead_id = ? AND at >= ? LIMIT 1"));
  stmt->Bind(1, lead_id).Bind(2, at);
  TANDEM_ASSIGN_OR_RETURN(bool row, stmt->Step());
  stmt->Reset();
  return row;
}

StatusOr<std::optional<AttributionSums>> SumAttribution(Db& db, const AttributionQuery& q) {
  TANDEM_RETURN_IF_ERROR(ReportsKept(db));
  const char* dim = KeptDimension(q.scope.by);
  if (!dim || q.model == AttributionModel::kTimeDecay || q.scope.as_of || q.scope.owner_id)
    return std::optional<AttributionSums>();
  const auto [first, end] = WholeDaysOf(ToUnixMillis(q.scope.from), ToUnixMillis(q.scope.to));
  if (first >= end) return std::optional<AttributionSums>();
  // Until the deals kept before the sums are all counted, they are not the whole story.
  TANDEM_ASSIGN_OR_RETURN(Statement * pending,
                          db.Prepare("SELECT value FROM settings WHERE name = ?"));
  pending->Bind(1, kAttributionBackfillSetting);
  TANDEM_ASSIGN_OR_RETURN(bool counting, pending->Step());
  counting = counting && pending->TextView(0) != "done";
  pending->Reset();
  if (counting) return std::optional<AttributionSums>();
  AttributionSums sums{.from = FromUnixMillis(first * kDayMillis),
                       .to = FromUnixMillis(end * kDayMillis)};
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("SELECT dim, g, won, CAST(SUM(micros) AS BIGINT), CAST(SUM(cents) AS BIGINT), "
                 "CAST(SUM(deals) AS BIGINT) FROM attribution_days WHERE model = ? AND (dim = '' "
                 "OR dim = ?) AND day >= CAST(? AS BIGINT) AND day < CAST(? AS BIGINT) GROUP BY "
                 "dim, g, won ORDER BY dim, g, won"));
  stmt->Bind(1, ModelName(q.model)).Bind(2, dim).Bind(3, first).Bind(4, end);
  // One row per kept dimension ("" or the query's), group and whether won.
  struct Summed {
    bool total = false, won = false;
    std::string group;
    int64_t micros = 0, cents = 0, deals = 0;
  };
  TANDEM_ASSIGN_OR_RETURN(
      std::vector<Summed> rows, Collect<Summed>(stmt, [](const Statement& s) {
        return Summed{
            s.TextView(0).empty(), s.Int(2) != 0, s.Text(1), s.Int(3), s.Int(4), s.Int(5)};
      }));
  std::map<std::string, AttributionRow> groups;
  for (const Summed& r : rows) {
    if (!r.total && *dim == '\0') continue;
    AttributionRow& to_row = r.total ? sums.total : groups[r.group];
    (r.won ? to_row.won_micros : to_row.opportunity_micros) += r.micros;
    (r.won ? to_row.revenue_cents : to_row.pipeline_cents) += r.cents;
    (r.won ? to_row.won_deals : to_row.opportunity_deals) += r.deals;
  }
  for (auto& [group, row] : groups) {
    row.group = group;
    sums.groups.push_back(std::move(row));
  }
  return std::optional<AttributionSums>(std::move(sums));
}

}  // namespace tandem::sql

namespace tandem {

Status SqlStore::CountPendingAttribution(size_t batch) {
  bool more = true;
  auto count_batch = [&](sql::Db& db) -> Status {
    // Where the count stands, read in the transaction that moves it on.
    TANDEM_ASSIGN_OR_RETURN(sql::Statement * setting,
                            db.Prepare("SELECT value FROM settings WHERE name = ?"));
    setting->Bind(1, sql::kAttributionBackfillSetting);
    TANDEM_ASSIGN_OR_RETURN(
        std::optional<std::string> pending,
        sql::First<std::string>(setting, [](const sql::Statement& s) { return s.Text(0); }));
    if (!pending || *pending == "done") {
      more = false;
      return OkStatus();
    }
    int64_t after = 0;
    const auto [end, error] =
        std::from_chars(pending->data(), pending->data() + pending->size(), after);
    if (error != std::errc() || end != pending->data() + pending->size())
      return Internal(fmt::format("setting {} holds \"{}\", not a lead id",
                                  sql::kAttributionBackfillSetting, *pending));
    // The leads that ever reached opportunity: those with deals.
    TANDEM_ASSIGN_OR_RETURN(
        sql::Statement * stmt,
        db.Prepare(fmt::format("SELECT lead_id FROM lead_funnel WHERE lead_id > ? AND hist >= {} "
                               "ORDER BY lead_id LIMIT ?",
                               FunnelRank(Stage::kOpportunity))));
    stmt->Bind(1, after).Bind(2, static_cast<int64_t>(batch));
    TANDEM_ASSIGN_OR_RETURN(
        std::vector<int64_t> leads,
        sql::Collect<int64_t>(stmt, [](const sql::Statement& s) { return s.Int(0); }));
    for (int64_t lead_id : leads) TANDEM_RETURN_IF_ERROR(sql::RecountDealsOf(db, lead_id));
    more = leads.size() == batch;
    return sql::PutSetting(db, sql::kAttributionBackfillSetting,
                           more ? std::to_string(leads.back()) : std::string("done"));
  };
  while (more) {
    TANDEM_RETURN_IF_ERROR(Write(count_batch));
  }
  return OkStatus();
}

}  // namespace tandem
