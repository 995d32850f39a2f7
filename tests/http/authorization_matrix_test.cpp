// The authorization matrix: every route the server registers × every kind of caller
// (each role, the public write key, no credentials, a wrong token) × whose lead it is,
// against the expected answers written once in http/authorization_matrix.h. Each cell
// is a real, well-formed request; a cell that changes something gets fresh leads and
// users, so no cell depends on another. A route the router serves, or docs/api.md
// lists, without a row fails the test; so does a row for a route nobody serves.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "auth/passwords.h"
#include "contact/unsubscribe_token.h"
#include "http/authorization_matrix.h"
#include "ingest/segment_message.h"
#include "leads/lead_json.h"
#include "support/api_fixture.h"

namespace tandem {
namespace {

using nlohmann::json;
using testing::BasicAuth;
using testing::HttpResult;

using namespace matrix;  // the table and its vocabulary

// A valid body for an ingest call.
const char* IngestBody(IngestCall call) {
  switch (call) {
    case IngestCall::kIdentify:
      return R"({"userId":"ingest-1","traits":{"plan":"free"}})";
    case IngestCall::kTrack:
      return R"({"userId":"ingest-1","event":"Signed Up"})";
    case IngestCall::kPage:
    case IngestCall::kScreen:
      return R"({"userId":"ingest-1","name":"Home"})";
    case IngestCall::kGroup:
      return R"({"userId":"ingest-1","groupId":"acme.example"})";
    case IngestCall::kAlias:
      return R"({"userId":"ingest-1","previousId":"anon-1"})";
    case IngestCall::kBatch:
      break;
  }
  return R"({"batch":[{"type":"track","userId":"ingest-1","event":"Signed Up"}]})";
}

// Ingest: the write key only (a user's token is not one); every preflight is open.
std::vector<Row> IngestRows() {
  static std::vector<std::string> routes;
  if (routes.empty()) {
    for (const IngestPath& p : IngestPaths()) {
      routes.push_back(fmt::format("POST {}", p.path));
      routes.push_back(fmt::format("OPTIONS {}", p.path));
    }
  }
  std::vector<Row> rows;
  for (size_t i = 0; i < routes.size(); ++i) {
    const bool post = routes[i].starts_with("POST");
    rows.push_back({routes[i].c_str(), Lead::kNone, post ? "UUUUU YUU" : "YYYYY YYY",
                    post ? IngestBody(IngestPaths()[i / 2].call) : ""});
  }
  return rows;
}

std::vector<Row> AllRows() {
  std::vector<Row> rows(std::begin(kMatrix), std::end(kMatrix));
  for (const Row& row : IngestRows()) rows.push_back(row);
  return rows;
}

std::pair<std::string, std::string> SplitRoute(std::string_view route) {
  size_t space = route.find(' ');
  return {std::string(route.substr(0, space)), std::string(route.substr(space + 1))};
}

// "/api/v1/users/{id\|me}?x=1" → "/api/v1/users/{}": placeholders of any name match.
std::string Shape(std::string path) {
  path = path.substr(0, path.find('?'));
  path = std::regex_replace(path, std::regex(R"(\{[^}]*\}|<[^>]*>)"), "{}");
  return path;
}

bool IsIngestPath(std::string_view path) {
  for (const IngestPath& p : IngestPaths()) {
    if (p.path == path) return true;
  }
  return false;
}

std::string_view Meaning(char expect) {
  switch (expect) {
    case 'Y':
      return "allowed and done (2xx/3xx)";
    case 'y':
      return "allowed (not 401/403/5xx)";
    case 'G':
      return "refused by the contact gate (409 contact_refused)";
    case 'N':
      return "refused (403)";
    case 'H':
      return "refused as if it did not exist (404)";
    default:
      return "refused (401)";
  }
}

bool Meets(char expect, const HttpResult& r) {
  switch (expect) {
    case 'Y':
      return r.status >= 200 && r.status < 400;
    case 'y':
      return r.status != 401 && r.status != 403 && r.status < 500;
    case 'G':
      return r.status == 409 && r.body.find("contact_refused") != std::string::npos;
    case 'N':
      return r.status == 403;
    case 'H':
      return r.status == 404;
    case 'U':
      return r.status == 401;
    default:
      return false;
  }
}

// The letters of a row, one per caller.
std::string Letters(const Row& row) {
  std::string letters;
  for (const char* c = row.expect; *c; ++c) {
    if (*c != ' ') letters += *c;
  }
  return letters;
}

class AuthorizationMatrixTest : public testing::ApiFixture {
 protected:
  // A Tuesday afternoon in UTC: inside working hours, outside quiet hours.
  AuthorizationMatrixTest() : ApiFixture("2026-11-24T15:00:00Z") {}

