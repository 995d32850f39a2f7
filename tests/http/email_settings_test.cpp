// Email that could not go out right is refused before anything is queued: without
// [email] from_address nothing can be sent, and without server.public_url a marketing
// email's unsubscribe link would point nowhere. Each is a 422 email_not_configured
// naming the setting, and nothing is recorded.
#include <nlohmann/json.hpp>

#include "support/api_fixture.h"

namespace tandem {
namespace {

using nlohmann::json;
using testing::HttpResult;

class EmailSettingsTest : public testing::ApiFixture {
 protected:
  void Open(const std::string& from_address, const std::string& public_url) {
    OpenStoreFirst();
    AddUser("rep@meetco.example", "sales_rep", &rep_);
    AddUser("mk@meetco.example", "marketing", &marketing_);
    Config config;
    config.email.from_address = from_address;
    config.email.company_name = "MeetCo";
    config.email.postal_address = "12 Harbour Road, Leith EH6 6LX";
    config.server.public_url = public_url;
    Start(config);
    Ingest(R"({"batch":[{"type":"identify","userId":"u1","traits":{"email":"ana@offsite.example",
      "name":"Ana Ruiz","timezone":"Europe/London"}},
      {"type":"track","userId":"u1","event":"Demo Requested"}]})");
    lead_ = LeadIdOf("u1");
    for (const char* purpose : {"sales_outreach", "email_marketing"}) {
      json body = {{"key", purpose},
                   {"name", purpose},
                   {"purpose", purpose},
                   {"subject", "A question about your offsite"},
                   {"html", "<p>Is a spring offsite something you are planning?</p>"}};
      ASSERT_EQ(Call("POST", "/api/v1/email-templates", marketing_, body.dump()).status, 201u);
    }
  }

  // A draft broadcast of the marketing template to every lead; its id.
  std::string Broadcast() {
    HttpResult f = Call("POST", "/api/v1/lead-filters", marketing_,
                        R"({"name":"everyone","query":"stage=lead"})");
    EXPECT_EQ(f.status, 201u) << f.body;
    HttpResult b = Call("POST", "/api/v1/broadcasts", marketing_,
                        json{{"name", "spring"},
                             {"template", "email_marketing"},
                             {"filter_id", json::parse(f.body)["id"]}}
                            .dump());
    EXPECT_EQ(b.status, 201u) << b.body;
    return json::parse(b.body)["id"];
  }

  static void ExpectRefused(const HttpResult& r, const std::string& setting) {
    EXPECT_EQ(r.status, 422u) << r.body;
    json error = json::parse(r.body)["error"];
    EXPECT_EQ(error["code"], "email_not_configured") << r.body;
    EXPECT_NE(error["message"].get<std::string>().find(setting), std::string::npos) << r.body;
  }

  size_t Sends() {
    return json::parse(Call("GET", "/api/v1/leads/" + lead_ + "/emails", marketing_).body)["items"]
        .size();
  }

  std::string rep_, marketing_, lead_;
};

TEST_F(EmailSettingsTest, WithoutAFromAddressNothingIsQueued) {
  Open("", "https://t.example.com");
  ExpectRefused(
      Call("POST", "/api/v1/leads/" + lead_ + "/emails", rep_, R"({"template":"sales_outreach"})"),
      "from_address");
  const std::string id = Broadcast();
  ExpectRefused(Call("POST", "/api/v1/broadcasts/" + id + "/schedule", marketing_, "{}"),
                "from_address");
  ExpectRefused(Call("POST", "/api/v1/broadcasts/" + id + "/test", marketing_,
                     json{{"lead_id", lead_}}.dump()),
                "from_address");
  EXPECT_EQ(Sends(), 0u);
  EXPECT_EQ(json::parse(Call("GET", "/api/v1/broadcasts/" + id, marketing_).body)["state"],
            "draft");
  // Nothing reached the lead's record either: no touch was written.
  EXPECT_EQ(
      json::parse(Call("GET", "/api/v1/leads/" + lead_ + "/touches", marketing_).body)["items"]
          .size(),
      0u);
}

TEST_F(EmailSettingsTest, WithoutAPublicUrlMarketingIsRefusedAndSalesEmailGoes) {
  Open("news@meetco.example", "");
  const std::string id = Broadcast();
  ExpectRefused(Call("POST", "/api/v1/broadcasts/" + id + "/schedule", marketing_, "{}"),
                "server.public_url");
  ExpectRefused(Call("POST", "/api/v1/broadcasts/" + id + "/test", marketing_,
                     json{{"lead_id", lead_}}.dump()),
                "server.public_url");
  EXPECT_EQ(Sends(), 0u);
  // A one-to-one sales email carries no unsubscribe link: it is queued.
  HttpResult sent =
      Call("POST", "/api/v1/leads/" + lead_ + "/emails", rep_, R"({"template":"sales_outreach"})");
  EXPECT_EQ(sent.status, 201u) << sent.body;
  EXPECT_EQ(Sends(), 1u);
}

}  // namespace
}  // namespace tandem
