// The leads API over real HTTP against a real SQLite file, and webhook delivery to a
// real HTTP receiver on loopback: auth and roles, every bad input of the contract,
// pagination, explanations that add up, signed at-least-once delivery with retries.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <mutex>
#include <nlohmann/json.hpp>

#include "app/application.h"
#include "app/open_store.h"
#include "auth/tokens.h"
#include "brief/brief_input.h"
#include "core/time_format.h"
#include "http/router.h"
#include "http/server.h"
#include "support/api_fixture.h"
#include "support/http_client.h"
#include "testing/test_store.h"
#include "webhooks/delivery_worker.h"
#include "webhooks/signature.h"

namespace tandem {
namespace {

using nlohmann::json;
using testing::BasicAuth;
using testing::HttpClient;
using testing::HttpResult;

class LeadsApiTest : public testing::ApiFixture {
 protected:
  void SetUp() override {
    OpenStoreFirst();
    rep_a_ = AddUser("a@x.example", "sales_rep", &token_a_);
    rep_b_ = AddUser("b@x.example", "sales_rep", &token_b_);
    AddUser("m@x.example", "sales_manager", &token_manager_);
    AddUser("v@x.example", "viewer", &token_viewer_);
    AddUser("mk@x.example", "marketing", &token_marketing_);
    Start();
  }

  // A hot lead for `n`; returns its id.
  std::string HotLead(int n) {
    Ingest(fmt::format(
        R"({{"batch":[{{"type":"identify","userId":"u{0}","traits":{{"email":"p{0}@co{0}.example","title":"Director"}}}},
        {{"type":"page","userId":"u{0}","name":"Pricing","context":{{"page":{{"path":"/pricing"}}}}}},
        {{"type":"track","userId":"u{0}","event":"Demo Requested"}}]}})",
        n));
    return LeadIdOf("u" + std::to_string(n));
  }

  int64_t rep_a_ = 0, rep_b_ = 0;
  std::string token_a_, token_b_, token_manager_, token_viewer_, token_marketing_;
};

TEST_F(LeadsApiTest, EveryCallNeedsAValidToken) {
  EXPECT_EQ(client_->Get("/api/v1/leads").status, 401u);
  HttpResult bad = Call("GET", "/api/v1/leads", "tdm_not-a-token");
  EXPECT_EQ(bad.status, 401u);
  EXPECT_EQ(json::parse(bad.body)["error"]["code"], "unauthenticated");
  EXPECT_EQ(Call("GET", "/api/v1/leads", token_viewer_).status, 200u);
}