  void SetUp() override {
    OpenStoreFirst();
    const char* roles[] = {"admin", "sales_manager", "sales_rep", "marketing", "viewer"};
    for (int c = kAdmin; c <= kViewer; ++c) {
      ids_[c] = AddUser(fmt::format("{}@x.example", roles[c]), roles[c], &tokens_[c]);
    }
    std::string unused;
    other_rep_ = AddUser("rep2@x.example", "sales_rep", &unused);
    int64_t login = AddUser(kLoginEmail, "viewer", &unused);
    ASSERT_TRUE(store_->SetPassword(login, HashPassword(kLoginPassword).value()).ok());
    // The sender a marketing email names in its footer (a test send renders it).
    Config config;
    config.email.from_address = "news@acme.example";
    config.email.company_name = "Acme";
    config.email.postal_address = "1 Main St, Springfield";
    config.server.public_url = "https://t.example.com";
    Start(config);
    secret_ = LoadUnsubscribeSecret(*raw_store_).value();
    for (Lead lead : {Lead::kOwn, Lead::kOther, Lead::kUnowned}) shared_[lead] = NewLead(lead);
  }

  // A new lead, at stage "lead", owned as `lead` says; its id ("ld_N").
  std::string NewLead(Lead lead) {
    const int n = ++leads_made_;
    Ingest(fmt::format(
        R"({{"batch":[{{"type":"identify","userId":"matrix-{0}","traits":{{"email":"p{0}@co{0}.example","name":"Person {0}"}}}}]}})",
        n));
    std::string id = LeadIdOf(fmt::format("matrix-{}", n));
    if (lead == Lead::kOwn || lead == Lead::kOther) {
      const int64_t owner = lead == Lead::kOwn ? ids_[kRep] : other_rep_;
      HttpResult r =
          Call("PATCH", "/api/v1/leads/" + id, tokens_[kAdmin],
               fmt::format(R"({{"owner_id":"{}","reason":"set up"}})", UserIdText(owner)));
      EXPECT_EQ(r.status, 200u) << r.body;
    }
    return id;
  }

  // A new active user; its id ("usr_N"). `token` (nullable) receives an API token.
  std::string NewUser(const std::string& role, std::string* token = nullptr) {
    UserRecord u;
    u.email = fmt::format("{}-{}@x.example", role, ++users_made_);
    u.name = u.email;
    u.role = *ParseRole(role);
    u.team = "sales";
    u.capacity = 100;
    u.timezone = "UTC";
    u.created_at = u.updated_at = clock_.Now();
    const int64_t id = raw_store_->CreateUser(u).value().id;
    if (token) *token = AddToken(id);
    return UserIdText(id);
  }

  std::string AddToken(int64_t user_id) {
    std::string token = NewApiToken();
    EXPECT_TRUE(raw_store_->AddApiToken(user_id, HashApiToken(token), clock_.Now()).ok());
    return token;
  }

  // The ids GET /api/v1/tokens lists for the bearer of `token`.
  std::set<std::string> TokenIds(const std::string& token) {
    std::set<std::string> ids;
    HttpResult r = Call("GET", "/api/v1/tokens", token);
    json body = json::parse(r.body, nullptr, false);
    if (r.status != 200 || !body.contains("items")) return ids;
    for (const json& item : body["items"]) {
      if (item.contains("id"))
        ids.insert(item["id"].is_string() ? item["id"].get<std::string>() : item["id"].dump());
    }
    return ids;
  }

  // A token of user `user_id` made now, found by its id in the listing of `lister`.
  std::string NewTokenId(int64_t user_id, const std::string& lister) {
    std::set<std::string> before = TokenIds(lister);
    std::string token = AddToken(user_id);
    std::set<std::string> after = TokenIds(lister.empty() ? token : lister);
    for (const std::string& id : after) {
      if (!before.count(id)) return id;
    }
    return "tok_unknown";  // the listing is not there: the row fails, saying so
  }

