// POST /api/v1/leads: a lead added by hand (imports/lead_by_hand.h), stored as an event
// of the "Added by hand" source and answered once the pipeline has made it a lead.
#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "auth/permissions.h"
#include "core/ids.h"
#include "core/random.h"
#include "http/api_common.h"
#include "http/api_routes.h"
#include "http/api_schemas.h"
#include "http/audit_routes.h"
#include "imports/import_run.h"
#include "imports/lead_by_hand.h"
#include "imports/lead_event.h"

namespace tandem::http {
namespace {

using nlohmann::json;
namespace s = schema;

// How long the answer waits for the pipeline to make the lead (it takes milliseconds
// unless ingest has a backlog); after that the answer is 202 and the lead follows.
constexpr std::chrono::seconds kWaitForLead{5};

}  // namespace

RouteSpec ApiRoutes::AddLeadSpec() {
  RouteSpec spec{.method = "POST",
                 .path = "/api/v1/leads",
                 .summary =
                     "Add a lead by hand (with where the address came from and the "
                     "consent basis)",
                 .tag = "leads"};
  spec.request_body =
      s::Object({{"email", s::String()},
                 {"first_name", s::String()},
                 {"last_name", s::String()},
                 {"name", s::String()},
                 {"title", s::String()},
                 {"company", s::String()},
                 {"domain", s::String()},
                 {"phone", s::String()},
                 {"country", s::String()},
                 {"city", s::String()},
                 {"timezone", s::String()},
                 {"owner", s::String("me, usr_<n> or a user's email; a rep's own lead by default")},
                 {"address_source", s::String("form, event, api, import, purchased or harvested")},
                 {"consent_basis", s::String("consent or none")},
                 {"consent_wording", s::String("the text the person agreed to, with consent")},
                 {"email_opt_out", s::Boolean()},
                 {"do_not_call", s::Boolean()}},
                {"email", "address_source", "consent_basis"});
  spec.status = 201;
  spec.response = s::Ref("Lead");
  spec.errors = {400, 403, 422};
  return spec;
}

Response ApiRoutes::AddLead(const HttpRequest& request, const UserRecord& user) {
  if (user.role == Role::kViewer) {
    return ErrorResponse(403, "forbidden", "a viewer cannot add leads");
  }
  auto body = ParseBody(request);
  if (!body.ok()) return ErrorResponse(body.status());
  auto users = store_.ListUsers();
  if (!users.ok()) return ErrorResponse(users.status());
  auto added = ReadLeadByHand(*body, user, *users);
  if (!added.ok()) return ErrorResponse(added.status());
  const TimePoint now = clock_.Now();
  auto source = FindOrCreateSource(store_, kByHandSourceName, now);
  if (!source.ok()) return ErrorResponse(source.status());
  EventRecord event =
      LeadArrivalEvent(added->lead, added->owner_id, {{"added_by", UserIdText(user.id)}},
                       "by-hand:" + RandomToken(12), source->id, now);
  if (auto stored = store_.AppendEvents(std::span(&event, 1)); !stored.ok()) {
    return ErrorResponse(stored.status());
  }
  if (on_event_stored_) on_event_stored_();
  // Answered with the lead once the pipeline has processed the event.
  const auto deadline = std::chrono::steady_clock::now() + kWaitForLead;
  while (std::chrono::steady_clock::now() < deadline) {
    auto found = store_.FindEvent(source->id, event.message_id);
    if (!found.ok()) return ErrorResponse(found.status());
    if (*found && (*found)->person_id) {
      auto lead_id = store_.ResolveLeadId(*(*found)->person_id);
      if (!lead_id.ok()) return ErrorResponse(lead_id.status());
      if (!*lead_id) break;
      auto lead = store_.GetLead(**lead_id);
      if (!lead.ok()) return ErrorResponse(lead.status());
      if (!*lead) break;
      AuditDone(store_, clock_, user, audit_action::kLeadAdded, LeadIdText(**lead_id));
      Response res = Rendered(**lead, clock_.Now());
      if (res.result_int() == 200) res.result(201);
      return res;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return Json(
      202,
      {{"status", "queued"},
       {"message", fmt::format("{} is stored and becomes a lead in a moment", added->lead.email)}});
}

}  // namespace tandem::http