TEST_F(LeadsApiTest, BadInputGetsTheRightStatusAndSaysWhat) {
  std::string lead = HotLead(1);
  HttpResult got = Call("GET", "/api/v1/leads/" + lead, token_viewer_);
  ASSERT_EQ(got.status, 200u) << got.body;
  json body = json::parse(got.body);
  std::string owner = body["owner"]["id"];
  const std::string& owner_token = owner == fmt::format("usr_{}", rep_a_) ? token_a_ : token_b_;
  const std::string& other_token = owner == fmt::format("usr_{}", rep_a_) ? token_b_ : token_a_;

  HttpResult missing = Call("GET", "/api/v1/leads/ld_999999", token_viewer_);
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(json::parse(missing.body)["error"]["message"], "lead ld_999999 does not exist");

  HttpResult read_only =
      Call("PATCH", "/api/v1/leads/" + lead, owner_token, R"({"score":{"total":99}})");
  EXPECT_EQ(read_only.status, 422u);
  EXPECT_EQ(json::parse(read_only.body)["error"]["code"], "read_only_field");
  EXPECT_NE(read_only.body.find("score"), std::string::npos);

  HttpResult not_mine = Call("PATCH", "/api/v1/leads/" + lead, other_token, R"({"title":"CEO"})");
  EXPECT_EQ(not_mine.status, 403u) << not_mine.body;
  EXPECT_EQ(json::parse(not_mine.body)["error"]["code"], "not_owner");

  HttpResult no_reason = Call("POST", "/api/v1/leads/" + lead + "/outcome", owner_token,
                              R"({"disposition":"rejected"})");
  EXPECT_EQ(no_reason.status, 422u);
  EXPECT_EQ(json::parse(no_reason.body)["error"]["code"], "reason_required");

  HttpResult illegal = Call("POST", "/api/v1/leads/" + lead + "/outcome", owner_token,
                            R"({"disposition":"won","amount":100})");
  EXPECT_EQ(illegal.status, 409u);
  EXPECT_NE(illegal.body.find("allowed: sal, recycled, disqualified"), std::string::npos)
      << illegal.body;

  HttpResult viewer = Call("POST", "/api/v1/leads/" + lead + "/outcome", token_viewer_,
                           R"({"disposition":"accepted"})");
  EXPECT_EQ(viewer.status, 403u);
  HttpResult bad_json = Call("PATCH", "/api/v1/leads/" + lead, owner_token, "{nope");
  EXPECT_EQ(bad_json.status, 400u);
  EXPECT_EQ(Call("GET", "/api/v1/leads?sort=shoe", token_viewer_).status, 400u);
  EXPECT_EQ(Call("GET", "/api/v1/leads?cursor=zzz", token_viewer_).status, 400u);

  // Nothing above changed the lead.
  json after = json::parse(Call("GET", "/api/v1/leads/" + lead, token_viewer_).body);
  EXPECT_EQ(after["stage"], "mql");
  EXPECT_EQ(after["title"], "Director");
  EXPECT_EQ(after["owner"]["id"], owner);

  // The owner works it.
  HttpResult accepted = Call("POST", "/api/v1/leads/" + lead + "/outcome", owner_token,
                             R"({"disposition":"accepted"})");
  ASSERT_EQ(accepted.status, 200u) << accepted.body;
  EXPECT_EQ(json::parse(accepted.body)["stage"], "sal");
}

TEST_F(LeadsApiTest, ManagerReassignsWithAReasonAndTheTimelineShowsIt) {
  std::string lead = HotLead(1);
  json body = json::parse(Call("GET", "/api/v1/leads/" + lead, token_viewer_).body);
  std::string to = body["owner"]["id"] == fmt::format("usr_{}", rep_a_)
                       ? fmt::format("usr_{}", rep_b_)
                       : fmt::format("usr_{}", rep_a_);
  EXPECT_EQ(Call("PATCH", "/api/v1/leads/" + lead, token_a_,
                 json{{"owner_id", to}, {"reason", "x"}}.dump())
                .status,
            403u);
  EXPECT_EQ(
      Call("PATCH", "/api/v1/leads/" + lead, token_manager_, json{{"owner_id", to}}.dump()).status,
      422u);
  HttpResult moved = Call("PATCH", "/api/v1/leads/" + lead, token_manager_,
                          json{{"owner_id", to}, {"reason", "speaks German"}}.dump());
  ASSERT_EQ(moved.status, 200u) << moved.body;
  EXPECT_EQ(json::parse(moved.body)["owner"]["id"], to);
  json timeline =
      json::parse(Call("GET", "/api/v1/leads/" + lead + "/timeline", token_viewer_).body);
  std::vector<std::string> kinds;
  for (auto& item : timeline["items"]) kinds.push_back(item["kind"]);
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "event"), 3);
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "assigned"), 2);
  EXPECT_EQ(timeline["items"].back()["reason"], "speaks German");
}

TEST_F(LeadsApiTest, ListsFilterSortAndPageWithCursors) {
  for (int i = 1; i <= 7; ++i) {
    HotLead(i);
    clock_.Advance(std::chrono::minutes(1));
  }
  std::set<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    HttpResult page = Call(
        "GET",
        "/api/v1/leads?owner=me&sort=sla&limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor),
        token_a_);
    ASSERT_EQ(page.status, 200u) << page.body;
    json body = json::parse(page.body);
    for (auto& item : body["items"]) {
      EXPECT_EQ(item["owner"]["id"], fmt::format("usr_{}", rep_a_));
      EXPECT_TRUE(seen.insert(item["id"]).second) << "listed twice: " << item["id"];
    }
    cursor = body["next_cursor"].is_null() ? "" : body["next_cursor"].get<std::string>();
    ++pages;
  } while (!cursor.empty() && pages < 10);
  EXPECT_GE(seen.size(), 3u);  // round robin gave rep a about half of 7
  EXPECT_LE(seen.size(), 4u);

  json by_score = json::parse(
      Call("GET", "/api/v1/leads?sort=score&stage=mql&priority=hot&min_score=1", token_viewer_)
          .body);
  EXPECT_EQ(by_score["items"].size(), 7u);
  double previous = 1e9;
  for (auto& item : by_score["items"]) {
    double total = item["score"]["total"];
    EXPECT_LE(total, previous + 0.01);
    previous = total;
    // The explanation adds up to the score the lead shows.
    json score = json::parse(
        Call("GET", "/api/v1/leads/" + item["id"].get<std::string>() + "/score", token_viewer_)
            .body);
    double sum = 0;
    for (auto& e : score["explanation"]) sum += e["decayed_points"].get<double>();
    EXPECT_NEAR(sum, total, 1e-9);
    EXPECT_EQ(score["total"], item["score"]["total"]);
  }
}

