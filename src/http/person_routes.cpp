#include "http/person_routes.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "auth/permissions.h"
#include "core/ids.h"
#include "core/time_format.h"
#include "http/api_common.h"
#include "http/api_schemas.h"
#include "http/audit_routes.h"
#include "http/query_params.h"
#include "identity/email.h"
#include "privacy/erasure.h"
#include "privacy/person_record.h"

namespace tandem::http {
namespace {

using nlohmann::json;

Response Record(Store& store, const LeadEngine& engine, const Clock& clock,
                const HttpRequest& request, const UserRecord& user) {
  if (Status st = Require(user, Permission::kPersonalData, "read a person's whole record");
      !st.ok()) {
    return ErrorResponse(st);
  }
  auto person = FindPerson(store, UrlDecode(request.params.Get("person")));
  if (!person.ok()) return ErrorResponse(person.status());
  const TimePoint now = clock.Now();
  auto data = ReadPersonRecord(store, engine, *person, now);
  if (!data.ok()) return ErrorResponse(data.status());
  const json detail = {{"kind", "person_record"}, {"events", data->events.size()}};
  // Recorded before anything is served: no record leaves unaudited.
  if (Status st =
          AuditBy(store, clock, user, audit_action::kExported, LeadIdText(*person), detail.dump());
      !st.ok()) {
    return ErrorResponse(st);
  }
  Response res = Json(200, PersonRecordJson(*data, now));
  res.set(boost::beast::http::field::content_disposition,
          fmt::format("attachment; filename=\"{}.json\"", LeadIdText(*person)));
  return res;
}

// DELETE /api/v1/persons/{person} {"reason"}: erases the person; the reason is required
// and not kept (privacy/erasure.h).
Response Erase(Store& store, const Clock& clock, const std::string& secret,
               const HttpRequest& request, const UserRecord& user) {
  if (Status st = Require(user, Permission::kPersonalData, "erase a person"); !st.ok()) {
    return ErrorResponse(st);
  }
  auto body = ParseBody(request);
  if (!body.ok()) return ErrorResponse(body.status());
  auto reason = StringField(*body, "reason");
  if (!reason.ok()) return ErrorResponse(reason.status());
  if (Status st = CheckErasureReason(*reason); !st.ok()) return ErrorResponse(st);
  auto person = FindPerson(store, UrlDecode(request.params.Get("person")));
  if (!person.ok()) return ErrorResponse(person.status());
  const TimePoint now = clock.Now();
  auto counts = ErasePerson(store, secret, *person, now);
  if (!counts.ok()) return ErrorResponse(counts.status());
  const json detail = ErasureDetail(*counts);
  // Done, so recorded whatever happens next; a trail that cannot take it is logged.
  AuditDone(store, clock, user, audit_action::kErased, LeadIdText(*person), detail.dump());
  json out = detail;
  out["person"] = LeadIdText(*person);
  out["erased_at"] = FormatIsoTime(now);
  return Json(200, out);
}

}  // namespace

StatusOr<int64_t> FindPerson(Store& store, std::string_view text) {
  if (text.find('@') == std::string_view::npos) return FindLeadId(store, text);
  const std::string email = NormalizeEmail(text);
  if (email.empty()) {
    return InvalidArgument("invalid_person",
                           fmt::format("\"{}\" is neither ld_<n> nor an email address", text));
  }
  TANDEM_ASSIGN_OR_RETURN(auto found, store.FindPersonByIdentity({IdentityKind::kEmail, email}));
  if (!found) return NotFound("not_found", fmt::format("no person gave the address {}", email));
  // A merged person's identities move to the survivor; follow any pointer left, however
  // many merges long.
  int64_t id = *found;
  for (int hops = 0; hops < 64; ++hops) {
    TANDEM_ASSIGN_OR_RETURN(auto person, store.GetPerson(id));
    if (!person || !person->merged_into) break;
    id = *person->merged_into;
  }
  return id;
}

void RegisterPersonRoutes(Router& router, Store& store, const LeadEngine& engine,
                          const Clock& clock, const std::string& secret) {
  RouteSpec record{.method = "GET",
                   .path = "/api/v1/persons/{person}/record",
                   .summary =
                       "Everything Tandem holds about a person, for an access request "
                       "(admins)",
                   .tag = "persons"};
  record.path_params = {{"person", "ld_<n>, or an email address the person gave"}};
  record.response = schema::AnyObject(
      "person, lead, events (with their messages as received), trait_history, preferences, "
      "consents, touches, emails_sent, emails_received, log, assignments, exported_at");
  record.errors = {400, 403, 404};
  router.Add(
      std::move(record),
      Authed(store, clock, [&store, &engine, &clock](const HttpRequest& r, const UserRecord& u) {
        return Record(store, engine, clock, r, u);
      }));

  RouteSpec erase{.method = "DELETE",
                  .path = "/api/v1/persons/{person}",
                  .summary =
                      "Erase a person: everything held about them, in one transaction; their "
                      "addresses stay only as keyed hashes that block marketing email (admins)",
                  .tag = "persons"};
  erase.path_params = {{"person", "ld_<n>, or an email address the person gave"}};
  erase.request_body = schema::Object(
      {{"reason", schema::String("why (required, at most 1000 characters; not kept)")}},
      {"reason"});
  erase.response = schema::Object(
      {{"person", schema::String("ld_<n>")},
       {"erased_at", schema::String("RFC 3339")},
       {"rows", schema::AnyObject("rows deleted or anonymized, by table")},
       {"suppressed_addresses", schema::Integer("addresses added to the suppression list")}});
  erase.errors = {400, 403, 404, 422};
  router.Add(
      std::move(erase),
      Authed(store, clock, [&store, &clock, &secret](const HttpRequest& r, const UserRecord& u) {
        return Erase(store, clock, secret, r, u);
      }));
}

}  // namespace tandem::http
