// ApiFixture: a Tandem server on loopback over a real SQLite file, with users and
// tokens, for the API tests. Time is a ManualClock.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "app/application.h"
#include "app/open_store.h"
#include "auth/tokens.h"
#include "core/time_format.h"
#include "support/http_client.h"
#include "testing/test_store.h"

namespace tandem::testing {

class ApiFixture : public ::testing::Test {
 protected:
  explicit ApiFixture(const char* now = "2026-11-22T10:00:00Z") : clock_(*ParseIsoTime(now)) {}

  // Opens the store and creates the "key" source; add users, then Start().
  void OpenStoreFirst() {
    store_ = std::move(OpenStore(dir_.Url(), StoreOptions{}).value());
    store_->CreateSource("Web", "key", clock_.Now()).value();
    raw_store_ = store_.get();
  }

  // API tests send many requests at one instant of the manual clock, which no token
  // bucket refills: they run without /api/v1 request limits unless `request_limits`.
  void Start(Config config = {}, bool request_limits = false) {
    if (!request_limits) {
      config.limits.api_per_client_per_minute = 0;
      config.limits.api_per_token_per_minute = 0;
    }
    config.server.listen = "127.0.0.1:0";
    config.server.threads = 2;
    app_ = std::make_unique<Application>(config, std::move(store_), clock_);
    ASSERT_TRUE(app_->Start().ok());
    client_ = std::make_unique<HttpClient>(app_->port());
  }

  int64_t AddUser(const std::string& email, const std::string& role, std::string* token,
                  int capacity = 100, const std::string& timezone = "UTC") {
    UserRecord u;
    u.email = email;
    u.name = email;
    u.role = *ParseRole(role);
    u.team = "sales";
    u.capacity = capacity;
    u.timezone = timezone;
    u.created_at = u.updated_at = clock_.Now();
    int64_t id = store_->CreateUser(u)->id;
    *token = NewApiToken();
    EXPECT_TRUE(store_->AddApiToken(id, HashApiToken(*token), clock_.Now()).ok());
    return id;
  }

  // Sends events through the ingest endpoint and waits until they are processed.
  void Ingest(const std::string& batch) {
    HttpResult r = client_->Post("/v1/batch", batch, {{"Authorization", BasicAuth("key")}});
    ASSERT_EQ(r.status, 200u) << r.body;
    ASSERT_TRUE(app_->pipeline().Drain().ok());
  }

  std::string LeadIdOf(const std::string& user_id) {
    auto person = raw_store_->FindPersonByIdentity({IdentityKind::kUserId, user_id});
    return "ld_" + std::to_string(person.value().value());
  }

  HttpResult Call(const std::string& method, const std::string& target, const std::string& token,
                  const std::string& body = "") {
    return client_->Request(method, target, body, {{"Authorization", "Bearer " + token}});
  }

  TestStore dir_;
  ManualClock clock_;
  std::unique_ptr<Store> store_;
  Store* raw_store_ = nullptr;
  std::unique_ptr<Application> app_;
  std::unique_ptr<HttpClient> client_;
};

}  // namespace tandem::testing