TEST_F(LeadsApiTest, SearchesBySourceTextStageAndSlaAndCarriesTheWhyNowLine) {
  std::string direct = HotLead(1);
  Ingest(R"({"batch":[{"type":"identify","userId":"ada","traits":{"email":"ada@engines.example",
      "name":"Ada Lovelace","title":"Director","company":"Analytical Engines"}},
    {"type":"page","userId":"ada","name":"Pricing","context":{"page":{"path":"/pricing"},
      "campaign":{"source":"Google","medium":"cpc","name":"sem"}}},
    {"type":"track","userId":"ada","event":"Demo Requested","properties":{"form":"demo-request"}}]})");
  std::string searched = LeadIdOf("ada");
  auto ids = [&](const std::string& query) {
    HttpResult r = Call("GET", "/api/v1/leads?" + query, token_viewer_);
    EXPECT_EQ(r.status, 200u) << query << ": " << r.body;
    json body = json::parse(r.body);
    std::vector<std::string> out;
    for (auto& item : body["items"]) out.push_back(item["id"]);
    std::sort(out.begin(), out.end());
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(ids("q=lovelace"), V{searched});
  EXPECT_EQ(ids("q=%20Analytical%20"), V{searched});  // trimmed, any case, the company too
  EXPECT_EQ(ids("q=p1%40co1"), V{direct});
  EXPECT_EQ(ids("q=%25"), V{});  // a LIKE wildcard is searched for, not expanded
  EXPECT_EQ(ids("source=google"), V{searched});
  EXPECT_EQ(ids("source=direct"), V{direct});
  EXPECT_EQ(ids("form=demo-request"), V{searched});  // a form it submitted
  EXPECT_EQ(ids("form=newsletter"), V{});
  V both{direct, searched};
  std::sort(both.begin(), both.end());
  EXPECT_EQ(ids("stage=mql,sal"), both);
  EXPECT_EQ(ids("stage=mql,sal,sql,opportunity,customer"), both);
  EXPECT_EQ(ids("stage=sal,sql"), V{});
  EXPECT_EQ(ids("sla=overdue"), V{});

  // Three days later nobody has contacted either of them: both are overdue, until the
  // owner of one sends an email.
  clock_.Advance(std::chrono::hours(72));
  EXPECT_EQ(ids("sla=overdue"), both);
  EXPECT_EQ(ids("sla=overdue&q=ada"), V{searched});
  std::string owner =
      json::parse(Call("GET", "/api/v1/leads/" + direct, token_viewer_).body)["owner"]["id"];
  const std::string& owner_token = owner == fmt::format("usr_{}", rep_a_) ? token_a_ : token_b_;
  HttpResult touch = Call("POST", "/api/v1/leads/" + direct + "/touches", owner_token,
                          R"({"channel":"email","note":"Sent the pricing sheet"})");
  ASSERT_EQ(touch.status, 201u) << touch.body;
  EXPECT_EQ(ids("sla=overdue"), V{searched});

  HttpResult with = Call("GET", "/api/v1/leads?q=ada&include=why_now", token_viewer_);
  ASSERT_EQ(with.status, 200u) << with.body;
  json why = json::parse(with.body)["items"][0]["why_now"];
  EXPECT_EQ(why["trigger"], "hand_raise");
  EXPECT_NE(why["text"].get<std::string>().find("demo"), std::string::npos) << why;
  EXPECT_FALSE(
      json::parse(Call("GET", "/api/v1/leads?q=ada", token_viewer_).body)["items"][0].contains(
          "why_now"));

  for (const char* bad : {"stage=mql,nope", "sla=breached", "include=everything"}) {
    HttpResult r = Call("GET", std::string("/api/v1/leads?") + bad, token_viewer_);
    EXPECT_EQ(r.status, 400u) << bad;
    json error = json::parse(r.body)["error"];
    EXPECT_EQ(error["code"], "invalid_parameter");
    std::string value = std::string(bad).substr(std::string(bad).find_last_of("=,") + 1);
    EXPECT_NE(error["message"].get<std::string>().find(value), std::string::npos) << error;
  }
}

