// ApiRoutes: the JSON API under /api/v1 for people and integrations — leads, their
// timeline, score and outcome; teams (users and API tokens: http/user_routes.h). A lead's
// contact actions (preferences, consents, contact check, touches) are ContactRoutes'.
//
// Every call carries "Authorization: Bearer <token>"; the token's user and role decide
// what it may do (auth/permissions.h). Handlers parse, call the lead engine inside one
// store transaction, and render; errors are {"error":{code,message}} with the status
// of their code.
#pragma once

#include <map>
#include <optional>

#include "core/clock.h"
#include "http/brief_routes.h"
#include "http/contact_routes.h"
#include "http/router.h"
#include "leads/lead_engine.h"
#include "store/store.h"

namespace tandem::http {

class ApiRoutes {
 public:
  // Everything must outlive the routes.
  ApiRoutes(Store& store, const LeadEngine& engine, const Clock& clock, ContactRoutes& contact,
            BriefRoutes& brief)
      : store_(store), engine_(engine), clock_(clock), contact_(contact), brief_(brief) {}
  void Register(Router& router);

 private:
  Response ListLeads(const HttpRequest& request, const UserRecord& user);
  Response GetLead(int64_t lead_id);
  Response PatchLead(const HttpRequest& request, const UserRecord& user, int64_t lead_id);
  Response Timeline(const HttpRequest& request, int64_t lead_id);
  Response Score(int64_t lead_id);
  Response RecordOutcome(const HttpRequest& request, const UserRecord& user, int64_t lead_id);
  Response ListTeams();

  // Resolves "ld_N" (following person merges) to the lead that exists now.
  StatusOr<int64_t> FindLeadId(std::string_view text);

  Store& store_;
  const LeadEngine& engine_;
  const Clock& clock_;
  ContactRoutes& contact_;
  BriefRoutes& brief_;
};

}  // namespace tandem::http
