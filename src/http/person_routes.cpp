#include "http/person_routes.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "auth/permissions.h"
#include "core/ids.h"
#include "http/api_common.h"
#include "http/api_schemas.h"
#include "http/audit_routes.h"
#include "http/query_params.h"
#include "identity/email.h"
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
                          const Clock& clock) {
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
}

}  // namespace tandem::http