TEST_F(LeadsApiTest, UsersSetTheirOutOfOfficeAndOnlyManagersTheirCapacity) {
  HttpResult ooo = Call("PATCH", "/api/v1/users/me", token_a_,
                        R"({"out_of_office":{"from":"2026-12-20","until":"2027-01-02"}})");
  ASSERT_EQ(ooo.status, 200u) << ooo.body;
  EXPECT_EQ(json::parse(ooo.body)["out_of_office"]["until"], "2027-01-03T00:00:00.000Z");
  EXPECT_EQ(Call("PATCH", "/api/v1/users/me", token_a_, R"({"capacity":500})").status, 403u);
  EXPECT_EQ(Call("PATCH", fmt::format("/api/v1/users/usr_{}", rep_b_), token_a_, R"({"name":"x"})")
                .status,
            403u);
  HttpResult capacity = Call("PATCH", fmt::format("/api/v1/users/usr_{}", rep_a_), token_manager_,
                             R"({"capacity":5})");
  ASSERT_EQ(capacity.status, 200u) << capacity.body;
  EXPECT_EQ(json::parse(capacity.body)["capacity"], 5);
  EXPECT_EQ(Call("PATCH", "/api/v1/users/me", token_a_, R"({"email":"z@z"})").status, 422u);
}

// The timeline pages like the lists (1 to 500), and a control character in a search
// is refused rather than matching every lead.
TEST_F(LeadsApiTest, TimelineLimitsAndSearchTextAreBounded) {
  std::string lead = HotLead(1);
  const std::string timeline = "/api/v1/leads/" + lead + "/timeline";
  for (const char* limit : {"-1", "0", "501", "100000", "x", ""}) {
    HttpResult r = Call("GET", timeline + "?limit=" + limit, token_viewer_);
    EXPECT_EQ(r.status, 400u) << limit;
    EXPECT_EQ(json::parse(r.body)["error"]["code"], "invalid_parameter");
    const std::string message = json::parse(r.body)["error"]["message"];
    EXPECT_NE(message.find(std::string("limit \"") + limit + "\""), std::string::npos) << message;
  }
  EXPECT_EQ(Call("GET", timeline + "?cursor=-5", token_viewer_).status, 400u);
  HttpResult two = Call("GET", timeline + "?limit=2", token_viewer_);
  ASSERT_EQ(two.status, 200u);
  EXPECT_EQ(json::parse(two.body)["items"].size(), 2u);
  EXPECT_EQ(json::parse(two.body)["next_cursor"], "2");
  EXPECT_EQ(Call("GET", timeline + "?limit=500", token_viewer_).status, 200u);

  for (const char* q : {"%00", "a%0Ab", "%0D", "%7F"}) {
    HttpResult r = Call("GET", std::string("/api/v1/leads?q=") + q, token_viewer_);
    EXPECT_EQ(r.status, 400u) << q << " " << r.body;
    EXPECT_EQ(json::parse(r.body)["error"]["code"], "invalid_parameter");
    const std::string message = json::parse(r.body)["error"]["message"];
    EXPECT_TRUE(message.starts_with("q \"")) << message;
  }
  HttpResult plain = Call("GET", "/api/v1/leads?q=nobody-matches-this", token_viewer_);
  ASSERT_EQ(plain.status, 200u);
  EXPECT_TRUE(json::parse(plain.body)["items"].empty());
}

