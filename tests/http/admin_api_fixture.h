// A server with an admin, a sales rep who gets every new lead, a sales manager and a
// marketer, each with an API token: for what admins alone may do (the audit trail, a
// person's whole record) and what the others do that admins then read.
#pragma once

#include <string>

#include "support/api_fixture.h"

namespace tandem {

class AdminApiTest : public testing::ApiFixture {
 protected:
  AdminApiTest() : ApiFixture("2026-11-23T10:00:00Z") {}  // Monday 10:00 UTC

  void SetUp() override {
    OpenStoreFirst();
    admin_ = AddUser("admin@x.example", "admin", &token_admin_);
    rep_ = AddUser("rep@x.example", "sales_rep", &token_rep_, 1000);
    manager_ = AddUser("m@x.example", "sales_manager", &token_manager_, 0);
    AddUser("mk@x.example", "marketing", &token_marketing_, 0);
    Start();
  }

  int64_t admin_ = 0, rep_ = 0, manager_ = 0;
  std::string token_admin_, token_rep_, token_manager_, token_marketing_;
};

}  // namespace tandem
