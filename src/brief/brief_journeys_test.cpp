// Handoff briefs of scripted journeys, built by the real engine on a real SQLite file
// with a manual clock, compared with reviewed files in testdata/ (JSON and Markdown).
// TANDEM_UPDATE_GOLDEN=1 rewrites the files; review the diff before committing it.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/open_store.h"
#include "brief/brief.h"
#include "brief/brief_input.h"
#include "config/config.h"
#include "core/time_format.h"
#include "ingest/segment_message.h"
#include "leads/lead_engine.h"
#include "metrics/metrics.h"
#include "pipeline/event_pipeline.h"
#include "testing/append_batch.h"
#include "testing/test_store.h"
#include "workload/demo_catalog.h"

namespace tandem {
namespace {

using nlohmann::json;

TimePoint T(const char* text) { return *ParseIsoTime(text); }

std::string Golden(const std::string& name) {
  return std::string(TANDEM_SOURCE_DIR) + "/src/brief/testdata/" + name;
}

// Compares `actual` with the golden file, or rewrites it under TANDEM_UPDATE_GOLDEN.
void ExpectGolden(const std::string& name, const std::string& actual) {
  const std::string path = Golden(name);
  if (std::getenv("TANDEM_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  std::ifstream file(path, std::ios::binary);
  ASSERT_TRUE(file.good()) << "missing golden file " << path
                           << " (run with TANDEM_UPDATE_GOLDEN=1 and review it)";
  std::stringstream expected;
  expected << file.rdbuf();
  EXPECT_EQ(expected.str(), actual) << "the brief differs from " << path;
}

// Every phrase the talking points must never carry, checked over every point's text.
void ExpectNoForbiddenPhrases(const json& brief) {
  const std::string points = brief["talking_points"]["points"].dump();
  for (const std::string& phrase : ForbiddenTalkingPhrases()) {
    std::string lower = points;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ(lower.find(phrase), std::string::npos) << "talking points say \"" << phrase << "\"";
  }
}

std::string Ids(const std::string& anonymous, const std::string& user = "") {
  std::string out = fmt::format(R"("anonymousId":"{}")", anonymous);
  if (!user.empty()) out += fmt::format(R"(,"userId":"{}")", user);
  return out;
}

std::string Page(const std::string& ids, const std::string& path, const std::string& title,
                 const std::string& campaign = "", const std::string& referrer = "") {
  return fmt::format(
      R"({{"type":"page",{0},"name":"{2}","properties":{{"path":"{1}","title":"{2}","url":"https://www.tandem.example{1}","referrer":"{4}"}},"context":{{"page":{{"path":"{1}","title":"{2}","url":"https://www.tandem.example{1}","referrer":"{4}"}}{3}}}}})",
      ids, path, title, campaign.empty() ? "" : ",\"campaign\":" + campaign, referrer);
}

std::string Track(const std::string& ids, const std::string& event, const std::string& properties,
                  const std::string& path) {
  return fmt::format(
      R"({{"type":"track",{},"event":"{}","properties":{},"context":{{"page":{{"path":"{}"}}}}}})",
      ids, event, properties, path);
}

std::string Identify(const std::string& ids, const std::string& traits) {
  return fmt::format(R"({{"type":"identify",{},"traits":{}}})", ids, traits);
}

class BriefJourneysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(OpenStore(dir_.Url(), StoreOptions{}).value());
    source_id_ = store_->CreateSource("Web", "k", clock_.Now())->id;
    Catalog catalog = ParseCatalogToml(DemoCatalogToml(), "demo catalog").value();
    for (Campaign& c : catalog.campaigns) c.updated_at = clock_.Now();
    for (ContentAsset& a : catalog.content) a.updated_at = clock_.Now();
    ASSERT_TRUE(store_->PutCatalog(catalog, true).ok());
    engine_ = std::make_unique<LeadEngine>(config_.scoring, config_.routing, config_.webhooks,
                                           config_.contact, config_.sla, OwnerBriefFor);
    EventPipeline::Options options;
    options.leads = engine_.get();
    pipeline_ = std::make_unique<EventPipeline>(*store_, clock_, metrics_, options);
    rafael_ = AddUser("Rafael Ortiz", "Europe/Madrid");
    sofia_ = AddUser("Sofia Rossi", "Europe/Rome");
  }

  UserRecord AddUser(const std::string& name, const std::string& timezone) {
    UserRecord u;
    u.email = name.substr(0, name.find(' ')) + "@seller.example";
    u.name = name;
    u.role = Role::kSalesRep;
    u.team = "sales";
    u.timezone = timezone;
    u.created_at = u.updated_at = clock_.Now();
    u.id = store_->CreateUser(u)->id;
    return u;
  }

  // Sends messages as if they happened at `at` (the clock moves there first).
  void Send(const char* at, const std::vector<std::string>& messages) {
    clock_.Set(T(at));
    std::string batch = "{\"batch\":[";
    for (size_t i = 0; i < messages.size(); ++i) batch += (i ? "," : "") + messages[i];
    batch += "]}";
    Status s = testing::AppendBatch(*store_, parser_, source_id_, clock_.Now(), batch);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_TRUE(pipeline_->Drain().ok());
  }

  int64_t LeadOf(const std::string& anonymous_id) {
    return store_->FindPersonByIdentity({IdentityKind::kAnonymousId, anonymous_id}).value().value();
  }

  json BriefAt(int64_t lead_id, const char* now) {
    clock_.Set(T(now));
    LeadRecord lead = store_->GetLead(lead_id).value().value();
    BriefInput input = BriefInputFor(*engine_, *store_, lead, clock_.Now()).value();
    return BuildBrief(input);
  }

  void ExpectGoldenBrief(const std::string& name, const json& brief) {
    ExpectGolden(name + ".json", brief.dump(2) + "\n");
    ExpectGolden(name + ".md", RenderBriefMarkdown(brief) + "\n");
    ExpectNoForbiddenPhrases(brief);
  }

  testing::TestStore dir_;
  ManualClock clock_{T("2026-09-01T08:00:00Z")};
  Metrics metrics_;
  SegmentParser parser_;
  Config config_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<LeadEngine> engine_;
  std::unique_ptr<EventPipeline> pipeline_;
  int64_t source_id_ = 0;
  UserRecord rafael_, sofia_;
};

constexpr const char* kSemCampaign =
    R"({"source":"google","medium":"cpc","name":"sem-buyers-guide","term":"sem agency"})";

// Seed 000: someone reads a whitepaper and a webinar; the follow-up must be about the
// paper's subject, not "thank you for your interest in the company".
TEST_F(BriefJourneysTest, WhitepaperReader) {
  const std::string a = Ids("wp-1");
  Send("2026-11-18T09:00:00Z", {Page(a, "/resources/sem-buyers-guide", "SEM Buyer's Guide",
                                     kSemCampaign, "https://www.google.com/")});
  Send("2026-11-18T09:02:00Z",
       {Track(a, "Content Downloaded",
              R"({"asset_id":"sem-buyers-guide","title":"SEM Buyer's Guide"})",
              "/resources/sem-buyers-guide")});
  Send("2026-11-18T09:03:00Z",
       {Track(a, "Form Submitted", R"({"form":"whitepaper-download"})",
              "/resources/sem-buyers-guide"),
        Identify(a,
                 R"({"email":"dana@brightline.example","name":"Dana Whitfield","first_name":"Dana",
                       "title":"Marketing Director","city":"Seattle","country":"US",
                       "company":{"name":"Brightline Travel","size":220,"industry":"travel"}})")});
  Send("2026-11-19T16:00:00Z",
       {Track(a, "Webinar Attended",
              R"({"asset_id":"webinar-speed-to-lead","title":"Speed to Lead webinar"})",
              "/webinars/speed-to-lead")});
  const int64_t lead = LeadOf("wp-1");
  ASSERT_EQ(store_->GetLead(lead).value()->stage, Stage::kMql);
  const json brief = BriefAt(lead, "2026-11-20T15:00:00Z");
  EXPECT_EQ(brief["why_now"]["trigger"], "mql_score");
  EXPECT_EQ(brief["talking_points"]["points"][0]["asset_id"], "sem-buyers-guide");
  EXPECT_EQ(brief["campaign"]["campaigns"][0]["key"], "sem-buyers-guide");
  ExpectGoldenBrief("whitepaper_reader", brief);
}

// A demo request from the pricing page: the reason to call, 12 minutes old.
TEST_F(BriefJourneysTest, DemoRequest) {
  const std::string b = Ids("demo-1");
  Send("2026-11-20T14:30:00Z",
       {Page(b, "/webinars/speed-to-lead", "Webinar: Speed to lead",
             R"({"source":"linkedin","medium":"paid_social","name":"webinar-speed-to-lead"})",
             "https://www.linkedin.com/")});
  Send("2026-11-20T14:40:00Z", {Page(b, "/pricing", "Pricing")});
  Send("2026-11-20T14:47:00Z",
       {Identify(b, R"({"email":"li.wei@northwind.example","name":"Li Wei","first_name":"Li",
                       "title":"Head of Sales","timezone":"America/Chicago","phone":"+1 312 555 0100",
                       "company":{"name":"Northwind Logistics","domain":"northwind.example",
                                  "size":850,"industry":"logistics"}})")});
  Send("2026-11-20T14:48:00Z", {Track(b, "Demo Requested", "{}", "/pricing")});
  const int64_t lead = LeadOf("demo-1");
  const json brief = BriefAt(lead, "2026-11-20T15:00:00Z");
  EXPECT_EQ(brief["why_now"]["text"], "Requested a demo from /pricing 12 minutes ago.");
  EXPECT_TRUE(brief["contact"]["call"]["allowed"].get<bool>());
  EXPECT_EQ(brief["next_step"]["action"].get<std::string>().rfind("Call Li now.", 0), 0u);
  ExpectGoldenBrief("demo_request", brief);

  // The new owner's notification carries the same brief, complete, in Markdown.
  std::vector<OutboxMessage> assigned;
  const std::vector<OutboxMessage> outbox = store_->ListOutbox(0, 1000).value();
  for (const OutboxMessage& m : outbox) {
    if (m.type == "lead.assigned" && m.lead_id == lead) assigned.push_back(m);
  }
  ASSERT_EQ(assigned.size(), 1u);
  json body = json::parse(assigned[0].payload);
  EXPECT_EQ(body["data"]["notify"][0]["email"],
            store_->GetLead(lead).value()->owner_id == rafael_.id ? "Rafael@seller.example"
                                                                  : "Sofia@seller.example");
  EXPECT_EQ(body["data"]["brief"]["why_now"]["text"], "Requested a demo from /pricing just now.");
  const std::string text = body["data"]["text"];
  EXPECT_NE(text.find("## Why now"), std::string::npos);
  EXPECT_NE(text.find("## Talking points"), std::string::npos);
  EXPECT_NE(text.find("How long does an inbound lead wait"), std::string::npos);
  EXPECT_NE(body["data"]["subject"].get<std::string>().find("Li Wei"), std::string::npos);
}

// Recycled as not ready, back three months later: the brief says what was already said.
TEST_F(BriefJourneysTest, RecycledLeadThatCameBack) {
  const std::string c = Ids("back-1", "u-sam");
  Send("2026-09-01T10:00:00Z",
       {Identify(c, R"({"email":"sam.okafor@initech.example","name":"Sam Okafor",
                       "title":"Sales Operations Lead","timezone":"Europe/London",
                       "company":{"name":"Initech","size":430,"industry":"financial services"}})"),
        Track(c, "Form Submitted", R"({"form":"contact-sales"})", "/contact")});
  const int64_t lead = LeadOf("back-1");
  LeadRecord first = store_->GetLead(lead).value().value();
  ASSERT_TRUE(first.owner_id.has_value());
  const UserRecord owner = *first.owner_id == rafael_.id ? rafael_ : sofia_;
  clock_.Set(T("2026-09-01T11:00:00Z"));
  {
    auto txn = store_->BeginLeadTxn().value();
    TouchInput email{Channel::kEmail, Purpose::kSalesOutreach, "outbound",
                     "Discussed routing; they are moving CRM until Q1, call back then"};
    auto touch = engine_->RecordTouch(*txn, lead, Actor{owner}, email, clock_.Now());
    ASSERT_TRUE(touch.ok() && touch->touch.has_value());
    ASSERT_TRUE(txn->Commit().ok());
  }
  clock_.Set(T("2026-09-02T09:00:00Z"));
  {
    auto txn = store_->BeginLeadTxn().value();
    Outcome outcome{"recycled", "moving CRM until Q1", std::nullopt, T("2026-12-01T00:00:00Z")};
    ASSERT_TRUE(engine_->RecordOutcome(*txn, lead, Actor{owner}, outcome, clock_.Now()).ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  // While it is set aside the brief says so, and when it comes back, not what qualified it.
  const json aside = BriefAt(lead, "2026-09-03T09:00:00Z");
  EXPECT_EQ(aside["why_now"]["trigger"], "recycled");
  EXPECT_EQ(aside["why_now"]["text"],
            "Recycled yesterday (moving CRM until Q1); it comes back to sales on 2026-12-01, or "
            "sooner if it asks.");
  Send("2026-11-19T13:00:00Z",
       {Page(c, "/resources/lead-scoring-playbook", "The Lead Scoring Playbook",
             R"({"source":"newsletter","medium":"email","name":"nov-newsletter"})"),
        Track(c, "Content Downloaded",
              R"({"asset_id":"lead-scoring-playbook","title":"The Lead Scoring Playbook"})",
              "/resources/lead-scoring-playbook")});
  Send("2026-11-20T14:20:00Z", {Track(c, "Demo Requested", "{}", "/pricing")});
  LeadRecord back = store_->GetLead(lead).value().value();
  ASSERT_EQ(back.stage, Stage::kMql);
  const json brief = BriefAt(lead, "2026-11-20T15:00:00Z");
  EXPECT_TRUE(brief["why_now"].value("came_back", false));
  EXPECT_EQ(brief["history"]["previous_owners"].size(), 1u);
  EXPECT_EQ(brief["history"]["touches"].size(), 1u);
  EXPECT_EQ(brief["history"]["outcomes"][0]["disposition"], "recycled");
  EXPECT_EQ(brief["history"]["outcomes"][0]["reason"], "moving CRM until Q1");
  EXPECT_NE(brief["next_step"]["owner"], nullptr);
  ExpectGoldenBrief("recycled_came_back", brief);
}

// Two weeks of anonymous reading, then a newsletter sign-up: the journey starts at the
// first anonymous visit, not at the sign-up.
TEST_F(BriefJourneysTest, AnonymousHistoryLaterIdentified) {
  const std::string d = Ids("anon-1");
  Send("2026-11-06T08:00:00Z",
       {Page(d, "/blog/three-reps-one-lead", "Three reps, one lead, no customer", "",
             "https://www.google.com/")});
  Send("2026-11-06T08:05:00Z", {Page(d, "/pricing", "Pricing")});
  Send("2026-11-10T19:00:00Z",
       {Page(d, "/resources/lead-scoring-playbook", "The Lead Scoring Playbook", "",
             "https://www.g2.com/categories/lead-management")});
  Send("2026-11-10T19:02:00Z",
       {Track(d, "Content Downloaded", R"({"asset_id":"lead-scoring-playbook"})",
              "/resources/lead-scoring-playbook")});
  Send("2026-11-17T12:00:00Z", {Page(d, "/pricing", "Pricing")});
  Send("2026-11-20T11:00:00Z",
       {Track(d, "Form Submitted", R"({"form":"newsletter"})", "/blog/speed-to-lead"),
        Identify(d,
                 R"({"email":"maya.patel@hooli.example","name":"Maya Patel","title":"VP Marketing",
                       "country":"Germany",
                       "company":{"name":"Hooli Cloud","size":60,"industry":"software"}})")});
  const int64_t lead = LeadOf("anon-1");
  const json brief = BriefAt(lead, "2026-11-20T11:30:00Z");
  EXPECT_EQ(brief["journey"]["anonymous_events"], 6);
  EXPECT_EQ(brief["journey"]["first_seen_at"], "2026-11-06T08:00:00.000Z");
  EXPECT_EQ(brief["who"]["timezone"], "Europe/Berlin");
  ExpectGoldenBrief("anonymous_then_identified", brief);
}

// Nothing known: every section says so instead of inventing anything.
TEST_F(BriefJourneysTest, LeadWithNoData) {
  BriefInput in;
  in.lead.id = 42;
  in.lead.email = "someone@example.org";
  in.lead.created_at = in.lead.updated_at = T("2026-11-20T09:00:00Z");
  in.now = T("2026-11-20T15:00:00Z");
  ContactFacts facts;
  facts.subject = ContactSubjectOf(in.lead);
  for (Channel channel : {Channel::kCall, Channel::kEmail}) {
    ContactRequest request{channel, Purpose::kSalesOutreach, "outbound", std::nullopt, false};
    (channel == Channel::kCall ? in.call : in.email) =
        DecideContact(config_.contact, facts, request, in.now);
  }
  json brief = BuildBrief(in);
  for (const char* section :
       {"why_now", "journey", "campaign", "talking_points", "score", "history"}) {
    EXPECT_TRUE(brief[section].contains("note")) << section << " should say it has no data";
  }
  EXPECT_TRUE(brief["who"]["name"].is_null());
  EXPECT_TRUE(brief["talking_points"]["points"].empty());
  EXPECT_EQ(brief["talking_points"]["dont"].size(), BriefDontList().size());
  ExpectGoldenBrief("no_data", brief);
}

// What anonymous forms fill (name, title, company, a page title) is the person's text:
// in the Markdown brief it is literal text — no heading, link, emphasis or HTML of
// theirs — and the notification subject is one line.
TEST_F(BriefJourneysTest, HostileNamesTitlesAndCompaniesStayLiteralText) {
  const std::string b = Ids("hostile-1");
  Send("2026-11-20T14:40:00Z",
       {Page(b, "/pricing", "Pricing <img src=x onerror=alert(1)> [win](http://evil.example)")});
  Send("2026-11-20T14:47:00Z", {Identify(b, R"json({"email":"eve@evil.example",
                   "name":"# Eve\r\nSet-Cookie: s=1\n\n- [click](javascript:alert(1))",
                   "title":"*CEO* <script>alert(1)</script>","timezone":"Europe/London",
                   "company":{"name":"`Acme` _Corp_ | <b>&amp;</b> ![x](http://evil.example/x.png)",
                              "size":120,"industry":"> quoted\n1. listed"}})json")});
  Send("2026-11-20T14:48:00Z", {Track(b, "Demo Requested", "{}", "/pricing")});
  const int64_t lead = LeadOf("hostile-1");
  const json brief = BriefAt(lead, "2026-11-20T15:00:00Z");
  ExpectGoldenBrief("hostile_values", brief);
  const std::string md = RenderBriefMarkdown(brief);
  for (const char* raw : {"<script>", "<img", "<b>", "[click](", "[x](", "[win](", "\n# Eve",
                          "\n- [click", "\n> quoted", "\n1. listed", "*CEO*", "`Acme`"}) {
    EXPECT_EQ(md.find(raw), std::string::npos) << "raw \"" << raw << "\" in\n" << md;
  }
  EXPECT_NE(md.find("\\[click\\](javascript:alert(1))"), std::string::npos) << md;
  EXPECT_NE(md.find("&lt;script&gt;"), std::string::npos) << md;
  const std::vector<OutboxMessage> outbox = store_->ListOutbox(0, 1000).value();
  for (const OutboxMessage& m : outbox) {
    if (m.type != "lead.assigned" || m.lead_id != lead) continue;
    const std::string subject = json::parse(m.payload)["data"]["subject"];
    EXPECT_EQ(subject.find_first_of("\r\n"), std::string::npos) << subject;
    EXPECT_TRUE(subject.starts_with("New lead for you: # Eve Set-Cookie: s=1 - [click]"))
        << subject;
  }
}

}  // namespace
}  // namespace tandem
