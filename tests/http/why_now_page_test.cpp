// The leads list's why-now lines (GET /api/v1/leads?include=why_now) read for the whole
// page at once: each must be the brief's own why-now, byte for byte, whatever the lead
// did — a hand-raise, a score crossing, a comeback after recycling, only browsing,
// anonymous visits before identifying, or more events than the page read takes.
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>

#include "http/leads_list.h"
#include "leads/lead_json.h"
#include "pipeline/brief_backfill.h"
#include "support/api_fixture.h"

namespace tandem {
namespace {

using nlohmann::json;
using testing::HttpResult;

class WhyNowPageTest : public testing::ApiFixture {
 protected:
  void SetUp() override {
    OpenStoreFirst();
    AddUser("rep@seller.example", "sales_rep", &rep_);
    AddUser("manager@seller.example", "sales_manager", &manager_);
    Start();
  }

  // Sends `events` in batches of 100 and waits until they are processed.
  void Send(std::vector<json> events) {
    for (size_t at = 0; at < events.size(); at += 100) {
      json batch = {{"batch", json::array()}};
      for (size_t i = at; i < events.size() && i < at + 100; ++i)
        batch["batch"].push_back(events[i]);
      Ingest(batch.dump());
    }
  }

  json Event(const std::string& user, const std::string& type, int minutes_ago,
             json extra = json::object()) {
    json e = {{"type", type},
              {"timestamp", FormatIsoTime(clock_.Now() - std::chrono::minutes(minutes_ago))}};
    if (!user.empty()) e["userId"] = user;
    e.update(extra);
    return e;
  }
  json Page(const std::string& user, const std::string& path, int minutes_ago) {
    return Event(user, "page", minutes_ago, {{"context", {{"page", {{"path", path}}}}}});
  }
  json Track(const std::string& user, const std::string& name, int minutes_ago) {
    return Event(user, "track", minutes_ago, {{"event", name}});
  }
  json Identify(const std::string& user, int minutes_ago) {
    return Event(user, "identify", minutes_ago,
                 {{"traits", {{"email", user + "@buyer.example"}, {"name", user}}}});
  }

