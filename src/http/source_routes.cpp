#include "http/source_routes.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "auth/permissions.h"
#include "core/time_format.h"
#include "http/api_common.h"
#include "http/api_schemas.h"
#include "http/audit_routes.h"
#include "ingest/new_source.h"

namespace tandem::http {
namespace {

using nlohmann::json;
namespace s = schema;

json SourceSchema() {
  return s::Object({{"id", s::String("src_<n>")},
                    {"name", s::String()},
                    {"write_key", s::String("public: it ships in every page")},
                    {"snippet", s::String("the tag to put in every page of a website")},
                    {"created_at", s::String("date-time")},
                    {"last_event_at", s::NullableString("when an event was last stored")}});
}

json SourceJson(const Source& source, const std::string& web_address) {
  return {{"id", fmt::format("src_{}", source.id)},
          {"name", source.name},
          {"write_key", source.write_key},
          {"snippet", fmt::format(R"(<script async src="{}t.js?k={}"></script>)", web_address,
                                  source.write_key)},
          {"created_at", FormatIsoTime(source.created_at)},
          {"last_event_at",
           source.last_event_at ? json(FormatIsoTime(*source.last_event_at)) : json(nullptr)}};
}

}  // namespace

void RegisterSourceRoutes(Router& router, Store& store, const Clock& clock,
                          std::function<std::string()> web_address) {
  RouteSpec list{.method = "GET",
                 .path = "/api/v1/sources",
                 .summary = "The sources of events, with their write keys and snippets",
                 .tag = "sources"};
  list.response = s::PageOf(SourceSchema());
  list.errors = {403};
  router.Add(std::move(list),
             Authed(store, clock, [&store, web_address](const HttpRequest&, const UserRecord& u) {
               if (Status st = Require(u, Permission::kManageSources, "read the sources");
                   !st.ok()) {
                 return ErrorResponse(st);
               }
               auto sources = store.ListSources();
               if (!sources.ok()) return ErrorResponse(sources.status());
               const std::string address = web_address();
               json items = json::array();
               for (const Source& source : *sources) items.push_back(SourceJson(source, address));
               return Json(200, {{"items", std::move(items)}});
             }));
  RouteSpec add{.method = "POST",
                .path = "/api/v1/sources",
                .summary = "Add a source: a new write key",
                .tag = "sources"};
  add.request_body = s::Object({{"name", s::String()}}, {"name"});
  add.response = SourceSchema();
  add.status = 201;
  add.errors = {400, 403, 409, 422};
  router.Add(
      std::move(add),
      Authed(store, clock,
             [&store, &clock, web_address](const HttpRequest& r, const UserRecord& u) {
               if (Status st = Require(u, Permission::kManageSources, "add sources"); !st.ok()) {
                 return ErrorResponse(st);
               }
               auto body = ParseBody(r);
               if (!body.ok()) return ErrorResponse(body.status());
               if (!body->is_object() || !body->contains("name") || !(*body)["name"].is_string()) {
                 return ErrorResponse(422, "missing_field", "name is required (a string)");
               }
               if (body->size() != 1) {
                 return ErrorResponse(422, "unknown_field",
                                      "a new source has only a name; Tandem makes its write key");
               }
               auto source = AddSource(store, (*body)["name"].get<std::string>(), clock.Now());
               if (!source.ok()) return ErrorResponse(source.status());
               AuditDone(store, clock, u, audit_action::kSourceAdded,
                         fmt::format("src_{}", source->id), json{{"name", source->name}}.dump());
               return Json(201, SourceJson(*source, web_address()));
             }));
}

}  // namespace tandem::http
