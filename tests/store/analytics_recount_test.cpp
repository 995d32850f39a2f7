// The analytics facts recounted from what they record, on SQLite and on PostgreSQL: funnel
// counts, outcomes and deals from the lead log and the events, speed to lead from the
// lead log and the touches, and a merge of persons keeping both histories.
#include <set>
#include <tuple>

#include "analytics/group_page.h"
#include "core/time_format.h"
#include "store/analytics_facts_fixture.h"

namespace tandem {
namespace {

TEST_F(AnalyticsFactsTest, FunnelCountsEqualARecountFromTheLeadLogAndTheEvents) {
  Traffic(29, 1500);
  WorkTheLeads();
  FunnelQuery query{kStart, kStart + std::chrono::hours(24 * 365), Dimension::kCampaign,
                    std::nullopt};
  std::map<std::pair<std::string, int>, int64_t> expected;  // (campaign, deepest) → leads
  for (int64_t id : Get(store_->ListLeadIds())) {
    const LeadRecord lead = store_->GetLead(id).value().value();
    int deepest = std::max(1, FunnelRank(lead.stage));
    for (const LeadLogEntry& entry : Get(store_->ListLeadLog(id))) {
      if (entry.kind != "stage_changed") continue;
      auto to = ParseStage(nlohmann::json::parse(entry.data)["to"].get<std::string>());
      deepest = std::max(deepest, FunnelRank(*to));
    }
    ++expected[{FirstCampaign(id), deepest}];
  }
  std::map<std::pair<std::string, int>, int64_t> counted;
  for (const FunnelCount& c : Get(store_->CountFunnel(query))) {
    counted[{c.group, std::max({1, c.current_rank, c.transition_rank})}] += c.leads;
  }
  EXPECT_EQ(counted, expected);
  EXPECT_GT(expected.size(), 4u);

  // A rep's own leads only.
  query.owner_id = users_[1].id;
  int64_t own = 0;
  for (const FunnelCount& c : Get(store_->CountFunnel(query))) own += c.leads;
  int64_t owned = 0;
  for (int64_t id : Get(store_->ListLeadIds())) {
    owned += store_->GetLead(id).value()->owner_id == users_[1].id ? 1 : 0;
  }
  EXPECT_EQ(own, owned);
  EXPECT_GT(owned, 0);
}

// The outcomes report and the attribution totals, recomputed from the raw rows: the
// lead log's stage changes and outcome entries (with their amounts as recorded), and
// the first touchpoint from the raw events.
TEST_F(AnalyticsFactsTest, OutcomesAndDealsEqualARecountFromTheLeadLogAndTheEvents) {
  Traffic(31, 1500);
  WorkTheLeads();
  const FunnelQuery scope{kStart, kStart + std::chrono::hours(24 * 365), Dimension::kCampaign,
                          std::nullopt};
  // (campaign, outcome, reason) → outcomes; the totals of the deals by kind.
  std::map<std::tuple<std::string, std::string, std::string>, int64_t> expected;
  int64_t won = 0, revenue = 0, opportunities = 0, pipeline = 0;
  for (int64_t id : Get(store_->ListLeadIds())) {
    for (const LeadLogEntry& entry : Get(store_->ListLeadLog(id))) {
      const nlohmann::json data = nlohmann::json::parse(entry.data);
      if (entry.kind == "outcome" && data.contains("amount")) {
        const auto cents = static_cast<int64_t>(data["amount"].get<double>() * 100 + 0.5);
        const bool win = data["disposition"] == "won";
        (win ? won : opportunities) += 1;
        (win ? revenue : pipeline) += cents;
      }
      if (entry.kind != "stage_changed") continue;
      const std::string cause = data.value("cause", "");
      const std::string to = data["to"].get<std::string>();
      const bool recorded =
          cause == "outcome: rejected" || cause == "outcome: lost" || cause == "outcome: recycled";
      if (!recorded && to != "disqualified") continue;
      ++expected[{FirstCampaign(id), recorded ? cause.substr(9) : to, data.value("reason", "")}];
    }
  }
  std::map<std::tuple<std::string, std::string, std::string>, int64_t> counted;
  for (const OutcomeCount& c : Get(store_->CountOutcomes(OutcomeQuery{.scope = scope}))) {
    counted[{c.group, c.outcome, c.reason}] += c.count;
  }
  EXPECT_EQ(counted, expected);
  EXPECT_GT(expected.size(), 3u);

  AttributionQuery query;
  query.scope = scope;
  query.model = AttributionModel::kWShaped;
  AttributionBuilder report(query);
  ASSERT_TRUE(store_
                  ->ForEachDeal(query,
                                [&report](Deal deal) {
                                  report.Add(deal);
                                  return OkStatus();
                                })
                  .ok());
  EXPECT_EQ(report.total().won_deals, won);
  EXPECT_EQ(report.total().revenue_cents, revenue);
  EXPECT_EQ(report.total().opportunity_deals, opportunities);
  EXPECT_EQ(report.total().pipeline_cents, pipeline);
  EXPECT_GT(won, 0);
  // Summed over the groups, the credits are the deals and the amounts the totals.
  int64_t micros = 0, cents = 0;
  for (const auto& [group, row] : report.groups()) {
    micros += row.won_micros;
    cents += row.revenue_cents;
  }
  EXPECT_EQ(micros, won * 1'000'000);
  EXPECT_EQ(cents, revenue);
}

// Speed to lead, recomputed from the raw rows: each move to MQL in the lead log, the
// sales touches the gate recorded, and how far the lead went afterwards.
TEST_F(AnalyticsFactsTest, SpeedToLeadEqualsARecountFromTheLeadLogAndTheTouches) {
  Traffic(37, 1500);
  AnswerTheMqls();
  WorkTheLeads();
  using Key = std::tuple<std::string, std::optional<int64_t>, bool, bool, bool>;
  std::map<Key, int64_t> expected;
  for (int64_t id : Get(store_->ListLeadIds())) {
    std::vector<std::pair<TimePoint, std::string>> moves;
    for (const LeadLogEntry& entry : Get(store_->ListLeadLog(id))) {
      if (entry.kind != "stage_changed") continue;
      moves.emplace_back(entry.at, nlohmann::json::parse(entry.data)["to"].get<std::string>());
    }
    const auto touches = Get(store_->ListTouches(id, TimePoint{}));
    for (const auto& [at, to] : moves) {
      if (to != "mql") continue;
      std::optional<int64_t> minutes;
      for (const TouchRecord& t : touches) {
        if (t.at < at || t.direction != "outbound" || !t.user_id ||
            t.purpose == Purpose::kEmailMarketing) {
          continue;
        }
        const int64_t m = (ToUnixMillis(t.at) - ToUnixMillis(at)) / 60000;
        if (!minutes || m < *minutes) minutes = m;
      }
      // Kept to a step: whole minutes under an hour, quarter hours under a day, whole hours
      // beyond, each rounded down.
      if (minutes) {
        minutes = *minutes < 60     ? *minutes
                  : *minutes < 1440 ? *minutes / 15 * 15
                                    : *minutes / 60 * 60;
      }
      auto reached = [&](std::initializer_list<std::string_view> stages) {
        return std::any_of(moves.begin(), moves.end(), [&](const auto& move) {
          return move.first >= at &&
                 std::find(stages.begin(), stages.end(), move.second) != stages.end();
        });
      };
      ++expected[{FirstCampaign(id), minutes, reached({"sal", "sql", "opportunity", "customer"}),
                  reached({"sql", "opportunity", "customer"}), reached({"customer"})}];
    }
  }
  std::map<Key, int64_t> counted;
  const FunnelQuery scope{kStart, kStart + std::chrono::hours(24 * 365), Dimension::kCampaign,
                          std::nullopt};
  for (const SpeedCount& c : Get(store_->CountSpeedToLead(scope))) {
    counted[{c.group, c.minutes, c.accepted, c.qualified, c.won}] += c.count;
  }
  EXPECT_EQ(counted, expected);
  int64_t answered = 0;
  for (const auto& [key, count] : expected) answered += std::get<1>(key) ? count : 0;
  EXPECT_GT(answered, 5);
  EXPECT_GT(expected.size(), 8u);
}

TEST_F(AnalyticsFactsTest, MergedPersonsKeepTheirTouchpointsAndStageHistory) {
  // An anonymous visit from a campaign that turns into a hand-raise, then the same
  // human identified under a userId from another browser, and finally both joined.
  Send(
      {R"({"type":"page","anonymousId":"m-anon","messageId":"m1","timestamp":"2026-01-01T10:00:00Z",
           "properties":{"path":"/pricing","url":"https://tandem.example/pricing"},
           "context":{"campaign":{"source":"newsletter","medium":"email","name":"jan"}}})",
       R"({"type":"identify","anonymousId":"m-anon","messageId":"m2","timestamp":"2026-01-01T10:01:00Z",
           "traits":{"email":"mia@acme.example"},"context":{"campaign":{"name":"jan"}}})",
       R"({"type":"track","anonymousId":"m-anon","messageId":"m3","timestamp":"2026-01-01T10:02:00Z",
           "event":"Demo Requested","properties":{"form":"demo-request"}})",
       R"({"type":"page","anonymousId":"m-other","userId":"mia-1","messageId":"m4",
           "timestamp":"2026-01-02T09:00:00Z","properties":{"path":"/","url":"https://tandem.example/",
           "referrer":"https://www.linkedin.com/feed"}})"});
  Process();
  const int64_t anon =
      store_->FindPersonByIdentity({IdentityKind::kAnonymousId, "m-anon"}).value().value();
  const int64_t known =
      store_->FindPersonByIdentity({IdentityKind::kUserId, "mia-1"}).value().value();
  ASSERT_NE(anon, known);
  // The campaign visit, the identify from it, the form.
  ASSERT_EQ(store_->TouchpointsOf(anon).value().size(), 3u);
  ASSERT_EQ(store_->StageTransitionsOf(anon).value().size(), 1u);

  Send({R"({"type":"identify","anonymousId":"m-anon","userId":"mia-1","messageId":"m5",
           "timestamp":"2026-01-02T09:05:00Z"})"});
  Process();
  const int64_t survivor =
      store_->FindPersonByIdentity({IdentityKind::kAnonymousId, "m-anon"}).value().value();
  EXPECT_EQ(store_->FindPersonByIdentity({IdentityKind::kUserId, "mia-1"}).value().value(),
            survivor);
  const int64_t gone = survivor == anon ? known : anon;
  auto touchpoints = store_->TouchpointsOf(survivor).value();
  ASSERT_EQ(touchpoints.size(), 4u);
  EXPECT_EQ(touchpoints[0].campaign, "jan");
  EXPECT_EQ(touchpoints[1].type, "identify");
  EXPECT_EQ(touchpoints[2].form, "demo-request");
  EXPECT_EQ(touchpoints[3].referrer_domain, "linkedin.com");
  for (const Touchpoint& t : touchpoints) EXPECT_EQ(t.person_id, survivor);
  EXPECT_TRUE(store_->TouchpointsOf(gone).value().empty());
  auto transitions = store_->StageTransitionsOf(survivor).value();
  ASSERT_EQ(transitions.size(), 1u);
  EXPECT_EQ(transitions[0].to, Stage::kMql);
  EXPECT_EQ(transitions[0].lead_id, survivor);
  EXPECT_TRUE(transitions[0].cause.starts_with("hand-raise: Demo Requested"));
  EXPECT_TRUE(store_->StageTransitionsOf(gone).value().empty());

  const Facts live = ReadFacts();
  MigrateFromVersion9();
  ExpectSame(ReadFacts(), live);
}

