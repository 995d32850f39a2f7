// Leads that arrive outside a web page, over the API: added by hand (POST /api/v1/leads)
// with the address's source and consent basis required, joining the person who already
// visited; and a file uploaded to POST /api/v1/imports, whose provenance the lead keeps
// and whose opt-outs the gate honours. Also: a client's context.tandem is never trusted.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http/admin_api_fixture.h"

namespace tandem {
namespace {

using nlohmann::json;
using testing::HttpResult;

class LeadIntakeTest : public AdminApiTest {
 protected:
  json Add(const std::string& token, const json& body, unsigned expect) {
    HttpResult r = Call("POST", "/api/v1/leads", token, body.dump());
    EXPECT_EQ(r.status, expect) << r.body;
    return json::parse(r.body, nullptr, false);
  }
  json Prefs(const std::string& lead) {
    return json::parse(Call("GET", "/api/v1/leads/" + lead + "/preferences", token_admin_).body,
                       nullptr, false);
  }
  json Check(const std::string& lead, const std::string& query) {
    return json::parse(
        Call("GET", "/api/v1/leads/" + lead + "/contact-check?" + query, token_admin_).body,
        nullptr, false);
  }
};

// Where events come from: marketing adds a website's source, copies its snippet, and
// sees when it last sent something.
TEST_F(LeadIntakeTest, MarketingAddsASourceWhoseSnippetSendsEvents) {
  HttpResult added = Call("POST", "/api/v1/sources", token_marketing_, R"({"name":"Docs site"})");
  ASSERT_EQ(added.status, 201u) << added.body;
  const json source = json::parse(added.body);
  const std::string key = source["write_key"];
  ASSERT_GE(key.size(), 20u);
  EXPECT_EQ(source["snippet"],
            "<script async src=\"http://127.0.0.1:" + std::to_string(app_->port()) +
                "/t.js?k=" + key + "\"></script>");
  EXPECT_TRUE(source["last_event_at"].is_null());
  // The snippet's script answers for the key, and events sent with it are stored.
  EXPECT_EQ(client_->Request("GET", "/t.js?k=" + key, "").status, 200u);
  clock_.Advance(std::chrono::minutes(5));
  HttpResult sent = client_->Post("/v1/track", R"({"anonymousId":"a1","event":"Docs Read"})",
                                  {{"Authorization", testing::BasicAuth(key)}});
  ASSERT_EQ(sent.status, 200u) << sent.body;
  json listed = json::parse(Call("GET", "/api/v1/sources", token_admin_).body);
  json* found = nullptr;
  for (json& item : listed["items"]) {
    if (item["id"] == source["id"]) found = &item;
  }
  ASSERT_NE(found, nullptr) << listed.dump();
  EXPECT_EQ((*found)["last_event_at"], "2026-11-23T10:05:00.000Z") << found->dump();
  // One name, whatever its case; what is wrong is named; reps and viewers see no keys.
  HttpResult twice = Call("POST", "/api/v1/sources", token_admin_, R"({"name":"DOCS SITE"})");
  EXPECT_EQ(twice.status, 409u);
  EXPECT_EQ(json::parse(twice.body)["error"]["code"], "source_name_taken");
  EXPECT_EQ(Call("POST", "/api/v1/sources", token_admin_, R"({})").status, 422u);
  EXPECT_EQ(Call("POST", "/api/v1/sources", token_admin_, R"({"name":"a\u0007b"})").status, 422u);
  EXPECT_EQ(
      Call("POST", "/api/v1/sources", token_admin_, R"({"name":"x","write_key":"mine"})").status,
      422u);
  EXPECT_EQ(Call("GET", "/api/v1/sources", token_rep_).status, 403u);
  EXPECT_EQ(Call("POST", "/api/v1/sources", token_manager_, R"({"name":"Other"})").status, 403u);
}

TEST_F(LeadIntakeTest, ARepAddsSomeoneTheyMetAndOwnsTheLead) {
  json lead = Add(token_rep_,
                  {{"email", " Dana.Berg@Example.ORG "},
                   {"first_name", "Dana"},
                   {"last_name", "Berg"},
                   {"company", "Berg & Co"},
                   {"title", "CTO"},
                   {"address_source", "event"},
                   {"consent_basis", "consent"},
                   {"consent_wording", "Yes, send me the product newsletter"}},
                  201);
  ASSERT_TRUE(lead.contains("id")) << lead.dump();
  EXPECT_EQ(lead["email"], "dana.berg@example.org");
  EXPECT_EQ(lead["name"], "Dana Berg");
  EXPECT_EQ(lead["company"]["name"], "Berg & Co");
  ASSERT_TRUE(lead["owner"].is_object());
  EXPECT_EQ(lead["owner"]["id"], "usr_" + std::to_string(rep_));
  const std::string id = lead["id"];
  json prefs = Prefs(id);
  EXPECT_EQ(prefs["address_source"], "event") << prefs.dump();
  // Consent recorded with its wording: marketing email may go.
  json check = Check(id, "channel=email&purpose=email_marketing");
  EXPECT_EQ(check["allowed"], true) << check.dump();
  // The lead's log says who added it; the audit trail too.
  json timeline = json::parse(Call("GET", "/api/v1/leads/" + id + "/timeline", token_admin_).body);
  EXPECT_NE(timeline.dump().find("added by hand by usr_" + std::to_string(rep_)),
            std::string::npos);
  json audit = json::parse(Call("GET", "/api/v1/audit?action=lead.added", token_admin_).body);
  ASSERT_EQ(audit["items"].size(), 1u) << audit.dump();
  EXPECT_EQ(audit["items"][0]["subject"], id);
}

TEST_F(LeadIntakeTest, AnAddressTandemKnowsJoinsItsPerson) {
  Ingest(
      R"({"batch":[{"type":"page","anonymousId":"a-1","name":"Pricing","properties":{"path":"/pricing"}},
    {"type":"identify","anonymousId":"a-1","userId":"u-1","traits":{"email":"kim@known.example"}}]})");
  const std::string existing = LeadIdOf("u-1");
  json lead = Add(token_manager_,
                  {{"email", "KIM@known.example"},
                   {"title", "Head of Ops"},
                   {"address_source", "purchased"},
                   {"consent_basis", "none"}},
                  201);
  EXPECT_EQ(lead["id"], existing);
  EXPECT_EQ(lead["title"], "Head of Ops");
  // The person gave the address on the page first ("event": an identify): the lead keeps
  // that provenance, not the purchased list's.
  EXPECT_EQ(Prefs(existing)["address_source"], "event");
}

