// The analytics facts and the reports' kept counts on SQLite and on PostgreSQL: what is
// written as things happen equals what the schema's back-fill
// (store/schema/*/0010_analytics.sql, 0017_lead_dimensions.sql, 0018_funnel_counts.sql,
// 0020_speed_days.sql, 0021_outcome_days.sql, 0022_attribution_days.sql)
// makes of the same history, and a database of the version before them gets them by
// migrating.
//
// The back-fill runs the way it runs for users: the tables are dropped and the schema
// set back to an earlier version, and opening the store migrates it again.
#include "analytics/reports.h"
#include "store/analytics_facts_fixture.h"

namespace tandem {
namespace {

TEST_F(AnalyticsFactsTest, LiveFactsEqualTheBackfillOfTheSameHistory) {
  Traffic(19, 2500);
  WorkTheLeads();
  const Facts live = ReadFacts();

  // The workload made facts of every kind, by the system and by users.
  ASSERT_GT(live.touchpoints.size(), 200u);
  auto has = [&](auto pred) {
    return std::any_of(live.touchpoints.begin(), live.touchpoints.end(), pred);
  };
  EXPECT_TRUE(has([](const Touchpoint& t) { return !t.form.empty(); }));
  EXPECT_TRUE(has([](const Touchpoint& t) { return !t.content_item.empty(); }));
  EXPECT_TRUE(has([](const Touchpoint& t) { return !t.term.empty(); }));
  EXPECT_TRUE(has([](const Touchpoint& t) { return !t.referrer_domain.empty(); }));
  auto by = [&](auto pred) {
    return std::count_if(live.transitions.begin(), live.transitions.end(), pred);
  };
  EXPECT_GT(by([](const StageTransition& t) { return !t.by_user_id && t.to == Stage::kMql; }), 3);
  EXPECT_GT(by([](const StageTransition& t) {
              return t.to == Stage::kCustomer && t.by_user_id && t.cause == "outcome: won";
            }),
            0);
  EXPECT_GT(by([&](const StageTransition& t) {
              return t.to == Stage::kDisqualified && t.reason == "student" &&
                     t.by_user_id == users_[0].id;
            }),
            0);
  EXPECT_GT(by([](const StageTransition& t) { return t.cause == "manual"; }), 0);

  MigrateFromVersion9();
  ExpectSame(ReadFacts(), live);
}

TEST_F(AnalyticsFactsTest, EventsStoredBeforeTheMigrationAndProcessedAfterItAreCountedOnce) {
  WorkloadGenerator workload = Traffic(23, 1200);
  WorkTheLeads();
  // More traffic, stored but not yet processed when the server is upgraded.
  Send(workload.Messages(800));
  MigrateFromVersion9();
  Process();
  WorkTheLeads();
  const Facts live = ReadFacts();
  ASSERT_GT(live.touchpoints.size(), 150u);

  MigrateFromVersion9();
  ExpectSame(ReadFacts(), live);
}

// The reports' kept counts (0018_funnel_counts.sql, 0020_speed_days.sql,
// 0021_outcome_days.sql, 0022_attribution_days.sql), kept as the workload
// moved leads, merged persons, added touchpoints and touches, equal what the migration's back-fill
// makes of the same facts.
TEST_F(AnalyticsFactsTest, KeptFunnelCountsEqualTheBackfillOfTheSameFacts) {
  Traffic(29, 2500);
  AnswerTheMqls();
  WorkTheLeads();
  auto dump = [&](const std::string& sql, int columns) {
    std::vector<std::string> rows;
    auto db = dir_.OpenDb();
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    if (!db.ok()) return rows;
    auto stmt = (*db)->Prepare(sql);
    EXPECT_TRUE(stmt.ok()) << stmt.status().ToString();
    if (!stmt.ok()) return rows;
    for (;;) {
      auto row = (*stmt)->Step();
      EXPECT_TRUE(row.ok()) << row.status().ToString();
      if (!row.ok() || !*row) break;
      std::string line;
      for (int c = 0; c < columns; ++c)
        line += ((*stmt)->IsNull(c) ? "null" : (*stmt)->Text(c)) + "|";
      rows.push_back(line);
    }
    (*stmt)->Reset();
    return rows;
  };
  auto kept = [&] {
    std::vector<std::string> all = dump(
        "SELECT lead_id, created_at, cur, hist, t2, t3, t4, t5, t6, first_at, first_event_id, "
        "source, medium, campaign, term, referrer_domain, landing_page, form, content_item, "
        "owner_id, team, country, company_size FROM lead_funnel ORDER BY lead_id",
        23);
    for (const char* table : {"funnel_days", "velocity_days"}) {
      const bool funnel = std::string_view(table) == "funnel_days";
      for (std::string& row :
           dump(fmt::format("SELECT dim, day, g, {1}, n FROM {0} WHERE n <> 0 ORDER BY dim, day, "
                            "g, {1}",
                            table, funnel ? "cur, hist" : "k, h"),
                6))
        all.push_back(std::string(table) + ": " + row);
    }
    const std::tuple<const char*, const char*, int> rows[] = {
        {"mql_responses",
         "SELECT transition_id, lead_id, at, minutes, reached_sal, reached_sql, won FROM "
         "mql_responses ORDER BY transition_id",
         7},
        {"speed_days",
         "SELECT dim, day, g, m, a, q, w, n FROM speed_days WHERE n <> 0 ORDER BY dim, day, g, m, "
         "a, q, w",
         8},
        {"lead_outcomes",
         "SELECT transition_id, lead_id, at, outcome, reason, by_user_id FROM lead_outcomes ORDER "
         "BY transition_id",
         6},
        {"outcome_days",
         "SELECT dim, day, g, o, r, n FROM outcome_days WHERE n <> 0 ORDER BY dim, day, g, o, r",
         6},
        {"attributed_deals",
         "SELECT transition_id, lead_id, stage, at, amount_cents, lead_created_at, "
         "opportunity_at, rep, team, country, company_size FROM attributed_deals ORDER BY "
         "transition_id",
         11},
        {"attributed_touches",
         "SELECT lead_id, at, event_id, type, source, medium, campaign, term, content, "
         "referrer_domain, landing_page, form, content_item FROM attributed_touches ORDER BY "
         "lead_id, at, event_id",
         13},
        {"attribution_days",
         "SELECT model, dim, day, g, won, micros, cents, deals FROM attribution_days ORDER BY "
         "model, dim, day, g, won",
         8}};
    for (const auto& [table, sql, columns] : rows) {
      for (std::string& row : dump(sql, columns)) all.push_back(std::string(table) + ": " + row);
    }
    return all;
  };
  const std::vector<std::string> live = kept();
  // Every lead is counted, some with a campaign, some as far as customer.
  ASSERT_EQ(dump("SELECT id FROM leads", 1).size(),
            dump("SELECT lead_id FROM lead_funnel", 1).size());
  EXPECT_FALSE(
      dump("SELECT lead_id FROM lead_funnel WHERE hist = 6 AND t6 IS NOT NULL", 1).empty());
  EXPECT_FALSE(dump("SELECT lead_id FROM lead_funnel WHERE campaign <> ''", 1).empty());
  EXPECT_FALSE(
      dump("SELECT lead_id FROM lead_funnel WHERE owner_id IS NOT NULL AND team <> ''", 1).empty());
  EXPECT_FALSE(dump("SELECT k FROM velocity_days WHERE k = 5", 1).empty());
  EXPECT_FALSE(dump("SELECT * FROM person_merges", 1).empty());
  EXPECT_FALSE(dump("SELECT 1 FROM mql_responses WHERE minutes IS NOT NULL", 1).empty());
  EXPECT_FALSE(dump("SELECT 1 FROM mql_responses WHERE won = 1", 1).empty());
  EXPECT_FALSE(dump("SELECT 1 FROM mql_responses WHERE minutes IS NULL", 1).empty());
  EXPECT_FALSE(dump("SELECT 1 FROM speed_days WHERE dim = 'rep' AND m >= 0 AND n > 0", 1).empty());
  EXPECT_FALSE(
      dump("SELECT 1 FROM outcome_days WHERE dim = 'rep' AND g <> '' AND n > 0", 1).empty());
  EXPECT_FALSE(dump("SELECT 1 FROM lead_outcomes WHERE outcome = 'rejected'", 1).empty());
  EXPECT_FALSE(dump("SELECT 1 FROM attribution_days WHERE model = 'w_shaped' AND dim = "
                    "'campaign' AND g <> '' AND won = 1 AND cents > 0",
                    1)
                   .empty());
  EXPECT_FALSE(dump("SELECT 1 FROM attributed_touches", 1).empty());
  EXPECT_TRUE(dump("SELECT 1 FROM attribution_days WHERE deals = 0", 1).empty());
  // A count that came to zero as a lead moved on is gone, not kept at zero.
  for (const char* table : {"funnel_days", "velocity_days", "speed_days", "outcome_days"}) {
    EXPECT_TRUE(dump(fmt::format("SELECT 1 FROM {} WHERE n = 0", table), 1).empty()) << table;
  }

  pipeline_.reset();
  store_.reset();
  Status undone = dir_.RunSql(
      std::string(testing::kUndoVersion26) +
      "DROP TABLE lead_funnel; DROP TABLE funnel_days; DROP TABLE velocity_days; "
      "DROP TABLE mql_responses; DROP INDEX stage_transitions_outcomes; DROP TABLE account_owners; "
      "DROP INDEX leads_owner_stage; DROP INDEX persons_merged_into; DROP TABLE speed_days; "
      "DROP TABLE lead_outcomes; DROP TABLE outcome_days; "
      "DROP TABLE attributed_deals; DROP TABLE attributed_touches; DROP TABLE attribution_days; "
      "DELETE FROM schema_migrations WHERE version >= 18;");
  ASSERT_TRUE(undone.ok()) << undone.ToString();
  Open();
  const std::vector<std::string> backfilled = kept();
  ASSERT_EQ(backfilled.size(), live.size());
  for (size_t i = 0; i < live.size(); ++i) EXPECT_EQ(backfilled[i], live[i]) << "row " << i;
}

// The lead dimensions kept from the traits (leads/lead_traits.h) equal what the
// back-fill of 0017_lead_dimensions.sql makes of the same traits, shape by shape.
TEST_F(AnalyticsFactsTest, LeadCountryAndCompanySizeEqualTheirBackfill) {
  const char* traits[] = {
      R"("address":{"country":"DE"},"country":"FR","company":{"size":12})",
      R"("country":"Österreich","company":{"name":"A","employees":"51-200"})",
      R"("address":"Berlin","country":7,"company":{"size":10.9})",
      R"("company_size":"250 people")",
      R"("company":{"size":"about 50"})",
      R"("company":{"size":0.5},"country":"")",
      R"("company":{"size":1e300})",
      R"("company":{"size":"99999999999999999999999"})",
      R"("company":"Acme","employee_count":5001)",
      R"("company":{"size":true},"address":{"country":null})",
  };
  std::vector<std::string> messages;
  for (size_t i = 0; i < std::size(traits); ++i) {
    messages.push_back(fmt::format(
        R"({{"type":"identify","userId":"d{}","messageId":"d{}","traits":{{"email":"d{}@dims.example",{}}}}})",
        i, i, i, traits[i]));
  }
  Send(messages);
  Process();
  std::map<int64_t, std::pair<std::string, std::string>> live;
  for (int64_t id : Get(store_->ListLeadIds())) {
    const LeadRecord lead = store_->GetLead(id).value().value();
    live[id] = {lead.country, lead.company_size};
  }
  ASSERT_EQ(live.size(), std::size(traits));
  std::map<std::string, int> bands;
  for (const auto& [id, dims] : live) ++bands[dims.second];
  EXPECT_EQ(bands["1-10"], 1) << "10.9";
  EXPECT_EQ(bands["11-50"], 1);
  EXPECT_EQ(bands["51-200"], 1);
  EXPECT_EQ(bands["201-1000"], 1);
  EXPECT_EQ(bands["5001+"], 3);

  MigrateFromVersion9();
  for (const auto& [id, dims] : live) {
    const LeadRecord lead = store_->GetLead(id).value().value();
    EXPECT_EQ(lead.country, dims.first) << "ld_" << id;
    EXPECT_EQ(lead.company_size, dims.second) << "ld_" << id;
  }
}

// The funnel's counts, recomputed from the raw rows: each lead's log of stage changes
// (not the facts) and its events run through TouchpointOf (not the touchpoints table).

// A store opened without keeping the reports (StoreOptions::keep_reports, which only the
// benchmark of what they cost sets) processes leads as ever, writes none of their facts,
// and refuses to answer a report rather than answer it wrong.
TEST_F(AnalyticsFactsTest, AStoreThatKeepsNoReportsAnswersNone) {
  StoreOptions options;
  options.keep_reports = false;
  Open(options);
  Traffic(31, 1500);
  AnswerTheMqls();
  WorkTheLeads();
  EXPECT_GT(Get(store_->CountLeads()), 50);
  const Facts facts = ReadFacts();
  EXPECT_TRUE(facts.transitions.empty());
  EXPECT_TRUE(facts.touchpoints.empty());
  const FunnelQuery query{kStart,
                          kStart + std::chrono::hours(24 * 365),
                          Dimension::kCampaign,
                          std::nullopt,
                          std::nullopt,
                          {}};
  auto funnel = store_->CountFunnel(query);
  ASSERT_FALSE(funnel.ok());
  EXPECT_EQ(funnel.status().code(), StatusCode::kConflict);
  EXPECT_EQ(funnel.status().error_code(), "reports_not_kept");
  EXPECT_FALSE(store_->CountSpeedToLead(query).ok());
  EXPECT_FALSE(store_->ForEachDeal(AttributionQuery{query}, [](Deal) { return OkStatus(); }).ok());
  EXPECT_FALSE(store_->SumAttribution(AttributionQuery{query}).ok());
}

// The attribution summed per day as deals are made (0022_attribution_days.sql), with the
// deals of the hours at either end of a range credited one by one, equals crediting every
// deal of the range one by one: for each model it keeps, by touchpoint and lead
// dimensions and in total, to the millionth and the cent.
TEST_F(AnalyticsFactsTest, KeptAttributionEqualsCreditingEachDeal) {
  // Three rounds of deals, 30 hours apart.
  for (uint64_t seed : {41, 42, 43}) {
    Traffic(seed, 1200);
    AnswerTheMqls();
    WorkTheLeads();
    clock_.Advance(std::chrono::hours(30));
  }
  std::vector<TimePoint> made;
  AttributionQuery all;
  all.scope = {TimePoint{}, kStart + std::chrono::hours(24 * 3650), Dimension::kNone};
  ASSERT_TRUE(store_
                  ->ForEachDeal(all,
                                [&](Deal deal) {
                                  made.push_back(deal.at);
                                  return OkStatus();
                                })
                  .ok());
  ASSERT_GT(made.size(), 20u);
  // From just after the first deal to the last: parts of a day at either end.
  const TimePoint from = made.front() + std::chrono::milliseconds(1), to = made.back();
  ASSERT_GT(to - from, std::chrono::hours(48)) << "the deals span too few days";
  auto one_by_one = [&](const AttributionQuery& query) {
    AttributionBuilder report(query);
    EXPECT_TRUE(store_
                    ->ForEachDeal(query,
                                  [&](Deal deal) {
                                    report.Add(deal);
                                    return OkStatus();
                                  })
                    .ok());
    return report;
  };
  auto rows = [](const AttributionBuilder& report) {
    std::vector<std::string> out;
    auto line = [&](const AttributionRow& r) {
      out.push_back(fmt::format("{}|{}|{}|{}|{}|{}|{}", r.group, r.opportunity_micros,
                                r.pipeline_cents, r.won_micros, r.revenue_cents,
                                r.opportunity_deals, r.won_deals));
    };
    line(report.total());
    for (const auto& [group, row] : report.groups()) line(row);
    return out;
  };
  for (const char* model : {"first_touch", "last_touch", "linear", "u_shaped", "w_shaped"}) {
    for (Dimension by :
         {Dimension::kNone, Dimension::kSource, Dimension::kMedium, Dimension::kCampaign,
          Dimension::kKeyword, Dimension::kReferrerDomain, Dimension::kLandingPage,
          Dimension::kForm, Dimension::kContentItem, Dimension::kTeam, Dimension::kRep,
          Dimension::kCountry, Dimension::kCompanySize}) {
      SCOPED_TRACE(fmt::format("{} by {}", model, DimensionName(by)));
      AttributionQuery query;
      query.scope = {from, to, by};
      query.model = *ParseModel(model);
      auto sums = store_->SumAttribution(query);
      ASSERT_TRUE(sums.ok()) << sums.status().ToString();
      ASSERT_TRUE(sums->has_value()) << "no sums kept";
      EXPECT_GT((*sums)->from, from);
      EXPECT_LT((*sums)->to, to);
      auto kept = RunAttribution(*store_, query);
      ASSERT_TRUE(kept.ok()) << kept.status().ToString();
      const AttributionBuilder each = one_by_one(query);
      const std::vector<std::string> expected = rows(each);
      EXPECT_EQ(rows(*kept), expected);
      // Some deals come from the sums, some from the ends.
      const int64_t summed = (*sums)->total.opportunity_deals + (*sums)->total.won_deals;
      EXPECT_GT(summed, 0);
      EXPECT_LT(summed, each.total().opportunity_deals + each.total().won_deals);
      EXPECT_GT(expected.size(), by == Dimension::kNone ? 0u : 1u);
    }
  }
  // Time decay, an as-of moment or one owner's leads are credited deal by deal.
  AttributionQuery decay;
  decay.scope = {from, to, Dimension::kSource};
  decay.model = AttributionModel::kTimeDecay;
  EXPECT_FALSE(store_->SumAttribution(decay).value().has_value());
  AttributionQuery as_of;
  as_of.scope = {from, to, Dimension::kSource, std::nullopt, to};
  EXPECT_FALSE(store_->SumAttribution(as_of).value().has_value());
}

// The write key is public: a campaign of 4,000 random characters, or a country as long,
// is kept to its first 256 characters, so its lead is processed and counted on
// PostgreSQL too (which indexes at most 2,704 bytes an entry), and a reason past 300
// characters is refused; such values kept before the limit are cut to it as the store
// migrates.
TEST_F(AnalyticsFactsTest, LongGroupValuesAreKeptShortEnoughToCount) {
  std::string noise;
  uint64_t x = 88172645463325252ull;
  for (int i = 0; i < 4000; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    noise += static_cast<char>('!' + x % 90 + (x % 90 >= 1 ? 1 : 0));  // no '"'
  }
  for (char& c : noise) c = c == '\\' ? '/' : c;
  Send(
      {R"({"type":"page","anonymousId":"a1","context":{"page":{"path":"/"},"campaign":{"source":"x","name":")" +
           noise + R"("}}})",
       R"({"type":"identify","anonymousId":"a1","userId":"u1","traits":{"email":"ada@acme.example","country":")" +
           noise + R"("}})",
       R"({"type":"track","userId":"u1","event":"Demo Requested"})"});
  Process();
  ASSERT_EQ(Get(store_->CountUnprocessedEvents()), 0);
  const std::vector<int64_t> ids = Get(store_->ListLeadIds());
  ASSERT_EQ(ids.size(), 1u);
  const LeadRecord lead = Get(store_->GetLead(ids[0])).value();
  EXPECT_EQ(lead.country, noise.substr(0, 256));
  EXPECT_EQ(lead.stage, Stage::kMql);
  const FunnelQuery query{kStart - std::chrono::hours(24),
                          kStart + std::chrono::hours(24 * 365),
                          Dimension::kCampaign,
                          std::nullopt,
                          std::nullopt,
                          {}};
  const auto counts = Get(store_->CountFunnel(query));
  ASSERT_FALSE(counts.empty());
  EXPECT_EQ(counts[0].group, noise.substr(0, 256));

  auto txn = store_->BeginLeadTxn().value();
  auto refused = engine_.RecordOutcome(
      *txn, ids[0], Actor{users_[0]},
      Outcome{"rejected", "other: " + std::string(294, 'x'), std::nullopt, std::nullopt},
      clock_.Now());
  EXPECT_EQ(refused.status().error_code(), "invalid_reason");
  txn.reset();

  // A history kept before the limit — the schema's back-fill of the raw events keeps
  // whole values — migrates to the same counts, cut to the same 256 characters.
  MigrateFromVersion9();
  const auto migrated = Get(store_->CountFunnel(query));
  ASSERT_FALSE(migrated.empty());
  EXPECT_EQ(migrated[0].group, noise.substr(0, 256));
  EXPECT_EQ(Get(store_->GetLead(ids[0])).value().country, noise.substr(0, 256));
}

}  // namespace

