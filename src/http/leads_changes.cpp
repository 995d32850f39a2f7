// PATCH /api/v1/leads/{id} and POST /api/v1/leads/{id}/outcome: parse the body, act in
// one lead transaction, answer with the lead.
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "http/api_common.h"
#include "http/api_routes.h"
#include "leads/lead_json.h"

namespace tandem::http {
namespace {

using nlohmann::json;

// What a PATCH asks for.
struct LeadPatch {
  json traits = json::object();
  std::optional<std::string> priority;  // "" clears it
  std::optional<Stage> stage;
  std::optional<int64_t> owner;
  std::string reason;
  std::optional<TimePoint> revisit;
};

Status CheckPatchKeys(const json& body) {
  static const std::vector<std::string> kWritable = {"stage",    "reason", "revisit_on", "priority",
                                                     "owner_id", "name",   "title",      "phone",
                                                     "company",  "traits"};
  static const std::vector<std::string> kReadOnly = {
      "id",          "email",      "score",        "created_at", "updated_at",
      "first_touch", "last_touch", "sla",          "visits",     "mql_at",
      "team",        "queued",     "stage_reason", "owner",      "last_activity_at",
      "contacted_at"};
  for (const auto& [key, value] : body.items()) {
    if (std::find(kReadOnly.begin(), kReadOnly.end(), key) != kReadOnly.end()) {
      std::string hint = key == "owner"   ? " (set owner_id with a reason to reassign)"
                         : key == "score" ? " (computed by the scoring rules)"
                                          : "";
      return Unprocessable("read_only_field",
                           fmt::format("field \"{}\" is read-only{}", key, hint));
    }
    if (std::find(kWritable.begin(), kWritable.end(), key) == kWritable.end()) {
      return Unprocessable("unknown_field",
                           fmt::format("field \"{}\" is not a lead field (writable: {})", key,
                                       fmt::join(kWritable, ", ")));
    }
  }
  return OkStatus();
}

// traits (with name, title, phone and company folded in) and priority.
Status ParseTraitsAndPriority(const json& body, LeadPatch& patch) {
  patch.traits = body.contains("traits") ? body["traits"] : json::object();
  if (!patch.traits.is_object()) return Unprocessable("invalid_field", "traits must be an object");
  for (const char* key : {"name", "title", "phone", "company"}) {
    if (body.contains(key)) patch.traits[key] = body[key];
  }
  if (body.contains("priority")) {
    const json& p = body["priority"];
    if (!(p.is_null() || (p.is_string() && (p == "hot" || p == "mql")))) {
      return Unprocessable("invalid_field", "priority must be \"hot\", \"mql\" or null");
    }
    patch.priority = p.is_null() ? "" : p.get<std::string>();
  }
  return OkStatus();
}

StatusOr<LeadPatch> ParseLeadPatch(const json& body) {
  TANDEM_RETURN_IF_ERROR(CheckPatchKeys(body));
  LeadPatch patch;
  TANDEM_RETURN_IF_ERROR(ParseTraitsAndPriority(body, patch));
  auto reason = StringField(body, "reason");
  auto revisit = TimeField(body, "revisit_on");
  auto stage_text = StringField(body, "stage");
  for (const Status* s : {&reason.status(), &revisit.status(), &stage_text.status()}) {
    if (!s->ok()) return *s;
  }
  patch.reason = *reason;
  patch.revisit = *revisit;
  if (!stage_text->empty()) {
    patch.stage = ParseStage(*stage_text);
    if (!patch.stage)
      return Unprocessable("invalid_field",
                           fmt::format("stage \"{}\" is not a lifecycle stage", *stage_text));
  }
  if (body.contains("owner_id")) {
    const json& o = body["owner_id"];
    if (o.is_string()) patch.owner = ParseUserId(o.get<std::string>());
    if (!patch.owner)
      return Unprocessable("invalid_field", "owner_id must be a user id such as \"usr_3\"");
  }
  return patch;
}

// Edits, then the stage, then the owner, as one change.
StatusOr<LeadRecord> ApplyLeadPatch(const LeadEngine& engine, LeadTxn& txn, int64_t lead_id,
                                    const Actor& actor, const LeadPatch& patch, TimePoint now) {
  StatusOr<LeadRecord> lead = Status(StatusCode::kInternal, "internal", "no change");
  if (!patch.traits.empty() || patch.priority || (!patch.stage && !patch.owner)) {
    lead = engine.EditLead(txn, lead_id, actor, patch.traits, patch.priority, now);
    if (!lead.ok()) return lead;
  }
  if (patch.stage) {
    lead = engine.ChangeStage(txn, lead_id, actor, *patch.stage, patch.reason, patch.revisit, now);
    if (!lead.ok()) return lead;
  }
  if (patch.owner) lead = engine.Reassign(txn, lead_id, actor, *patch.owner, patch.reason, now);
  return lead;
}

StatusOr<Outcome> ParseOutcome(const json& body) {
  Outcome outcome;
  auto disposition = StringField(body, "disposition");
  auto reason = StringField(body, "reason");
  auto revisit = TimeField(body, "revisit_on");
  for (const Status* s : {&disposition.status(), &reason.status(), &revisit.status()}) {
    if (!s->ok()) return *s;
  }
  if (disposition->empty()) return Unprocessable("disposition_required", "disposition is required");
  outcome.disposition = *disposition;
  outcome.reason = *reason;
  outcome.revisit_on = *revisit;
  if (auto it = body.find("amount"); it != body.end() && !it->is_null()) {
    if (!it->is_number()) return Unprocessable("invalid_field", "amount must be a number");
    outcome.amount = it->get<double>();
  }
  return outcome;
}

}  // namespace

Response ApiRoutes::Rendered(const StatusOr<LeadRecord>& lead, TimePoint now) {
  if (!lead.ok()) return ErrorResponse(lead.status());
  auto rendered = RenderLead(store_, engine_, *lead, now);
  if (!rendered.ok()) return ErrorResponse(rendered.status());
  return JsonResponse(200, std::move(*rendered));
}

Response ApiRoutes::PatchLead(const HttpRequest& request, const UserRecord& user, int64_t lead_id) {
  auto body = ParseBody(request);
  if (!body.ok()) return ErrorResponse(body.status());
  auto patch = ParseLeadPatch(*body);
  if (!patch.ok()) return ErrorResponse(patch.status());
  const TimePoint now = clock_.Now();
  auto result = InLeadTxn(store_, [&](LeadTxn& txn) {
    return ApplyLeadPatch(engine_, txn, lead_id, Actor{user}, *patch, now);
  });
  return Rendered(result, now);
}

Response ApiRoutes::RecordOutcome(const HttpRequest& request, const UserRecord& user,
                                  int64_t lead_id) {
  auto body = ParseBody(request);
  if (!body.ok()) return ErrorResponse(body.status());
  auto outcome = ParseOutcome(*body);
  if (!outcome.ok()) return ErrorResponse(outcome.status());
  const TimePoint now = clock_.Now();
  auto result = InLeadTxn(store_, [&](LeadTxn& txn) {
    return engine_.RecordOutcome(txn, lead_id, Actor{user}, *outcome, now);
  });
  return Rendered(result, now);
}

}  // namespace tandem::http