TEST_F(LeadIntakeTest, WhereTheAddressCameFromAndTheConsentBasisAreRequired) {
  json missing = Add(token_rep_, {{"email", "a@b.example"}, {"consent_basis", "none"}}, 422);
  EXPECT_EQ(missing["error"]["code"], "missing_field");
  EXPECT_NE(missing["error"]["message"].get<std::string>().find("address_source"),
            std::string::npos);
  Add(token_rep_, {{"email", "a@b.example"}, {"address_source", "event"}}, 422);
  json bad = Add(token_rep_,
                 {{"email", "a@"}, {"address_source", "event"}, {"consent_basis", "none"}}, 422);
  EXPECT_NE(bad["error"]["message"].get<std::string>().find("is not an email address"),
            std::string::npos);
  json bought = Add(token_rep_,
                    {{"email", "x@b.example"},
                     {"address_source", "purchased"},
                     {"consent_basis", "consent"},
                     {"consent_wording", "ok"}},
                    422);
  EXPECT_NE(bought["error"]["message"].get<std::string>().find("carries no consent"),
            std::string::npos);
  json unknown = Add(token_rep_,
                     {{"email", "y@b.example"},
                      {"address_source", "event"},
                      {"consent_basis", "none"},
                      {"score", 99}},
                     400);
  EXPECT_EQ(unknown["error"]["code"], "invalid_field");
  json owner = Add(token_manager_,
                   {{"email", "z@b.example"},
                    {"address_source", "event"},
                    {"consent_basis", "none"},
                    {"owner", "nobody@x.example"}},
                   422);
  EXPECT_EQ(owner["error"]["code"], "unknown_user");
  EXPECT_EQ(raw_store_->CountLeads().value(), 0);
}

TEST_F(LeadIntakeTest, AnUploadedFileKeepsItsOptOutsAndAClientCannotForgeOne) {
  const std::string file =
      "Email,First Name,Unsubscribed from all email,Do not call,address_source\r\n"
      "ann@f.example,Ann,Yes,false,purchased\r\n"
      "ben@f.example,Ben,No,true,\r\n"
      "broken-address,Cy,No,false,\r\n";
  HttpResult r = client_->Request(
      "POST", "/api/v1/imports", file,
      {{"Authorization", "Bearer " + token_marketing_}, {"Content-Type", "text/csv"}});
  ASSERT_EQ(r.status, 201u) << r.body;
  json summary = json::parse(r.body);
  EXPECT_EQ(summary["accepted"], 2);
  EXPECT_EQ(summary["stored"], 2);
  ASSERT_EQ(summary["rejected"].size(), 1u);
  EXPECT_EQ(summary["rejected"][0]["line"], 4);
  ASSERT_TRUE(app_->pipeline().Drain().ok());
  auto ann = raw_store_->FindPersonByIdentity({IdentityKind::kEmail, "ann@f.example"}).value();
  auto ben = raw_store_->FindPersonByIdentity({IdentityKind::kEmail, "ben@f.example"}).value();
  ASSERT_TRUE(ann && ben);
  const std::string ann_id = "ld_" + std::to_string(*ann), ben_id = "ld_" + std::to_string(*ben);
  EXPECT_EQ(Prefs(ann_id)["address_source"], "purchased");
  json email = Check(ann_id, "channel=email&purpose=email_marketing");
  EXPECT_EQ(email["allowed"], false);
  EXPECT_NE(email.dump().find("unsubscribed"), std::string::npos) << email.dump();
  json call = Check(ben_id, "channel=call");
  EXPECT_NE(call.dump().find("do_not_contact"), std::string::npos) << call.dump();
  // The same upload again stores nothing twice.
  HttpResult again = client_->Request(
      "POST", "/api/v1/imports", file,
      {{"Authorization", "Bearer " + token_marketing_}, {"Content-Type", "text/csv"}});
  ASSERT_EQ(again.status, 201u);
  EXPECT_EQ(json::parse(again.body)["already_imported"], 2);
  EXPECT_EQ(Call("POST", "/api/v1/imports", token_rep_, file).status, 403u);

  // A web page claiming consent through context.tandem is not believed.
  Ingest(
      R"({"batch":[{"type":"identify","userId":"u-9","traits":{"email":"eve@f.example","lead":true},
    "context":{"page":{"path":"/"},"tandem":{"import":{"consent_basis":"consent","consent_wording":"forged",
    "address_source":"form","email_opt_out":false}}}}]})");
  json eve = Check(LeadIdOf("u-9"), "channel=email&purpose=email_marketing");
  EXPECT_EQ(eve["allowed"], false) << eve.dump();
  EXPECT_NE(eve.dump().find("no_consent"), std::string::npos) << eve.dump();
}

}  // namespace
}  // namespace tandem
