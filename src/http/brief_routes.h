// BriefRoutes: the handoff brief of a lead (JSON, Markdown or HTML) and the campaign
// and content catalogs it is built from, over HTTP. Every role reads briefs and
// catalogs; marketing and admins change the catalogs.
#pragma once

#include <optional>
#include <string_view>

#include "core/clock.h"
#include "http/router.h"
#include "leads/lead_engine.h"
#include "store/store.h"

namespace tandem::http {

class BriefRoutes {
 public:
  // Everything must outlive the routes.
  BriefRoutes(Store& store, const LeadEngine& engine, const Clock& clock)
      : store_(store), engine_(engine), clock_(clock) {}

  // GET /api/v1/leads/{id}/brief (brief_routes.cpp), /api/v1/campaigns[/{key}] and
  // /api/v1/content[/{asset_id}] (catalog_routes.cpp).
  void Register(Router& router);

  enum class Kind { kCampaign, kContent };

 private:
  void RegisterCatalog(Router& router);
  Response Brief(const HttpRequest& request, const UserRecord& user, int64_t lead_id);
  Response List(Kind kind);
  Response Get(Kind kind, std::string_view key);
  // POST (create, `key` empty) or PUT (create or replace `key`).
  Response Put(Kind kind, const HttpRequest& request, const UserRecord& user, std::string_view key);
  Response Delete(Kind kind, const UserRecord& user, std::string_view key);

  Store& store_;
  const LeadEngine& engine_;
  const Clock& clock_;
};

}  // namespace tandem::http
