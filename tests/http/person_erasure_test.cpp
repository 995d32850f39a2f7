// Erasing a person over real HTTP, on both back-ends: afterwards no table holds their
// address or name, the access request and a search find nothing, the reports give the
// same figures, and when the address comes back — by a form, then by an import — sales
// sees a new lead but no marketing email can reach it; the audit trail shows the
// erasure and both returns, and none of them names the address or the reason.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "auth/tokens.h"
#include "http/email_send_fixture.h"
#include "store/sql/sql_db.h"

namespace tandem {
namespace {

using nlohmann::json;
using testing::HttpResult;

constexpr const char* kAddress = "ana.erased@offsite.example";

class PersonErasureTest : public EmailSendTest {
 protected:
  void SetUp() override {
    EmailSendTest::SetUp();
    UserRecord admin;
    admin.email = admin.name = "admin@meetco.example";
    admin.role = Role::kAdmin;
    admin.team = "sales";
    admin.capacity = 0;
    admin.timezone = "UTC";
    admin.created_at = admin.updated_at = clock_.Now();
    const int64_t id = raw_store_->CreateUser(admin)->id;
    admin_token_ = NewApiToken();
    ASSERT_TRUE(raw_store_->AddApiToken(id, HashApiToken(admin_token_), clock_.Now()).ok());
  }

  // Every report's figures, as the API answers them.
  std::vector<std::string> Reports() {
    std::vector<std::string> out;
    for (const char* report : {"funnel", "outcomes", "speed-to-lead", "attribution"}) {
      for (const char* by : {"", "&by=source", "&by=rep"}) {
        HttpResult r = Call(
            "GET", fmt::format("/api/v1/reports/{}?from=2026-11-01&to=2026-12-31{}", report, by),
            admin_token_);
        EXPECT_EQ(r.status, 200u) << report << by << r.body;
        out.push_back(std::string(report) + by + " " + r.body);
      }
    }
    return out;
  }

  // "table.column" of every text column of every table holding `needle` (any case).
  std::vector<std::string> ColumnsHolding(const std::string& needle) {
    auto db = dir_.OpenDb();
    EXPECT_TRUE(db.ok()) << db.status().message();
    const bool pg = (*db)->dialect() == sql::Dialect::kPostgres;
    const std::string columns_sql =
        pg ? "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema "
             "= current_schema() AND data_type = 'text' ORDER BY 1, 2"
           : "SELECT m.name, c.name FROM sqlite_master m, pragma_table_info(m.name) c WHERE "
             "m.type = 'table' AND upper(c.type) = 'TEXT' ORDER BY 1, 2";
    std::vector<std::pair<std::string, std::string>> columns;
    sql::Statement* list = *(*db)->Prepare(columns_sql);
    while (*list->Step()) columns.emplace_back(list->Text(0), list->Text(1));
    list->Reset();
    EXPECT_GT(columns.size(), 100u);
    std::vector<std::string> out;
    for (const auto& [table, column] : columns) {
      sql::Statement* count = *(*db)->Prepare(fmt::format(
          "SELECT COUNT(*) FROM {0} WHERE lower({1}) LIKE '%' || lower(?) || '%'", table, column));
      count->Bind(1, needle);
      if (*count->Step() && count->Int(0) > 0) out.push_back(table + "." + column);
      count->Reset();
    }
    return out;
  }

