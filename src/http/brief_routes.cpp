#include "http/brief_routes.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "auth/permissions.h"
#include "brief/brief.h"
#include "brief/brief_input.h"
#include "http/api_common.h"
#include "http/query_params.h"

namespace tandem::http {
namespace {

using nlohmann::json;

std::string_view KindName(bool campaign) { return campaign ? "campaign" : "content"; }

}  // namespace

void BriefRoutes::Register(Router& router) {
  for (Kind kind : {Kind::kCampaign, Kind::kContent}) {
    const std::string base = kind == Kind::kCampaign ? "/api/v1/campaigns" : "/api/v1/content";
    auto key_of = [base](const HttpRequest& r) {
      return UrlDecode(r.path().substr(base.size() + 1));
    };
    router.Add("GET", base,
               Authed(store_, clock_,
                      [this, kind](const HttpRequest&, const UserRecord&) { return List(kind); }));
    router.Add("POST", base,
               Authed(store_, clock_, [this, kind](const HttpRequest& r, const UserRecord& u) {
                 return Put(kind, r, u, "");
               }));
    router.Add(
        "GET", base + "/*",
        Authed(store_, clock_, [this, kind, key_of](const HttpRequest& r, const UserRecord&) {
          return Get(kind, key_of(r));
        }));
    router.Add(
        "PUT", base + "/*",
        Authed(store_, clock_, [this, kind, key_of](const HttpRequest& r, const UserRecord& u) {
          return Put(kind, r, u, key_of(r));
        }));
    router.Add(
        "DELETE", base + "/*",
        Authed(store_, clock_, [this, kind, key_of](const HttpRequest& r, const UserRecord& u) {
          return Delete(kind, u, key_of(r));
        }));
  }
}

std::optional<Response> BriefRoutes::HandleLead(std::string_view method, std::string_view action,
                                                const HttpRequest& request, int64_t lead_id) {
  if (action == "brief" && method == "GET") return Brief(request, lead_id);
  return std::nullopt;
}

Response BriefRoutes::Brief(const HttpRequest& request, int64_t lead_id) {
  auto params = ParseQuery(request.query());
  std::string format = "json";
  for (const auto& [name, value] : params) {
    if (name != "format") {
      return ErrorResponse(400, "invalid_parameter",
                           fmt::format("unknown query parameter \"{}\" (known: format)", name));
    }
    format = value;
  }
  if (format != "json" && format != "markdown" && format != "html") {
    return ErrorResponse(400, "invalid_parameter",
                         fmt::format("format \"{}\" must be json, markdown or html", format));
  }
  auto lead = store_.GetLead(lead_id);
  if (!lead.ok()) return ErrorResponse(lead.status());
  if (!*lead)
    return ErrorResponse(404, "not_found", fmt::format("lead ld_{} does not exist", lead_id));
  auto input = BriefInputFor(engine_, store_, **lead, clock_.Now());
  if (!input.ok()) return ErrorResponse(input.status());
  json brief = BuildBrief(*input);
  if (format == "markdown") {
    return Text(200, "text/markdown; charset=utf-8", RenderBriefMarkdown(brief));
  }
  if (format == "html") return Html(200, RenderBriefHtml(brief));
  return Json(200, brief);
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