// A report's reads see the store as of one moment: what the pipeline commits while they
// run shows in none of them, and in the next report.
TEST_F(AnalyticsFactsTest, AReportReadsOneSnapshot) {
  WorkloadGenerator workload = Traffic(20261205, 3000);
  const FunnelQuery query{kStart - std::chrono::hours(24),
                          kStart + std::chrono::hours(24 * 3650),
                          Dimension::kNone,
                          std::nullopt,
                          std::nullopt,
                          {}};
  auto leads = [](const std::vector<FunnelCount>& counts) {
    int64_t n = 0;
    for (const FunnelCount& c : counts) n += c.leads;
    return n;
  };
  const int64_t before = leads(Get(store_->CountFunnel(query)));
  ASSERT_GT(before, 0);
  int64_t first = 0, second = 0;
  Status read = store_->InOneSnapshot([&](AnalyticsReads& reads) {
    first = leads(Get(reads.CountFunnel(query)));
    Send(workload.Messages(3000));
    Process();
    second = leads(Get(reads.CountFunnel(query)));
    return OkStatus();
  });
  ASSERT_TRUE(read.ok()) << read.ToString();
  EXPECT_EQ(first, before);
  EXPECT_EQ(second, first);
  EXPECT_GT(leads(Get(store_->CountFunnel(query))), before);
}