  std::string admin_token_;
};

TEST_F(PersonErasureTest, NothingOfThePersonStaysButTheCountsAndMarketingNeverReturns) {
  // A person with a full history: visits, a form, a demo request, a touch with a note,
  // consent, an email, a won deal with its reason.
  Ingest(
      R"({"batch":[{"type":"page","anonymousId":"anon-ana","context":{"campaign":{"source":"google","medium":"cpc"},"ip":"203.0.113.9","userAgent":"Mozilla/5.0 AnaBrowser"},"properties":{"path":"/pricing","url":"https://meetco.example/pricing?who=ana.erased@offsite.example"}}]})");
  const std::string lead = Lead("u-ana", kAddress);
  Ingest(
      R"({"batch":[{"type":"identify","userId":"u-ana","anonymousId":"anon-ana","traits":{"title":"Head of Zyxwvut","phone":"+44 20 7946 0991"}}]})");
  Consent(lead);
  ASSERT_EQ(
      Call(
          "POST", "/api/v1/leads/" + lead + "/touches", rep_token_,
          R"({"channel":"call","purpose":"sales_outreach","note":"Ana Ruiz wants Zyxwvut venues"})")
          .status,
      201u);
  Template("intro", "sales_outreach", "default", "Ana, a question",
           "<p>Hi {{lead.first_name | there}}, how many people will come to the offsite?</p>");
  ASSERT_EQ(Call("POST", "/api/v1/leads/" + lead + "/emails", rep_token_, R"({"template":"intro"})")
                .status,
            201u);
  ASSERT_TRUE(Until([&] { return sink_.ReceivedCount() >= 1; }));
  for (const char* disposition : {"accepted", "qualified", "opportunity"}) {
    json outcome = {{"disposition", disposition}};
    if (std::string_view(disposition) == "opportunity") outcome["amount"] = 12000;
    HttpResult moved =
        Call("POST", "/api/v1/leads/" + lead + "/outcome", rep_token_, outcome.dump());
    ASSERT_EQ(moved.status, 200u) << moved.body;
  }
  HttpResult won = Call("POST", "/api/v1/leads/" + lead + "/outcome", rep_token_,
                        R"({"disposition":"won","amount":12000,"reason":"signed"})");
  ASSERT_EQ(won.status, 200u) << won.body;
  const std::vector<std::string> before = Reports();
  ASSERT_FALSE(ColumnsHolding("ana.erased").empty());
  ASSERT_FALSE(ColumnsHolding("Zyxwvut").empty());

  // Only admins erase, and only with a reason.
  const std::string target = "/api/v1/persons/" + lead;
  const std::string why = R"({"reason":"Ana Ruiz asked by phone on 2026-11-23"})";
  for (const std::string* token : {&rep_token_, &rep2_token_, &marketing_token_}) {
    EXPECT_EQ(Call("DELETE", target, *token, why).status, 403u);
  }
  HttpResult no_reason = Call("DELETE", target, admin_token_, R"({"reason":"  "})");
  EXPECT_EQ(no_reason.status, 422u) << no_reason.body;
  EXPECT_EQ(json::parse(no_reason.body)["error"]["code"], "reason_required");
  EXPECT_EQ(Call("DELETE", target, admin_token_, "{}").status, 422u);
  EXPECT_EQ(Call("DELETE", "/api/v1/persons/ld_999999", admin_token_, why).status, 404u);
  EXPECT_EQ(Call("DELETE", "/api/v1/persons/nobody%40offsite.example", admin_token_, why).status,
            404u);

  HttpResult erased =
      Call("DELETE", "/api/v1/persons/ANA.ERASED%40offsite.example", admin_token_, why);
  ASSERT_EQ(erased.status, 200u) << erased.body;
  const json done = json::parse(erased.body);
  EXPECT_EQ(done["person"], lead);
  EXPECT_EQ(done["suppressed_addresses"], 1);
  EXPECT_GE(done["rows"]["events"], 4) << done;
  EXPECT_EQ(Call("DELETE", target, admin_token_, why).status, 404u);  // once

  // No table holds the address, the name or what they told us; the reports are the same.
  EXPECT_EQ(ColumnsHolding("ana.erased"), std::vector<std::string>{});
  EXPECT_EQ(ColumnsHolding("Ana Ruiz"), std::vector<std::string>{});
  EXPECT_EQ(ColumnsHolding("Zyxwvut"), std::vector<std::string>{});
  EXPECT_EQ(ColumnsHolding("AnaBrowser"), std::vector<std::string>{});
  EXPECT_EQ(ColumnsHolding("203.0.113.9"), std::vector<std::string>{});
  EXPECT_EQ(ColumnsHolding("anon-ana"), std::vector<std::string>{});
  EXPECT_EQ(ColumnsHolding("20 7946 0991"), std::vector<std::string>{});
  EXPECT_EQ(Reports(), before);
  EXPECT_EQ(Call("GET", target + "/record", admin_token_).status, 404u);
  EXPECT_EQ(Call("GET", "/api/v1/persons/ana.erased%40offsite.example/record", admin_token_).status,
            404u);
  EXPECT_EQ(Call("GET", "/api/v1/leads/" + lead, admin_token_).status, 404u);
  const json found =
      json::parse(Call("GET", "/api/v1/leads?q=ana.erased%40offsite.example", admin_token_).body);
  EXPECT_TRUE(found["items"].empty()) << found;
  const json listed = json::parse(Call("GET", "/api/v1/leads?limit=500", admin_token_).body);
  for (const json& l : listed["items"]) EXPECT_NE(l["id"], lead);

  // The address comes back: a form on the website, then an import.
  Ingest(
      R"({"batch":[{"type":"identify","anonymousId":"anon-new","traits":{"email":"Ana.Erased@offsite.example","name":"Ana Ruiz"}},{"type":"track","anonymousId":"anon-new","event":"Form Submitted","properties":{"form":"newsletter"}}]})");
  // A CRM's export with the address, claiming consent, uploaded by marketing.
  const HttpResult imported = client_->Request(
      "POST", "/api/v1/imports",
      "Email,Company Name,consent_basis,Consent text\r\n"
      "ana.erased@offsite.example,Offsite Co,consent,Send me the offsite newsletter\r\n",
      {{"Authorization", "Bearer " + marketing_token_}, {"Content-Type", "text/csv"}});
  ASSERT_EQ(imported.status, 201u) << imported.body;
  ASSERT_EQ(json::parse(imported.body)["stored"], 1);
  ASSERT_TRUE(app_->pipeline().Drain().ok());
  const auto person =
      raw_store_->FindPersonByIdentity({IdentityKind::kEmail, "ana.erased@offsite.example"});
  ASSERT_TRUE(person.ok() && *person);
  const std::string back = "ld_" + std::to_string(**person);
  EXPECT_NE(back, lead);
  // Sales sees the person who came back; marketing cannot reach them, consent or not.
  EXPECT_EQ(Call("GET", "/api/v1/leads/" + back, rep_token_).status, 200u);
  Consent(back);
  Template("news", "email_marketing", "default", "Three venues for your spring offsite?",
           "<p>Hi {{lead.first_name | there}}, are you planning a team offsite this spring?</p>");
  HttpResult marketing =
      Call("POST", "/api/v1/leads/" + back + "/emails", marketing_token_, R"({"template":"news"})");
  EXPECT_EQ(marketing.status, 422u) << marketing.body;
  EXPECT_NE(marketing.body.find("\"erased\""), std::string::npos) << marketing.body;

  // The trail: the erasure by the admin, the return by the form and by the import, each
  // once, and none names the address or the reason.
  const json trail = json::parse(Call("GET", "/api/v1/audit?limit=500", admin_token_).body);
  std::vector<std::string> seen;
  for (const json& e : trail["items"]) {
    if (e["action"] == "person.erased" || e["action"] == "person.returned") {
      seen.push_back(e["action"].get<std::string>() + " " + e["subject"].get<std::string>());
    }
    EXPECT_EQ(e.dump().find("erased@"), std::string::npos) << e;
    EXPECT_EQ(e.dump().find("by phone"), std::string::npos) << e;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"person.erased " + lead, "person.returned " + back,
                                            "person.returned " + back}));
}

}  // namespace
}  // namespace tandem