  std::string NewCatalogEntry(bool campaign) {
    std::string key = fmt::format("matrix-{}", ++keys_made_);
    HttpResult r = Call("POST", campaign ? "/api/v1/campaigns" : "/api/v1/content", tokens_[kAdmin],
                        Fill(campaign ? kCampaignNew : kContentNew, {{"new_key", key}}));
    EXPECT_EQ(r.status, 201u) << r.body;
    return key;
  }

  // A template made by an admin: for marketing (a broadcast's) or one-to-one sales email.
  std::string NewTemplate(bool marketing) {
    const std::string key = fmt::format("matrix-{}", ++keys_made_);
    json body = {{"key", key},
                 {"name", "Matrix"},
                 {"purpose", marketing ? "email_marketing" : "sales_outreach"},
                 {"subject", "A question for {{company.name | you}}"},
                 {"html", "<p>Is this worth a call for you?</p>"}};
    HttpResult r = Call("POST", "/api/v1/email-templates", tokens_[kAdmin], body.dump());
    EXPECT_EQ(r.status, 201u) << r.body;
    return key;
  }

  // A saved filter, or a draft broadcast of a new marketing template to one; its id.
  std::string NewFilterOrBroadcast(bool broadcast) {
    HttpResult r = Call(
        "POST", "/api/v1/lead-filters", tokens_[kAdmin],
        json{{"name", fmt::format("matrix-{}", ++keys_made_)}, {"query", "stage=lead"}}.dump());
    json body = json::parse(r.body, nullptr, false);
    EXPECT_EQ(r.status, 201u) << r.body;
    const std::string filter = body.value("id", "flt_0");
    if (!broadcast) return filter;
    r = Call(
        "POST", "/api/v1/broadcasts", tokens_[kAdmin],
        json{{"name", "Matrix"}, {"template", NewTemplate(true)}, {"filter_id", filter}}.dump());
    body = json::parse(r.body, nullptr, false);
    EXPECT_EQ(r.status, 201u) << r.body;
    return body.value("id", "bc_0");
  }

  // A draft web experiment with a new key (started when `running`); its id.
  std::string NewExperiment(bool running) {
    const std::string key = fmt::format("matrix-{}", ++keys_made_);
    HttpResult r = Call("POST", "/api/v1/experiments", tokens_[kAdmin],
                        Fill(kExperimentNew, {{"new_key", key}}));
    EXPECT_EQ(r.status, 201u) << r.body;
    const std::string id = json::parse(r.body, nullptr, false).value("id", "ex_0");
    if (running) {
      r = Call("POST", "/api/v1/experiments/" + id + "/start", tokens_[kAdmin], "{}");
      EXPECT_EQ(r.status, 200u) << r.body;
    }
    return id;
  }

  // A nurture sequence of a new marketing template, or a one-to-one sequence of the
  // sales_rep's, of a new sales template; its id.
  std::string NewSequence(bool one_to_one) {
    json body = {
        {"name", fmt::format("matrix-{}", ++keys_made_)},
        {"kind", one_to_one ? "one_to_one" : "nurture"},
        {"steps", json::array({{{"kind", "email"}, {"template", NewTemplate(!one_to_one)}},
                               {{"kind", "task"}, {"wait_days", 5}, {"note", "Look again"}}})}};
    HttpResult r =
        Call("POST", "/api/v1/sequences", tokens_[one_to_one ? kRep : kAdmin], body.dump());
    EXPECT_EQ(r.status, 201u) << r.body;
    return json::parse(r.body, nullptr, false).value("id", "sq_0");
  }

  // An enrolment of `lead_id` in a new nurture sequence; its id.
  std::string NewEnrolment(const std::string& lead_id) {
    HttpResult r = Call("POST", "/api/v1/sequences/" + NewSequence(false) + "/enrolments",
                        tokens_[kAdmin], json{{"lead_id", lead_id}}.dump());
    EXPECT_EQ(r.status, 201u) << r.body;
    return json::parse(r.body, nullptr, false).value("id", "en_0");
  }

  // An inbound touch on `lead_id` that the lead's owner did not record; its id.
  std::string NewInboundTouch(const std::string& lead_id) {
    HttpResult r =
        Call("POST", "/api/v1/leads/" + lead_id + "/touches", tokens_[kMarketing], kInbound);
    json body = json::parse(r.body, nullptr, false);
    EXPECT_EQ(r.status, 201u) << r.body;
    return body.is_object() && body.contains("id") ? body["id"].get<std::string>() : "tch_0";
  }