// A store that reached version 18 before that version cut long values kept them whole,
// each lead under its own: version 25 cuts them everywhere, and every report answers as
// a store that cut them as they came (the rows that become one added up, the attribution
// counted again).
TEST_F(AnalyticsFactsTest, Version25CutsTheLongValuesAStoreKept) {
  const std::string prefix = "spring-" + std::string(249, 'p');
  const std::string alpha = prefix + "-alpha", beta = prefix + "-beta";
  const std::string country(300, 'c');
  auto visit = [](int n, const std::string& campaign, const std::string& traits) {
    return std::vector<std::string>{
        fmt::format(R"({{"type":"page","anonymousId":"a{0}","context":{{"page":{{"path":"/"}},)"
                    R"("campaign":{{"source":"x","name":"{1}"}}}}}})",
                    n, campaign),
        fmt::format(R"({{"type":"identify","anonymousId":"a{0}","userId":"u{0}","traits":{{)"
                    R"("email":"lead{0}@acme.example"{1}}}}})",
                    n, traits),
        fmt::format(R"({{"type":"track","userId":"u{}","event":"Demo Requested"}})", n)};
  };
  Send(visit(1, alpha, R"(,"country":")" + country + "\""));
  Send(visit(2, beta, ""));
  Process();
  AnswerTheMqls();
  WorkTheLeads();
  ASSERT_EQ(Get(store_->ListLeadIds()).size(), 2u);

  auto reports = [&] {
    std::vector<std::string> out;
    for (Dimension by : {Dimension::kCampaign, Dimension::kCountry}) {
      const FunnelQuery q{kStart - std::chrono::hours(24),
                          kStart + std::chrono::hours(24 * 3650),
                          by,
                          std::nullopt,
                          std::nullopt,
                          {}};
      out.push_back(FunnelToJson(Get(RunFunnel(*store_, q))).dump());
      out.push_back(OutcomesToJson(Get(RunOutcomes(*store_, OutcomeQuery{q, 1}))).dump());
      out.push_back(SpeedToLeadToJson(Get(RunSpeedToLead(*store_, q))).dump());
      AttributionQuery attribution;
      attribution.scope = q;
      out.push_back(AttributionToJson(Get(RunAttribution(*store_, attribution))).dump());
    }
    return out;
  };
  const std::vector<std::string> cut = reports();
  ASSERT_NE(cut[0].find(prefix), std::string::npos);
  ASSERT_EQ(cut[0].find(alpha), std::string::npos);
  ASSERT_NE(cut[3].find(prefix), std::string::npos) << "no deal credited to the campaign";

  // What such a store held: the first lead's values whole, the second's too, and each
  // per-day count of both split between them.
  pipeline_.reset();
  store_.reset();
  const std::string first = "(SELECT MIN(lead_id) FROM lead_funnel)";
  const std::string short_country = country.substr(0, 256);
  std::string sql = fmt::format(
      "UPDATE touchpoints SET campaign = CASE WHEN person_id = {0} THEN '{1}' ELSE '{2}' END "
      "WHERE campaign = '{3}'; "
      "UPDATE attributed_touches SET campaign = CASE WHEN lead_id = {0} THEN '{1}' ELSE '{2}' "
      "END WHERE campaign = '{3}'; "
      "UPDATE lead_funnel SET campaign = CASE WHEN lead_id = {0} THEN '{1}' ELSE '{2}' END "
      "WHERE campaign = '{3}'; "
      "UPDATE leads SET country = '{4}' WHERE country = '{5}'; "
      "UPDATE lead_funnel SET country = '{4}' WHERE country = '{5}'; "
      "UPDATE attributed_deals SET country = '{4}' WHERE country = '{5}'; "
      "UPDATE attribution_days SET g = '{1}' WHERE dim = 'campaign' AND g = '{3}'; "
      "UPDATE attribution_days SET g = '{4}' WHERE dim = 'country' AND g = '{5}'; ",
      first, alpha, beta, prefix, country, short_country);
  for (const auto& [table, key] :
       std::vector<std::pair<std::string, std::string>>{{"funnel_days", "cur, hist"},
                                                        {"velocity_days", "k, h"},
                                                        {"speed_days", "m, a, q, w"},
                                                        {"outcome_days", "o, r"}}) {
    sql += fmt::format(
        "UPDATE {0} SET g = '{2}' WHERE dim = 'campaign' AND g = '{4}'; "
        "INSERT INTO {0} (dim, day, g, {1}, n) SELECT dim, day, '{3}', {1}, 1 FROM {0} WHERE "
        "dim = 'campaign' AND g = '{2}' AND n >= 2; "
        "UPDATE {0} SET n = n - 1 WHERE dim = 'campaign' AND g = '{2}' AND n >= 2; "
        "UPDATE {0} SET g = '{5}' WHERE dim = 'country' AND g = '{6}'; ",
        table, key, alpha, beta, prefix, country, short_country);
  }
  sql += testing::kUndoVersion26;
  sql += "DELETE FROM schema_migrations WHERE version >= 25;";
  Status kept_whole = dir_.RunSql(sql);
  ASSERT_TRUE(kept_whole.ok()) << kept_whole.ToString();
  Open();
  EXPECT_EQ(reports(), cut);
}

}  // namespace tandem
