#include "http/audit_routes.h"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "auth/permissions.h"
#include "core/ids.h"
#include "core/time_format.h"
#include "http/api_common.h"
#include "http/api_schemas.h"
#include "http/email_json.h"
#include "http/query_params.h"

namespace tandem::http {
namespace {

using nlohmann::json;
namespace s = schema;

json EntrySchema() {
  return s::Object(
      {{"seq", s::Integer("the entry's place in the chain: 1, 2, 3 …")},
       {"at", s::String("ISO 8601")},
       {"user_id", s::NullableString("usr_<n>: the signed-in user who did it")},
       {"actor", s::String("user:<n>, cli or system")},
       {"action", s::String("brief.read, export, import, person.erased, …")},
       {"subject", s::String("what it was done to: ld_<n>, usr_<n>, tok_<n>, or empty")},
       {"detail", s::Object({})},
       {"prev_hash", s::String("the hash of the entry before (hex)")},
       {"hash", s::String("this entry's hash (hex, BLAKE2b-256)")}});
}

json EntryJson(const AuditEntry& e) {
  json detail = json::parse(e.detail, nullptr, false);
  if (detail.is_discarded()) detail = json::object();
  return {{"seq", e.seq},
          {"at", FormatIsoTime(e.at)},
          {"user_id", e.user_id ? json(UserIdText(*e.user_id)) : json(nullptr)},
          {"actor", e.actor},
          {"action", e.action},
          {"subject", e.subject},
          {"detail", detail},
          {"prev_hash", e.prev_hash},
          {"hash", e.hash}};
}

StatusOr<AuditQuery> QueryOf(const HttpRequest& r) {
  const auto params = ParseQuery(r.query());
  TANDEM_RETURN_IF_ERROR(CheckNoControlCharacters(params));
  AuditQuery query;
  TANDEM_ASSIGN_OR_RETURN(query.after_seq, IntParam(params, "after", 0, 0, INT64_MAX));
  TANDEM_ASSIGN_OR_RETURN(int64_t limit, IntParam(params, "limit", 100, 1, 1000));
  query.limit = static_cast<size_t>(limit);
  if (auto action = FindParam(params, "action")) query.action = std::string(*action);
  if (auto subject = FindParam(params, "subject")) query.subject = std::string(*subject);
  if (auto user = FindParam(params, "user")) {
    query.user_id = ParsePrefixedId(*user, "usr_");
    if (!query.user_id) return InvalidArgument("invalid_parameter", "user must be usr_<n>");
  }
  return query;
}

Response List(Store& store, const HttpRequest& r, const UserRecord& u) {
  if (Status st = Require(u, Permission::kReadAudit, "read the audit trail"); !st.ok()) {
    return ErrorResponse(st);
  }
  auto query = QueryOf(r);
  if (!query.ok()) return ErrorResponse(query.status());
  auto entries = store.ListAudit(*query);
  if (!entries.ok()) return ErrorResponse(entries.status());
  json out = {{"items", json::array()}, {"next_cursor", nullptr}};
  for (const AuditEntry& e : *entries) out["items"].push_back(EntryJson(e));
  if (entries->size() == query->limit) out["next_cursor"] = std::to_string(entries->back().seq);
  return Json(200, out);
}

Response Verify(Store& store, const UserRecord& u) {
  if (Status st = Require(u, Permission::kReadAudit, "verify the audit trail"); !st.ok()) {
    return ErrorResponse(st);
  }
  auto verified = VerifyAudit(store);
  if (!verified.ok()) return ErrorResponse(verified.status());
  return Json(200, {{"ok", verified->problem.ok()},
                    {"entries", verified->entries},
                    {"head", {{"seq", verified->head.seq}, {"hash", verified->head.hash}}},
                    {"problem",
                     verified->problem.ok() ? json(nullptr) : json(verified->problem.message())}});
}

}  // namespace

Status AuditBy(Store& store, const Clock& clock, const UserRecord& user, std::string_view action,
               std::string subject, std::string detail) {
  const AuditTrail trail(store, clock);
  return trail.Record(AuditActor::User(user.id), action, std::move(subject), std::move(detail))
      .status();
}

void AuditDone(Store& store, const Clock& clock, const UserRecord& user, std::string_view action,
               std::string subject, std::string detail) {
  const std::string what = subject;
  if (Status st = AuditBy(store, clock, user, action, std::move(subject), std::move(detail));
      !st.ok()) {
    spdlog::error("audit: {} of {} by usr_{} was not recorded: {}", action, what, user.id,
                  st.message());
  }
}

void AuditOverride(Store& store, const Clock& clock, const UserRecord& user, int64_t lead_id,
                   const ContactDecision& decision, std::string_view what) {
  if (decision.overridden.empty()) return;
  // The reason stays on the touch, where an erasure reaches it: free text may name the
  // person, and the trail keeps only what was overridden and by which record.
  const json detail = {{"overridden", decision.overridden}, {"record", what}};
  AuditDone(store, clock, user, audit_action::kGateOverride, LeadIdText(lead_id), detail.dump());
}

void RegisterAuditRoutes(Router& router, Store& store, const Clock& clock) {
  RouteSpec list{.method = "GET",
                 .path = "/api/v1/audit",
                 .summary = "The audit trail, oldest first (admins)",
                 .tag = "audit"};
  list.query = {{"after",
                 "entries after this place (the previous page's next_cursor)",
                 {{"type", "integer"}}},
                {"limit", "1-1000, 100 by default", {{"type", "integer"}}},
                {"action", "only this action"},
                {"subject", "only entries about this: ld_<n>, usr_<n>, tok_<n>"},
                {"user", "only what usr_<n> did"}};
  list.response = s::PageOf(EntrySchema());
  list.errors = {400, 403};
  router.Add(std::move(list),
             Authed(store, clock, [&store](const HttpRequest& r, const UserRecord& u) {
               return List(store, r, u);
             }));
  RouteSpec verify{.method = "GET",
                   .path = "/api/v1/audit/verify",
                   .summary = "Whether the audit chain holds, and where it first breaks (admins)",
                   .tag = "audit"};
  verify.response = s::Object({{"ok", s::Boolean()},
                               {"entries", s::Integer("entries that hold, from the first")},
                               {"head", s::Object({{"seq", s::Integer()}, {"hash", s::String()}})},
                               {"problem", s::NullableString("where the chain breaks")}});
  verify.errors = {403};
  router.Add(std::move(verify),
             Authed(store, clock, [&store](const HttpRequest&, const UserRecord& u) {
               return Verify(store, u);
             }));
}

}  // namespace tandem::http
