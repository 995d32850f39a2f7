// The campaign and content catalogs over HTTP: /api/v1/campaigns[/{key}] and
// /api/v1/content[/{asset_id}]. Everyone signed in reads them; marketing and admins
// change them.
#include "http/brief_routes.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "auth/permissions.h"
#include "catalog/catalog.h"
#include "http/api_common.h"
#include "http/api_schemas.h"
#include "http/query_params.h"

namespace tandem::http {
namespace {

using nlohmann::json;
namespace s = schema;
using BriefRoutesKind = BriefRoutes::Kind;

// The description of one catalog route: `method` on `path` of the campaigns or content.
RouteSpec CatalogSpec(BriefRoutesKind kind, std::string method, std::string path) {
  const bool campaign = kind == BriefRoutesKind::kCampaign;
  const json entry = s::Ref(campaign ? "Campaign" : "Content");
  const std::string what = campaign ? "campaign" : "content asset";
  const bool item = path.ends_with("}");
  RouteSpec spec{.method = method, .path = path, .summary = "", .tag = "catalog"};
  if (item) spec.path_params = {{campaign ? "key" : "asset_id", "the " + what + "'s key"}};
  spec.response = entry;
  spec.errors = {403, 404};
  if (method == "GET") {
    spec.summary = item ? "A " + what : "The " + what + " catalog";
    if (!item) spec.response = s::PageOf(entry);
    spec.errors = item ? std::vector<int>{404} : std::vector<int>{};
  } else if (method == "DELETE") {
    spec.summary = "Remove a " + what;
    spec.response = s::Object({{"deleted", s::String()}}, {"deleted"});
  } else {
    spec.summary = item ? "Create or replace a " + what : "Add a " + what;
    spec.request_body = entry;
    spec.status = item ? 200 : 201;
    spec.errors = {400, 403, 409, 422};
  }
  return spec;
}

std::string_view KindName(bool campaign) { return campaign ? "campaign" : "content"; }

}  // namespace

void BriefRoutes::RegisterCatalog(Router& router) {
  for (Kind kind : {Kind::kCampaign, Kind::kContent}) {
    const bool campaign = kind == Kind::kCampaign;
    const std::string base = campaign ? "/api/v1/campaigns" : "/api/v1/content";
    const std::string item = base + (campaign ? "/{key}" : "/{asset_id}");
    const char* param = campaign ? "key" : "asset_id";
    auto key_of = [param](const HttpRequest& r) { return UrlDecode(r.params.Get(param)); };
    auto authed = [this](auto body) { return Authed(store_, clock_, body); };
    router.Add(CatalogSpec(kind, "GET", base),
               authed([this, kind](const HttpRequest&, const UserRecord&) { return List(kind); }));
    router.Add(CatalogSpec(kind, "POST", base),
               authed([this, kind](const HttpRequest& r, const UserRecord& u) {
                 return Put(kind, r, u, "");
               }));
    router.Add(CatalogSpec(kind, "GET", item),
               authed([this, kind, key_of](const HttpRequest& r, const UserRecord&) {
                 return Get(kind, key_of(r));
               }));
    router.Add(CatalogSpec(kind, "PUT", item),
               authed([this, kind, key_of](const HttpRequest& r, const UserRecord& u) {
                 return Put(kind, r, u, key_of(r));
               }));
    router.Add(CatalogSpec(kind, "DELETE", item),
               authed([this, kind, key_of](const HttpRequest& r, const UserRecord& u) {
                 return Delete(kind, u, key_of(r));
               }));
  }
}

Response BriefRoutes::List(Kind kind) {
  auto catalog = store_.LoadCatalog();
  if (!catalog.ok()) return ErrorResponse(catalog.status());
  json items = json::array();
  if (kind == Kind::kCampaign) {
    for (const Campaign& c : catalog->campaigns) items.push_back(CampaignToJson(c));
  } else {
    for (const ContentAsset& a : catalog->content) items.push_back(ContentToJson(a));
  }
  return Json(200, {{"items", items}, {"next_cursor", nullptr}});
}

Response BriefRoutes::Get(Kind kind, std::string_view key) {
  auto catalog = store_.LoadCatalog();
  if (!catalog.ok()) return ErrorResponse(catalog.status());
  if (kind == Kind::kCampaign) {
    for (const Campaign& c : catalog->campaigns) {
      if (c.key == key) return Json(200, CampaignToJson(c));
    }
  } else {
    for (const ContentAsset& a : catalog->content) {
      if (a.asset_id == key) return Json(200, ContentToJson(a));
    }
  }
  return ErrorResponse(
      404, "not_found",
      fmt::format("no {} \"{}\" in the catalog", KindName(kind == Kind::kCampaign), key));
}

Response BriefRoutes::Put(Kind kind, const HttpRequest& request, const UserRecord& user,
                          std::string_view key) {
  if (Status allowed = Require(user, Permission::kManageCatalog, "change the catalogs");
      !allowed.ok()) {
    return ErrorResponse(allowed);
  }
  auto body = ParseBody(request);
  if (!body.ok()) return ErrorResponse(body.status());
  const bool campaign = kind == Kind::kCampaign;
  const char* key_field = campaign ? "key" : "asset_id";
  if (!key.empty()) {
    // PUT /…/{key}: the path names the entry; a body that names another is a mistake.
    if (body->contains(key_field) && (*body)[key_field] != key) {
      return ErrorResponse(422, "invalid_catalog_entry",
                           fmt::format("{} in the body (\"{}\") differs from the path (\"{}\")",
                                       key_field, (*body)[key_field].dump(), key));
    }
    (*body)[key_field] = std::string(key);
  }
  Catalog entries;
  const TimePoint now = clock_.Now();
  if (campaign) {
    auto c = CampaignFromJson(*body, "campaign");
    if (!c.ok()) return ErrorResponse(c.status());
    c->origin = "api";
    c->updated_at = now;
    entries.campaigns.push_back(std::move(*c));
  } else {
    auto a = ContentFromJson(*body, "content");
    if (!a.ok()) return ErrorResponse(a.status());
    a->origin = "api";
    a->updated_at = now;
    entries.content.push_back(std::move(*a));
  }
  Status put = store_.PutCatalog(entries, /*replace=*/!key.empty());
  if (!put.ok()) return ErrorResponse(put);
  json out = campaign ? CampaignToJson(entries.campaigns[0]) : ContentToJson(entries.content[0]);
  return Json(key.empty() ? 201 : 200, out);
}

Response BriefRoutes::Delete(Kind kind, const UserRecord& user, std::string_view key) {
  if (Status allowed = Require(user, Permission::kManageCatalog, "change the catalogs");
      !allowed.ok()) {
    return ErrorResponse(allowed);
  }
  auto deleted = kind == Kind::kCampaign ? store_.DeleteCampaign(key) : store_.DeleteContent(key);
  if (!deleted.ok()) return ErrorResponse(deleted.status());
  if (!*deleted) {
    return ErrorResponse(
        404, "not_found",
        fmt::format("no {} \"{}\" in the catalog", KindName(kind == Kind::kCampaign), key));
  }
  return Json(200, {{"deleted", std::string(key)}});
}

}  // namespace tandem::http