// Marketing moves the marketing stages; sales stages and dispositions are sales'.
TEST_F(LeadsApiTest, MarketingMovesOnlyMarketingStages) {
  Ingest(R"({"batch":[{"type":"identify","userId":"n1","traits":{"email":"n1@n.example"}}]})");
  const std::string lead = LeadIdOf("n1");
  const std::string path = "/api/v1/leads/" + lead;
  for (const char* stage : {"sal", "disqualified", "sql"}) {
    HttpResult r =
        Call("PATCH", path, token_marketing_, json{{"stage", stage}, {"reason", "bad_fit"}}.dump());
    EXPECT_EQ(r.status, 403u) << stage << " " << r.body;
    EXPECT_NE(r.body.find("marketing stages"), std::string::npos) << r.body;
  }
  for (const char* disposition : {"accepted", "rejected"}) {
    HttpResult r = Call("POST", path + "/outcome", token_marketing_,
                        json{{"disposition", disposition}, {"reason", "bad_fit"}}.dump());
    EXPECT_EQ(r.status, 403u) << disposition << " " << r.body;
  }
  EXPECT_EQ(json::parse(Call("GET", path, token_viewer_).body)["stage"], "lead");
  HttpResult mql =
      Call("PATCH", path, token_marketing_, json{{"stage", "mql"}, {"reason", "webinar"}}.dump());
  ASSERT_EQ(mql.status, 200u) << mql.body;
  EXPECT_EQ(json::parse(mql.body)["stage"], "mql");
}

// A lead's name is the person's text: it reaches a notification subject as one line.
TEST_F(LeadsApiTest, AHostileNameReachesTheAssignedNotificationAsOneLine) {
  Ingest(R"json({"batch":[{"type":"identify","userId":"eve","traits":{"email":"eve@e.example",
      "name":"Eve\r\nSet-Cookie: s=1\r\n\r\n<script>alert(1)</script>",
      "company":"**Acme** [x](javascript:alert(1))"}},
      {"type":"track","userId":"eve","event":"Demo Requested"}]})json");
  bool seen = false;
  const std::vector<OutboxMessage> outbox = raw_store_->ListOutbox(0, 100000).value();
  for (const OutboxMessage& m : outbox) {
    if (m.type != "lead.assigned") continue;
    seen = true;
    json data = json::parse(m.payload)["data"];
    const std::string subject = data["subject"];
    EXPECT_EQ(subject.find_first_of("\r\n"), std::string::npos) << subject;
    EXPECT_TRUE(subject.starts_with("New lead for you: Eve Set-Cookie: s=1 <script>")) << subject;
    EXPECT_LE(subject.size(), 200u);
    const std::string text = data["text"];
    EXPECT_EQ(text.find("<script>"), std::string::npos) << text;
    EXPECT_EQ(text.find("[x](javascript"), std::string::npos) << text;
    EXPECT_NE(text.find("&lt;script&gt;"), std::string::npos) << text;
    EXPECT_NE(text.find("\\*\\*Acme\\*\\*"), std::string::npos) << text;
  }
  EXPECT_TRUE(seen);
}

// A webhook receiver on loopback: records requests, answers with a scripted status.
class Receiver {
 public:
  Receiver() {
    router_.Add("POST", "/hook", [this](http::HttpRequest&& request, http::Responder respond) {
      std::lock_guard lock(mu_);
      unsigned status = answers_.empty() ? 200 : answers_.front();
      if (!answers_.empty()) answers_.erase(answers_.begin());
      received_.push_back({std::string(request.message["Tandem-Signature"]),
                           std::string(request.message["Tandem-Event"]),
                           std::string(request.message["Tandem-Delivery"]), request.message.body(),
                           status});
      respond(http::JsonResponse(status, "{}"));
    });
    http::HttpServer::Options options;
    options.listen = "127.0.0.1:0";
    options.threads = 1;
    server_ = std::make_unique<http::HttpServer>(options, router_, metrics_);
    EXPECT_TRUE(server_->Start().ok());
  }
  ~Receiver() { server_->Shutdown(std::chrono::milliseconds(1000)); }
  std::string url() const { return fmt::format("http://127.0.0.1:{}/hook", server_->port()); }
  void AnswerNext(std::vector<unsigned> statuses) {
    std::lock_guard lock(mu_);
    answers_ = std::move(statuses);
  }
  struct Delivery {
    std::string signature, event, delivery, body;
    unsigned status;
  };
  std::vector<Delivery> received() {
    std::lock_guard lock(mu_);
    return received_;
  }