  static std::string Fill(std::string text, const std::map<std::string, std::string>& vars) {
    for (const auto& [name, value] : vars) {
      const std::string placeholder = "{" + name + "}";
      for (size_t at = text.find(placeholder); at != std::string::npos;
           at = text.find(placeholder, at + value.size())) {
        text.replace(at, placeholder.size(), value);
      }
    }
    return text;
  }

  // The values of the placeholders `text` names, made fresh for one cell.
  std::map<std::string, std::string> Vars(const std::string& text, const std::string& method,
                                          Lead lead, Caller caller) {
    std::map<std::string, std::string> v;
    auto names = [&](const char* name) {
      return text.find(fmt::format("{{{}}}", name)) != std::string::npos;
    };
    const bool changes = method != "GET" && method != "OPTIONS";
    std::string id;
    if (lead != Lead::kNone) id = changes ? NewLead(lead) : shared_[lead];
    v["id"] = id;
    if (names("token")) v["token"] = MakeUnsubscribeToken(secret_, std::stoll(id.substr(3)));
    v["write_key"] = "key";
    v["file"] = "index.html";
    v["login_email"] = kLoginEmail;
    v["login_password"] = kLoginPassword;
    v["user"] = UserIdText(ids_[kViewer]);
    v["me"] = "me";
    v["version"] = "1";
    v["email_id"] = "em_none";         // no such email: a 404 for anyone who may ask
    v["task"] = "sr_0";                // no such task: the same
    v["inbound"] = "in_none";          // no such received email: the same
    v["account"] = "nowhere.example";  // no lead works there: the same
    if (names("new_rep")) v["new_rep"] = NewUser("sales_rep");
    if (names("new_admin")) v["new_admin"] = NewUser("admin");
    if (names("new_key")) v["new_key"] = fmt::format("matrix-{}", ++keys_made_);
    if (names("campaign")) v["campaign"] = NewCatalogEntry(true);
    if (names("asset")) v["asset"] = NewCatalogEntry(false);
    if (names("touch_id")) v["touch_id"] = NewInboundTouch(id);
    if (names("template")) v["template"] = NewTemplate(true);
    if (names("sales_template")) v["sales_template"] = NewTemplate(false);
    if (names("filter")) v["filter"] = NewFilterOrBroadcast(false);
    if (names("broadcast")) v["broadcast"] = NewFilterOrBroadcast(true);
    if (names("sequence")) v["sequence"] = NewSequence(false);
    if (names("experiment")) v["experiment"] = NewExperiment(false);
    if (names("running_experiment")) v["running_experiment"] = NewExperiment(true);
    if (names("rep_sequence")) v["rep_sequence"] = NewSequence(true);
    if (names("enrolment")) v["enrolment"] = NewEnrolment(id);
    if (names("own_token_id")) {
      const Caller owner = caller <= kViewer ? caller : kAdmin;
      v["own_token_id"] = NewTokenId(ids_[owner], tokens_[owner]);
    }
    if (names("others_token_id")) {
      std::string token;
      const int64_t other = *ParseUserId(NewUser("viewer", &token));
      v["others_token_id"] = NewTokenId(other, token);
    }
    return v;
  }

  // How `caller` presents itself to `path`: its session on the session routes, its own
  // credential everywhere else (a user's API token, the write key, nothing, a forgery).
  std::map<std::string, std::string> Credentials(Caller caller, const std::string& method,
                                                 const std::string& path) {
    const bool session = path == "/auth/session" || path == "/auth/logout";
    const bool ingest = method == "POST" && IsIngestPath(path);
    switch (caller) {
      case kWriteKey:
        return {{"Authorization", BasicAuth("key")}};
      case kNoCredentials:
        return {};
      case kBadToken:
        if (session) return {{"Cookie", "tandem_session=tds_not-a-session"}};
        if (ingest) return {{"Authorization", BasicAuth("not-a-key")}};
        return {{"Authorization", "Bearer tdm_not-a-token"}};
      default:
        break;
    }
    if (!session) return {{"Authorization", "Bearer " + tokens_[caller]}};
    SessionRecord s;
    const std::string token = "tds_" + NewApiToken();
    s.token_hash = HashApiToken(token);
    s.user_id = ids_[caller];
    s.csrf_token = NewApiToken();
    s.created_at = clock_.Now();
    s.expires_at = clock_.Now() + std::chrono::hours(8);
    EXPECT_TRUE(raw_store_->CreateSession(s).ok());
    return {{"Cookie", "tandem_session=" + token}, {"X-CSRF-Token", s.csrf_token}};
  }

