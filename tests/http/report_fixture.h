// ReportFixture: the API fixture the report tests share — a sales team (two reps, a
// manager, marketing, a viewer) with their tokens, outcomes recorded by each lead's
// owner, and a report's row found by its group.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "support/api_fixture.h"

namespace tandem::testing {

class ReportFixture : public ApiFixture {
 protected:
  // Opens the store and adds the team; then Start().
  void OpenStoreWithTeam() {
    OpenStoreFirst();
    rep_a_ = AddUser("a@x.example", "sales_rep", &token_rep_a_);
    rep_b_ = AddUser("b@x.example", "sales_rep", &token_rep_b_);
    AddUser("m@x.example", "sales_manager", &token_manager_);
    AddUser("mk@x.example", "marketing", &token_marketing_);
    AddUser("v@x.example", "viewer", &token_viewer_);
  }

  // The token of the rep who owns `lead` ("ld_N").
  std::string OwnerToken(const std::string& lead) {
    auto record = raw_store_->GetLead(std::stoll(lead.substr(3))).value().value();
    return record.owner_id == rep_a_ ? token_rep_a_ : token_rep_b_;
  }

  // Records an outcome on `lead` as its owner; fails the test unless it is taken.
  void Outcome(const std::string& lead, const std::string& body) {
    HttpResult r = Call("POST", "/api/v1/leads/" + lead + "/outcome", OwnerToken(lead), body);
    ASSERT_EQ(r.status, 200u) << body << ": " << r.body;
  }

  // The report's row of `key`, or null.
  static nlohmann::json Group(const nlohmann::json& report, const std::string& key) {
    for (const nlohmann::json& g : report["groups"]) {
      if (g["group"] == key) return g;
    }
    return nlohmann::json();
  }

  int64_t rep_a_ = 0, rep_b_ = 0;
  std::string token_rep_a_, token_rep_b_, token_manager_, token_marketing_, token_viewer_;
};

}  // namespace tandem::testing