// A dimension's groups come a page at a time from the kept day rows, whatever order the
// days bring them in: pages of two groups hold exactly the counts of one unpaged read,
// and with more than three groups a full page gives way to smaller groups met later.
TEST_F(AnalyticsFactsTest, KeptSpeedAndVelocityComeAPageAtATime) {
  Traffic(37, 1500);
  AnswerTheMqls();
  WorkTheLeads();
  auto speed = [](const SpeedCount& c) {
    return std::tuple(c.group, c.minutes, c.accepted, c.qualified, c.won, c.count);
  };
  auto velocity = [](const VelocityCount& c) {
    return std::tuple(c.group, c.step, c.hours, c.leads);
  };
  for (Dimension by : {Dimension::kCampaign, Dimension::kLandingPage, Dimension::kSource,
                       Dimension::kReferrerDomain}) {
    // Over whole days, and over part of the first: those rows come in the order of
    // their moments, not of their groups.
    for (const auto to : {kStart + std::chrono::hours(24 * 365), kStart + std::chrono::hours(23)}) {
      SCOPED_TRACE(fmt::format("{} to {}", DimensionName(by), FormatIsoTime(to)));
      const FunnelQuery scope{kStart, to, by, std::nullopt};
      auto walk = [&](auto count, auto key) {
        std::vector<decltype(key(*count(scope).begin()))> pages;
        FunnelQuery page = scope;
        page.groups.limit = 2;
        for (int n = 0; n < 100; ++n) {
          auto counts = count(page);
          const std::optional<std::string> next = TrimToPage(counts, page.groups.limit);
          for (const auto& c : counts) pages.push_back(key(c));
          if (!next) break;
          page.groups.after = next;
        }
        return pages;
      };
      auto count_speed = [&](const FunnelQuery& q) { return Get(store_->CountSpeedToLead(q)); };
      auto count_velocity = [&](const FunnelQuery& q) { return Get(store_->CountVelocity(q)); };
      std::vector<decltype(speed(SpeedCount{}))> whole_speed;
      std::set<std::string> groups;
      for (const SpeedCount& c : count_speed(scope)) {
        whole_speed.push_back(speed(c));
        groups.insert(c.group);
      }
      EXPECT_GT(groups.size(), 3u);
      EXPECT_EQ(walk(count_speed, speed), whole_speed);
      std::vector<decltype(velocity(VelocityCount{}))> whole_velocity;
      for (const VelocityCount& c : count_velocity(scope)) whole_velocity.push_back(velocity(c));
      EXPECT_FALSE(whole_velocity.empty());
      EXPECT_EQ(walk(count_velocity, velocity), whole_velocity);
    }
  }
}

}  // namespace
}  // namespace tandem
