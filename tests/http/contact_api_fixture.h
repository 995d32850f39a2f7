// The contact API tests' workspace: users of each role, hot leads, the HTTP client.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/api_fixture.h"

namespace tandem {

using nlohmann::json;
using testing::HttpClient;
using testing::HttpResult;

class ContactApiTest : public testing::ApiFixture {
 protected:
  ContactApiTest() : ApiFixture("2026-11-23T10:00:00Z") {}  // Monday 10:00 UTC

  void SetUp() override {
    OpenStoreFirst();
    for (int i = 0; i < 4; ++i) {
      reps_.push_back(AddUser(fmt::format("rep{}@x.example", i), "sales_rep",
                              &rep_tokens_.emplace_back(), 1000));
    }
    AddUser("m@x.example", "sales_manager", &token_manager_);
    AddUser("mk@x.example", "marketing", &token_marketing_);
    AddUser("v@x.example", "viewer", &token_viewer_);
    Start();
  }

  // A prospect in London asking for a demo: hot, owned at once.
  std::string HotLead(int n) {
    Ingest(fmt::format(
        R"({{"batch":[{{"type":"identify","userId":"u{0}","traits":{{"email":"p{0}@co{0}.example","timezone":"Europe/London"}}}},
        {{"type":"track","userId":"u{0}","event":"Demo Requested"}}]}})",
        n));
    return LeadIdOf("u" + std::to_string(n));
  }

  // The token of the lead's owner, and of another rep.
  std::pair<std::string, std::string> OwnerAndOther(const std::string& lead) {
    json body = json::parse(Call("GET", "/api/v1/leads/" + lead, token_manager_).body);
    for (size_t i = 0; i < reps_.size(); ++i) {
      if (body["owner"]["id"] == fmt::format("usr_{}", reps_[i])) {
        return {rep_tokens_[i], rep_tokens_[(i + 1) % reps_.size()]};
      }
    }
    ADD_FAILURE() << "no rep owns " << lead;
    return {};
  }

  std::vector<int64_t> reps_;
  std::vector<std::string> rep_tokens_;
  std::string token_manager_, token_marketing_, token_viewer_;

  HttpResult PostForm(const std::string& target, const std::string& body) {
    return client_->Request("POST", target, body,
                            {{"Content-Type", "application/x-www-form-urlencoded"}});
  }
  bool Unsubscribed(const std::string& lead) {
    return json::parse(Call("GET", "/api/v1/leads/" + lead + "/preferences", token_manager_).body)
        .value("unsubscribed", false);
  }
  // The outbox messages of `type`, as their JSON bodies.
  std::vector<json> Outbox(const std::string& type) {
    std::vector<json> out;
    const std::vector<OutboxMessage> outbox = raw_store_->ListOutbox(0, 100000).value();
    for (const OutboxMessage& m : outbox) {
      if (m.type == type) out.push_back(json::parse(m.payload));
    }
    return out;
  }
  std::vector<std::string> TimelineKinds(const std::string& lead) {
    std::vector<std::string> kinds;
    json timeline = json::parse(
        Call("GET", "/api/v1/leads/" + lead + "/timeline?limit=500", token_manager_).body);
    for (const json& item : timeline["items"]) kinds.push_back(item["kind"]);
    return kinds;
  }
};

}  // namespace tandem