 private:
  http::Router router_;
  Metrics metrics_;
  std::unique_ptr<http::HttpServer> server_;
  std::mutex mu_;
  std::vector<unsigned> answers_;
  std::vector<Delivery> received_;
};

TEST(Webhooks, SignedRetriedInOrderAndNotBlockedByADeadReceiver) {
  testing::TestStore dir;
  ManualClock clock{*ParseIsoTime("2026-11-22T10:00:00Z")};
  auto store = std::move(OpenStore(dir.Url(), StoreOptions{}).value());
  int64_t source = store->CreateSource("Web", "key", clock.Now())->id;
  UserRecord rep;
  rep.email = "rep@x";
  rep.name = "Rep";
  rep.role = Role::kSalesRep;
  rep.created_at = rep.updated_at = clock.Now();
  ASSERT_TRUE(store->CreateUser(rep).ok());
  Receiver receiver;
  const std::string secret = "a-secret-of-enough-length";
  std::vector<WebhookConfig> hooks = {
      {receiver.url(), secret, {}},
      {"http://127.0.0.1:1/dead", "another-long-secret!", {"lead.assigned"}}};
  LeadEngine engine(DefaultScoring(), RoutingConfig{}, hooks, ContactConfig{}, SlaConfig{},
                    OwnerBriefFor);
  Metrics metrics;
  EventPipeline::Options options;
  options.leads = &engine;
  EventPipeline pipeline(*store, clock, metrics, options);
  SegmentParser parser;
  std::string body =
      R"({"batch":[{"type":"identify","userId":"u1","traits":{"email":"a@acme.example"}},
                                  {"type":"track","userId":"u1","event":"Demo Requested"}]})";
  auto parsed = parser.Parse(IngestRequest{IngestCall::kBatch, body, clock.Now(), "127.0.0.1"});
  for (auto& e : parsed->events) e.source_id = source;
  ASSERT_TRUE(store->AppendEvents(parsed->events).ok());
  ASSERT_TRUE(pipeline.Drain().ok());

  auto sender = NewCurlWebhookSender(std::chrono::seconds(2));
  DeliveryWorker worker(*store, *sender, hooks, clock, metrics);
  receiver.AnswerNext({500});
  // The receiver fails the first message: it stays first in line for this lead.
  EXPECT_EQ(worker.DeliverDue().value(), 2u);  // lead.created (500) and the dead endpoint's
  EXPECT_EQ(receiver.received().size(), 1u);
  EXPECT_EQ(worker.DeliverDue().value(), 0u);  // both wait for their backoff
  clock.Advance(DeliveryWorker::Backoff(1));
  for (int i = 0; i < 6; ++i) (void)worker.DeliverDue();
  auto got = receiver.received();
  ASSERT_EQ(got.size(), 5u);  // the retry, then mql, stage_changed, assigned
  std::vector<std::string> types;
  for (auto& d : got) types.push_back(d.event);
  EXPECT_EQ(types, (std::vector<std::string>{"lead.created", "lead.created", "lead.mql",
                                             "lead.stage_changed", "lead.assigned"}));
  EXPECT_EQ(got[0].delivery, got[1].delivery);  // the same id on a retry
  for (auto& d : got) {
    json payload = json::parse(d.body);
    EXPECT_EQ(payload["type"], d.event);
    EXPECT_EQ(payload["id"], d.delivery);
    EXPECT_EQ(payload["data"]["lead"]["email"], "a@acme.example");
    std::string t = d.signature.substr(2, d.signature.find(',') - 2);
    EXPECT_EQ(d.signature, SignatureHeader(secret, std::stoll(t), d.body));
  }
  // The dead endpoint is still pending, retried later; nothing was lost.
  EXPECT_EQ(store->CountPendingDeliveries().value(), 1);
  EXPECT_EQ(json::parse(got[4].body)["data"]["rule"], "default");
}

}  // namespace
}  // namespace tandem
