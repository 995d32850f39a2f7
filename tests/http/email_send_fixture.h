// The email tests' server: a real SMTP server (Debian's python3-aiosmtpd) the relay
// delivers to, a real HTTP server for the images and linked pages, a rep, a manager and a
// marketer, and helpers for leads, consents, templates, broadcasts and experiments.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "experiments/experiment.h"
#include "support/api_fixture.h"
#include "support/fixture_http_server.h"
#include "testing/smtp_sink.h"

namespace tandem {

using nlohmann::json;
using testing::HttpResult;

class EmailSendTest : public testing::ApiFixture {
 protected:
  EmailSendTest()
      : ApiFixture("2026-11-23T10:00:00Z"),  // Monday 10:00 UTC
        images_(std::string(TANDEM_SOURCE_DIR) + "/tests/support/fixture_http_server.py") {}

  void SetUp() override {
    sink_.Start();
    OpenStoreFirst();
    rep_ = AddUser("rep@meetco.example", "sales_rep", &rep_token_);
    AddUser("manager@meetco.example", "sales_manager", &rep2_token_);
    AddUser("mk@meetco.example", "marketing", &marketing_token_);
    Config config;
    config.email.relay = sink_.Url();
    config.email.from_address = "news@meetco.example";
    config.email.from_name = "MeetCo";
    config.email.company_name = "MeetCo";
    config.email.postal_address = "12 Harbour Road, Leith EH6 6LX";
    config.email.fetch_private_hosts = true;  // the images are on this machine
    config.email.connections = 2;
    config.server.public_url = "https://t.example.com";
    config.webhooks.push_back(
        {"http://127.0.0.1:9/hook", "secret", {"email.sent", "email.bounced"}});
    Start(config);
    // The owner hears of new leads by email only where a test asks for it.
    ASSERT_EQ(Call("PATCH", "/api/v1/users/me", rep_token_, R"({"notify_by":"none"})").status,
              200u);
  }

  // A London prospect who asked for a demo: hot, owned by the rep at once.
  std::string Lead(const std::string& user, const std::string& email) {
    Ingest(fmt::format(
        R"({{"batch":[{{"type":"identify","userId":"{0}","traits":{{"email":"{1}","name":"Ana Ruiz","company":{{"name":"Offsite Co"}},"timezone":"Europe/London"}}}},
        {{"type":"track","userId":"{0}","event":"Demo Requested"}}]}})",
        user, email));
    return LeadIdOf(user);
  }

  void Consent(const std::string& lead) {
    HttpResult r = Call("POST", "/api/v1/leads/" + lead + "/consents", marketing_token_,
                        R"({"purpose":"email_marketing","status":"granted","method":"form",)"
                        R"("form_id":"newsletter","wording":"Send me venue ideas"})");
    ASSERT_EQ(r.status, 201u) << r.body;
  }

  void Template(const std::string& key, const std::string& purpose, const std::string& layout,
                const std::string& subject, const std::string& html) {
    json body = {{"key", key},       {"name", key},        {"purpose", purpose},
                 {"layout", layout}, {"subject", subject}, {"html", html}};
    HttpResult r = Call("POST", "/api/v1/email-templates", marketing_token_, body.dump());
    ASSERT_EQ(r.status, 201u) << r.body;
  }

  // A new experiment of `body`, started by marketing; its id.
  std::string StartedExperiment(const json& body) {
    HttpResult created = Call("POST", "/api/v1/experiments", marketing_token_, body.dump());
    EXPECT_EQ(created.status, 201u) << created.body;
    const std::string id = json::parse(created.body).value("id", "");
    EXPECT_EQ(Call("POST", "/api/v1/experiments/" + id + "/start", marketing_token_, "{}").status,
              200u);
    return id;
  }

  // The experiment of `body` as the server places persons in its share and arms.
  static Experiment PlacedAs(const json& body) {
    Experiment e;
    e.key = body["key"];
    e.test_share = body.value("test_share", 1.0);
    for (const json& v : body["variants"]) {
      e.variants.push_back(
          {v["key"], v["weight"], v.value("subject", ""), v.value("template", "")});
    }
    return e;
  }

  // A draft broadcast of `key` to the hot leads; its id.
  std::string Broadcast(const std::string& key) {
    HttpResult f =
        Call("POST", "/api/v1/lead-filters", marketing_token_,
             json{{"name", fmt::format("hot {} {}", key, ++filters_)}, {"query", "priority=hot"}}
                 .dump());
    EXPECT_EQ(f.status, 201u) << f.body;
    HttpResult b = Call(
        "POST", "/api/v1/broadcasts", marketing_token_,
        json{{"name", key}, {"template", key}, {"filter_id", json::parse(f.body)["id"]}}.dump());
    EXPECT_EQ(b.status, 201u) << b.body;
    return json::parse(b.body)["id"];
  }

  // Runs the producer and wakes the sender until `done` holds (at most 30 s).
  bool Until(const std::function<bool()>& done) {
    for (int i = 0; i < 3000; ++i) {
      EXPECT_TRUE(app_->email().ProduceOnce().ok());
      if (done()) return true;
      app_->email().sender().Notify();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return done();
  }

  // The webhook messages of `type` in the outbox, as their JSON bodies.
  std::vector<json> Webhooks(const std::string& type) {
    std::vector<json> out;
    const std::vector<OutboxMessage> outbox = *raw_store_->ListOutbox(0, 10000);
    for (const OutboxMessage& m : outbox) {
      if (m.type == type) out.push_back(json::parse(m.payload));
    }
    return out;
  }

  json Get(const std::string& target) {
    return json::parse(Call("GET", target, marketing_token_).body);
  }

  std::string Logo(int w, int h) { return images_.Url(fmt::format("/image.png?w={}&h={}", w, h)); }

  testing::SmtpSink sink_;
  testing::FixtureHttpServer images_;
  int64_t rep_ = 0;
  int filters_ = 0;
  std::string rep_token_, rep2_token_, marketing_token_;
};

}  // namespace tandem