  // One cell: the row's request (or probe) by `caller` on a lead of kind `lead`.
  HttpResult Run(const Row& row, Lead lead, Caller caller) {
    auto [method, path_template] = SplitRoute(row.route);
    auto vars = Vars(path_template + " " + row.body, method, lead, caller);
    const std::string path = Fill(path_template, vars);
    const std::string body = Fill(row.body, vars);
    if (row.probe == Probe::kResubscribeWithApiLink) return Resubscribe(vars["id"], caller);
    auto headers = Credentials(caller, method, path.substr(0, path.find('?')));
    if (!body.empty()) {
      headers["Content-Type"] =
          path.starts_with("/u/") ? "application/x-www-form-urlencoded" : "application/json";
    }
    if (method == "OPTIONS") {
      headers["Origin"] = "https://www.example.com";
      headers["Access-Control-Request-Method"] = "POST";
    }
    return client_->Request(method, path, body, headers);
  }

  // The person unsubscribes; then `caller` gets the lead's link from the API and posts
  // "re-subscribe" with it. 200 when the person ends up subscribed again; else 403, or
  // the refusal of the link.
  HttpResult Resubscribe(const std::string& lead_id, Caller caller) {
    const int64_t id = std::stoll(lead_id.substr(3));
    HttpResult out =
        client_->Post("/u/" + MakeUnsubscribeToken(secret_, id), "List-Unsubscribe=One-Click",
                      {{"Content-Type", "application/x-www-form-urlencoded"}});
    EXPECT_EQ(out.status, 200u) << out.body;
    HttpResult link = client_->Request("GET", "/api/v1/leads/" + lead_id + "/unsubscribe-link", "",
                                       Credentials(caller, "GET", "/api/v1/leads"));
    if (link.status == 401 || link.status == 403) return link;
    json body = json::parse(link.body, nullptr, false);
    if (body.is_object() && body.contains("token") && body["token"].is_string()) {
      out = client_->Post("/u/" + body["token"].get<std::string>(), "choice=resubscribe",
                          {{"Content-Type", "application/x-www-form-urlencoded"}});
    }
    const bool subscribed = !raw_store_->GetContactPrefs(id).value().unsubscribed_at;
    out.status = subscribed ? 200 : 403;
    out.body = subscribed ? "(probe) the person is subscribed again"
                          : "(probe) the person stays unsubscribed";
    return out;
  }

  static constexpr const char* kLoginEmail = "login@x.example";
  static constexpr const char* kLoginPassword = "correct horse battery staple";