  std::string rep_, manager_;
};

TEST_F(WhyNowPageTest, EveryLeadOfThePageHasTheBriefsWhyNow) {
  std::vector<json> events;
  const int day = 24 * 60;
  // A hand-raise after some reading.
  events.push_back(Identify("hand", 40 * day));
  for (int i = 0; i < 30; ++i)
    events.push_back(Page("hand", "/blog/" + std::to_string(i), 30 * day - i * 60));
  events.push_back(Track("hand", "Demo Requested", 90));
  // Engagement that crosses the score threshold: downloads, a webinar, pricing.
  events.push_back(Identify("score", 20 * day));
  for (int i = 0; i < 6; ++i) {
    events.push_back(Track("score", "Content Downloaded", 10 * day - i * 600));
    events.push_back(Track("score", "Webinar Attended", 9 * day - i * 600));
    events.push_back(Page("score", "/pricing", 8 * day - i * 7));
  }
  // Only browsing, and pricing views in runs within a day.
  events.push_back(Identify("browse", 5 * day));
  for (int i = 0; i < 12; ++i)
    events.push_back(Page("browse", i % 3 ? "/pricing" : "/docs", 3 * day - i * 20));
  // Nothing but the identify.
  events.push_back(Identify("silent", 2 * day));
  // More events than one page's read takes: the last of them a hand-raise.
  events.push_back(Identify("busy", 60 * day));
  for (int i = 0; i < static_cast<int>(http::kWhyNowEventsRead) + 40; ++i) {
    events.push_back(i % 7 == 0 ? Page("busy", "/pricing", 50 * day - i * 90)
                                : Track("busy", "Webinar Registered", 50 * day - i * 90));
  }
  events.push_back(Track("busy", "Demo Requested", 30));
  Send(std::move(events));
  // A comeback: qualified, recycled by its owner, then a new hand-raise.
  Send({Identify("back", 30 * day), Track("back", "Demo Requested", 20 * day)});
  const std::string back = LeadIdOf("back");
  HttpResult recycled =
      Call("PATCH", "/api/v1/leads/" + back, manager_,
           R"({"stage":"recycled","reason":"no budget this quarter","revisit_on":"2027-03-01"})");
  ASSERT_EQ(recycled.status, 200u) << recycled.body;
  clock_.Advance(std::chrono::hours(1));
  Send({Track("back", "Demo Requested", 10)});

  HttpResult page = Call("GET", "/api/v1/leads?include=why_now&limit=500", rep_);
  ASSERT_EQ(page.status, 200u) << page.body;
  std::set<std::string> triggers;
  size_t compared = 0;
  const json items = json::parse(page.body)["items"];
  for (const json& lead : items) {
    HttpResult brief =
        Call("GET", "/api/v1/leads/" + lead["id"].get<std::string>() + "/brief", rep_);
    ASSERT_EQ(brief.status, 200u) << brief.body;
    EXPECT_EQ(lead["why_now"], json::parse(brief.body)["why_now"]) << lead["email"];
    triggers.insert(lead["why_now"]["trigger"].get<std::string>());
    ++compared;
  }
  EXPECT_EQ(compared, 6u);
  EXPECT_TRUE(triggers.count("hand_raise")) << json(triggers);
  EXPECT_TRUE(triggers.count("none")) << json(triggers);
  EXPECT_GE(raw_store_->PersonEvents(*ParseLeadId(LeadIdOf("busy")), 100000)->size(),
            http::kWhyNowEventsRead + 1);
}

// The page's read itself: a lead's events oldest first, none for a lead with more than
// asked (marked so), and only the log entries that can name a trigger.
TEST_F(WhyNowPageTest, TheStoreReadsEachLeadsEventsUpToTheBound) {
  std::vector<json> events = {Identify("a", 100), Identify("b", 100)};
  for (int i = 0; i < 10; ++i) events.push_back(Page("a", "/p" + std::to_string(i), 90 - i));
  events.push_back(Page("b", "/only", 50));
  Send(std::move(events));
  const int64_t a = *ParseLeadId(LeadIdOf("a"));
  const int64_t b = *ParseLeadId(LeadIdOf("b"));
  const std::vector<int64_t> ids = {a, b, 999999};
  auto read = raw_store_->ListWhyNowActivity(ids, 4);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->size(), 3u);
  EXPECT_TRUE((*read)[a].more);
  EXPECT_TRUE((*read)[a].events.empty());
  auto all_b = raw_store_->PersonEvents(b, 100).value();
  EXPECT_FALSE((*read)[b].more);
  ASSERT_EQ((*read)[b].events.size(), all_b.size());
  for (size_t i = 0; i < all_b.size(); ++i) {
    EXPECT_EQ((*read)[b].events[i].id, all_b[i].id);
    EXPECT_EQ((*read)[b].events[i].at, all_b[i].record.timestamp);
  }
  EXPECT_EQ((*read)[b].events.back().path, "/only");
  EXPECT_TRUE((*read)[999999].events.empty());
  EXPECT_FALSE((*read)[999999].more);
  auto eleven = raw_store_->ListWhyNowActivity(std::vector<int64_t>{a}, 11);
  ASSERT_TRUE(eleven.ok());
  EXPECT_FALSE((*eleven)[a].more);
  EXPECT_EQ((*eleven)[a].events.size(), 11u);  // the identify and ten pages
  for (const auto& [id, activity] : *read) {
    for (const LeadLogEntry& entry : activity.log) {
      EXPECT_TRUE(entry.kind == "stage_changed" || entry.kind == "priority_changed") << entry.kind;
      EXPECT_EQ(entry.lead_id, id);
    }
  }
}

// A visitor browses anonymously on two devices, then identifies on both: the persons
// merge, and the page's line still reads every event, as the brief does.
TEST_F(WhyNowPageTest, EventsOfMergedPersonsFollowTheirLead) {
  auto anonymous = [&](const std::string& device, const std::string& path, int minutes_ago) {
    json e = Page("", path, minutes_ago);
    e["anonymousId"] = device;
    return e;
  };
  json first = Identify("merged", 50);
  first["anonymousId"] = "laptop";
  json second = Identify("merged", 20);
  second["anonymousId"] = "phone";
  Send({anonymous("laptop", "/pricing", 300), anonymous("phone", "/docs", 200),
        anonymous("phone", "/pricing", 100), first, second, Track("merged", "Demo Requested", 10)});
  const int64_t lead = *ParseLeadId(LeadIdOf("merged"));
  auto read = raw_store_->ListWhyNowActivity(std::vector<int64_t>{lead}, 100);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ((*read)[lead].events.size(), raw_store_->PersonEvents(lead, 100)->size());
  EXPECT_EQ((*read)[lead].events.size(), 6u);
  HttpResult page = Call("GET", "/api/v1/leads?include=why_now", rep_);
  ASSERT_EQ(page.status, 200u) << page.body;
  HttpResult brief = Call("GET", "/api/v1/leads/" + LeadIdOf("merged") + "/brief", rep_);
  ASSERT_EQ(brief.status, 200u) << brief.body;
  EXPECT_EQ(json::parse(page.body)["items"][0]["why_now"], json::parse(brief.body)["why_now"]);
}

// A store upgraded from before it kept the brief's fields: the events stitched until
// then are kept once at start, and the page reads them as the brief does.
TEST_F(WhyNowPageTest, EventsStitchedBeforeTheUpgradeAreKeptOnce) {
  Send({Identify("old", 100), Page("old", "/pricing", 90), Track("old", "Demo Requested", 80)});
  const int64_t lead = *ParseLeadId(LeadIdOf("old"));
  const int64_t last = raw_store_->PersonEvents(lead, 100)->back().id;
  // What version 8 finds: no rows yet, and the last event stitched before it.
  ASSERT_TRUE(dir_.RunSql("DELETE FROM brief_events").ok());
  ASSERT_TRUE(raw_store_->PutSetting(kBriefBackfillSetting, std::to_string(last)).ok());
  EXPECT_TRUE(
      raw_store_->ListWhyNowActivity(std::vector<int64_t>{lead}, 100)->at(lead).events.empty());
  auto kept = BackfillBriefEvents(*raw_store_, *raw_store_, /*batch=*/2);
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ(*kept, 3);
  EXPECT_EQ(raw_store_->GetSetting(kBriefBackfillSetting)->value_or(""), "done");
  EXPECT_EQ(raw_store_->ListWhyNowActivity(std::vector<int64_t>{lead}, 100)->at(lead).events.size(),
            3u);
  EXPECT_EQ(*BackfillBriefEvents(*raw_store_, *raw_store_), 0);  // once
  HttpResult page = Call("GET", "/api/v1/leads?include=why_now", rep_);
  HttpResult brief = Call("GET", "/api/v1/leads/" + LeadIdOf("old") + "/brief", rep_);
  ASSERT_EQ(page.status, 200u) << page.body;
  EXPECT_EQ(json::parse(page.body)["items"][0]["why_now"], json::parse(brief.body)["why_now"]);
  EXPECT_EQ(json::parse(brief.body)["why_now"]["trigger"], "hand_raise");
}

}  // namespace
}  // namespace tandem
