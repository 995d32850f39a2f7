// The OpenAPI document of /api/v1 is generated from the router's table: every route the
// API serves has its description, and the served document lists exactly the routes the
// server answers. A route added without a description fails here.
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "http/openapi.h"
#include "support/api_fixture.h"

namespace tandem {
namespace {

using nlohmann::json;
using testing::HttpResult;
using Route = std::pair<std::string, std::string>;  // method, pattern

// The /api/v1 routes added without a RouteSpec, as "METHOD /path".
std::vector<std::string> Undescribed(const std::vector<http::Router::RouteInfo>& routes) {
  std::vector<std::string> out;
  for (const auto& route : routes) {
    if (route.pattern.starts_with(http::kApiPrefix) && !route.spec) {
      out.push_back(route.method + " " + route.pattern);
    }
  }
  return out;
}

std::set<Route> ServedApiRoutes(const std::vector<http::Router::RouteInfo>& routes) {
  std::set<Route> out;
  for (const auto& route : routes) {
    if (route.pattern.starts_with(http::kApiPrefix)) out.emplace(route.method, route.pattern);
  }
  return out;
}

std::set<Route> DocumentedRoutes(const json& document) {
  std::set<Route> out;
  for (const auto& [path, operations] : document["paths"].items()) {
    for (const auto& [method, operation] : operations.items()) {
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out.emplace(upper, path);
    }
  }
  return out;
}

class OpenApiTest : public testing::ApiFixture {
 protected:
  void SetUp() override {
    OpenStoreFirst();
    Start();
  }
};

TEST_F(OpenApiTest, EveryApiRouteHasADescription) {
  for (const std::string& route : Undescribed(app_->router().Routes())) {
    ADD_FAILURE() << route
                  << " is served without a description: add it with router.Add(RouteSpec{…}, …)";
  }
}

TEST_F(OpenApiTest, TheServedDocumentListsExactlyTheRoutesTheServerAnswers) {
  HttpResult r = client_->Request("GET", "/api/v1/openapi.json", "", {});
  ASSERT_EQ(r.status, 200u) << "the document needs no credentials: " << r.body;
  const json document = json::parse(r.body);
  EXPECT_EQ(document["openapi"], "3.1.0");
  const std::set<Route> served = ServedApiRoutes(app_->router().Routes());
  const std::set<Route> documented = DocumentedRoutes(document);
  for (const Route& route : served) {
    EXPECT_TRUE(documented.count(route))
        << route.first << " " << route.second << " is undocumented";
  }
  for (const Route& route : documented) {
    EXPECT_TRUE(served.count(route)) << route.first << " " << route.second << " is not served";
  }
  // Every documented operation is answered: the router routes it to its handler, which
  // asks for credentials (or, for the public ones, answers).
  for (const auto& [path, operations] : document["paths"].items()) {
    const std::string target = std::regex_replace(path, std::regex(R"(\{[^}]+\})"), "x1");
    for (const auto& [method, operation] : operations.items()) {
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      HttpResult answer = client_->Request(upper, target, upper == "GET" ? "" : "{}", {});
      const unsigned expected = operation["security"].empty() ? 200u : 401u;
      EXPECT_EQ(answer.status, expected) << upper << " " << target << ": " << answer.body;
    }
  }
}

TEST(OpenApiRoutes, ARouteAddedWithoutADescriptionIsCaught) {
  http::Router router;
  router.Add(http::RouteSpec{.method = "GET", .path = "/api/v1/things", .summary = "Things"},
             [](http::HttpRequest&&, http::Responder) {});
  router.Add("POST", "/api/v1/things", [](http::HttpRequest&&, http::Responder) {});
  router.Add("GET", "/healthz", [](http::HttpRequest&&, http::Responder) {});
  EXPECT_EQ(Undescribed(router.Routes()), std::vector<std::string>{"POST /api/v1/things"});
  const std::set<Route> documented = DocumentedRoutes(http::OpenApiDocument(router.Routes()));
  EXPECT_EQ(documented, (std::set<Route>{{"GET", "/api/v1/things"}}));
  EXPECT_NE(documented, ServedApiRoutes(router.Routes()));
}

}  // namespace
}  // namespace tandem