  int64_t ids_[kViewer + 1] = {};
  std::string tokens_[kViewer + 1];
  int64_t other_rep_ = 0;
  std::string secret_;
  std::map<Lead, std::string> shared_;  // leads the cells that change nothing share
  int leads_made_ = 0, users_made_ = 0, keys_made_ = 0;
};

TEST_F(AuthorizationMatrixTest, EveryCallerGetsTheAnswerItsRowSays) {
  std::map<std::string, int> failures_by_fix;
  size_t cells = 0;
  for (const Row& row : AllRows()) {
    const std::string letters = Letters(row);
    ASSERT_EQ(letters.size(), size_t{kCallers}) << row.route << ": one letter per caller";
    ASSERT_EQ(letters.find_first_not_of("YyGNHU"), std::string::npos)
        << row.route << ": letters are Y, y, G, N or U";
    std::vector<Lead> leads = {row.lead};
    if (row.lead == Lead::kEach) leads = {Lead::kOwn, Lead::kOther, Lead::kUnowned};
    for (Lead lead : leads) {
      for (int c = 0; c < kCallers; ++c) {
        HttpResult r = Run(row, lead, static_cast<Caller>(c));
        ++cells;
        if (Meets(letters[c], r)) continue;
        static const char* kLeadNames[] = {"", "own lead", "another rep's lead", "unowned lead"};
        ADD_FAILURE() << row.route << (row.body[0] ? fmt::format(" {}", row.body) : "")
                      << (lead == Lead::kNone
                              ? ""
                              : fmt::format(" on the {}", kLeadNames[static_cast<int>(lead)]))
                      << " by " << kCallerNames[c] << ": expected " << Meaning(letters[c])
                      << ", got " << r.status << " " << r.body.substr(0, 300)
                      << (row.fix[0] ? fmt::format("\n  (this row needs: {})", row.fix) : "");
        ++failures_by_fix[row.fix[0] ? row.fix : "(none: a regression)"];
      }
    }
  }
  for (const auto& [fix, count] : failures_by_fix) {
    std::cout << count << " failing cells wait for: " << fix << "\n";
  }
  std::cout << cells << " cells checked\n";
}

// Does the row's route fall under the router's pattern? A "{name}" segment of the
// pattern stands for any one segment of the row's path; "/*" for any rest.
bool Serves(const http::Router::RouteInfo& route, const std::string& method,
            const std::string& path_template) {
  if (route.method != method) return false;
  const std::string path = path_template.substr(0, path_template.find('?'));
  if (route.pattern.ends_with("/*")) {
    const std::string prefix = route.pattern.substr(0, route.pattern.size() - 1);
    return path.size() > prefix.size() && path.starts_with(prefix);
  }
  const std::regex segment(R"(\{[^}/]+\})");
  const std::regex pattern(std::regex_replace(route.pattern, segment, "[^/]+"));
  return std::regex_match(path, pattern);
}

TEST_F(AuthorizationMatrixTest, EveryRouteTheServerAnswersHasARowAndEveryRowARoute) {
  const auto routes = app_->router().Routes();
  const auto rows = AllRows();
  for (const auto& route : routes) {
    bool found = false;
    for (const Row& row : rows) {
      auto [method, path] = SplitRoute(row.route);
      found = found || Serves(route, method, path);
    }
    EXPECT_TRUE(found) << route.method << " " << route.pattern
                       << " has no row in the authorization matrix: add one (who may call it?)";
  }
  for (const Row& row : rows) {
    auto [method, path] = SplitRoute(row.route);
    bool served = false;
    for (const auto& route : routes) served = served || Serves(route, method, path);
    EXPECT_TRUE(served) << row.route << " is in the matrix but the server has no such route";
  }
}

// Every "METHOD /path" docs/api.md lists in the first column of a table. A path without
// a method takes the one before it; "…/x" is the previous path's parent and "/x".
std::vector<std::pair<std::string, std::string>> DocumentedRoutes() {
  std::ifstream in(std::string(TANDEM_SOURCE_DIR) + "/docs/api.md");
  std::vector<std::pair<std::string, std::string>> out;
  std::string line;
  const std::regex span("`([^`]*)`");
  const std::regex with_method(R"(^(GET|POST|PUT|PATCH|DELETE|OPTIONS|HEAD) (\S+)$)");
  while (std::getline(in, line)) {
    if (!line.starts_with("| `")) continue;
    const std::string cell = line.substr(1, line.find(" |", 1));
    std::string method, previous;
    for (std::sregex_iterator it(cell.begin(), cell.end(), span), end; it != end; ++it) {
      std::string text = (*it)[1];
      std::smatch m;
      std::string path;
      if (std::regex_match(text, m, with_method)) {
        method = m[1];
        path = m[2];
      } else if (!method.empty() && text.starts_with("/")) {
        path = text;
      }
      if (path.starts_with("\xE2\x80\xA6")) {  // "…"
        path = previous.substr(0, previous.rfind('/')) + path.substr(3);
      }
      if (path.empty() || path[0] != '/') continue;
      out.emplace_back(method, Shape(path));
      previous = path;
    }
  }
  return out;
}

TEST_F(AuthorizationMatrixTest, EveryRouteTheApiDocumentsHasARow) {
  auto documented = DocumentedRoutes();
  ASSERT_GT(documented.size(), 30u) << "docs/api.md's tables were not found";
  std::set<std::pair<std::string, std::string>> rows;
  for (const Row& row : AllRows()) {
    auto [method, path] = SplitRoute(row.route);
    rows.emplace(method, Shape(path));
  }
  for (const auto& [method, path] : documented) {
    EXPECT_TRUE(rows.count({method, path})) << "docs/api.md lists " << method << " " << path
                                            << " but the authorization matrix has no row for it";
  }
}

}  // namespace
}  // namespace tandem
