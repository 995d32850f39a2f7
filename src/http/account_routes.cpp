#include "http/account_routes.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/ids.h"
#include "core/text.h"
#include "core/time_format.h"
#include "http/api_common.h"
#include "http/api_schemas.h"
#include "http/query_params.h"

namespace tandem::http {
namespace {

using nlohmann::json;
namespace s = schema;

// The account's owner: the owner of its most recently assigned lead, whom routing gives
// the account's next lead when account matching is on.
StatusOr<json> AccountJson(Store& store, const AccountSummary& a) {
  json owner = nullptr;
  if (a.owner_id) {
    TANDEM_ASSIGN_OR_RETURN(auto user, store.GetUser(*a.owner_id));
    if (user) {
      owner = {{"id", UserIdText(user->id)},
               {"name", user->name},
               {"email", user->email},
               {"team", user->team}};
    }
  }
  return json{{"domain", a.domain},
              {"name", a.name},
              {"leads", a.leads},
              {"open_leads", a.open_leads},
              {"owner", owner},
              {"last_activity_at",
               a.last_activity ? json(FormatIsoTime(*a.last_activity)) : json(nullptr)}};
}

json AccountSchema() {
  return s::Object({{"domain", s::String()},
                    {"name", s::String()},
                    {"leads", s::Integer()},
                    {"open_leads", s::Integer("in mql, sal, sql or opportunity")},
                    {"owner", s::AnyObject("{id, name, email, team} or null")},
                    {"last_activity_at", s::NullableString("date-time")}});
}

}  // namespace

void RegisterAccountRoutes(Router& router, Store& store, const Clock& clock) {
  RouteSpec list{.method = "GET",
                 .path = "/api/v1/accounts",
                 .summary = "Accounts, the most leads first; q finds a domain or company name",
                 .tag = "accounts"};
  list.query = {{"q", "part of the domain or the company's name"}, {"limit", "1–500, default 50"}};
  list.response = s::PageOf(AccountSchema());
  list.errors = {400};
  router.Add(std::move(list),
             Authed(store, clock, [&store](const HttpRequest& r, const UserRecord&) {
               const auto params = ParseQuery(r.query());
               if (Status st = CheckNoControlCharacters(params); !st.ok()) return ErrorResponse(st);
               auto limit = IntParam(params, "limit", 50, 1, 500);
               if (!limit.ok()) return ErrorResponse(limit.status());
               const std::string q(TrimSpace(FindParam(params, "q").value_or("")));
               auto accounts = store.ListAccounts(q, static_cast<size_t>(*limit));
               if (!accounts.ok()) return ErrorResponse(accounts.status());
               json items = json::array();
               for (const AccountSummary& a : *accounts) {
                 auto item = AccountJson(store, a);
                 if (!item.ok()) return ErrorResponse(item.status());
                 items.push_back(std::move(*item));
               }
               return Json(200, {{"items", std::move(items)}});
             }));
  RouteSpec one{.method = "GET",
                .path = "/api/v1/accounts/{domain}",
                .summary = "An account: its leads counted and its owner",
                .tag = "accounts"};
  one.path_params = {{"domain", "the company's domain"}};
  one.response = AccountSchema();
  one.errors = {404};
  router.Add(std::move(one),
             Authed(store, clock, [&store](const HttpRequest& r, const UserRecord&) {
               const std::string domain = LowerAscii(UrlDecode(r.params.Get("domain")));
               auto account = store.GetAccount(domain);
               if (!account.ok()) return ErrorResponse(account.status());
               if (!*account) {
                 return ErrorResponse(404, "not_found",
                                      fmt::format("no lead works at an account \"{}\"", domain));
               }
               auto out = AccountJson(store, **account);
               if (!out.ok()) return ErrorResponse(out.status());
               return Json(200, *out);
             }));
}

}  // namespace tandem::http
