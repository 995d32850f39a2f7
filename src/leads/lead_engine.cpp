#include "leads/lead_engine.h"

#include <fmt/format.h>

#include <cmath>
#include <functional>

#include "contact/contact_merge.h"
#include "core/text.h"
#include "leads/lead_json.h"
#include "leads/lead_permissions.h"
#include "leads/lead_session.h"

namespace tandem {
namespace {

bool MarkedAsLead(const StoredEvent& event) {
  if (event.record.type != "identify" ||
      event.record.payload.find("\"lead\"") == std::string::npos) {
    return false;
  }
  nlohmann::json message = nlohmann::json::parse(event.record.payload, nullptr, false);
  const nlohmann::json* lead = FindField(message, "traits.lead");
  return lead != nullptr && lead->is_boolean() && lead->get<bool>();
}

// Whether the message came from a person's browser: a web page sends its page and
// user agent (analytics.js, the snippet); a server-side call through the HTTP API
// carries neither.
bool FromBrowser(const StoredEvent& event) {
  nlohmann::json message = nlohmann::json::parse(event.record.payload, nullptr, false);
  return FindField(message, "context.page") != nullptr ||
         FindField(message, "context.userAgent") != nullptr;
}

// Folds lead `from` into `into`: the store moves the rows; the two sides' contact
// preferences and consents merge as the contact policy says (the most restrictive wins).
Status FoldLead(LeadTxn& txn, int64_t from, int64_t into, TimePoint now) {
  TANDEM_ASSIGN_OR_RETURN(ContactPrefs into_prefs, txn.GetContactPrefs(into));
  TANDEM_ASSIGN_OR_RETURN(ContactPrefs from_prefs, txn.GetContactPrefs(from));
  TANDEM_ASSIGN_OR_RETURN(auto into_consents, txn.ListConsents(into));
  TANDEM_ASSIGN_OR_RETURN(auto from_consents, txn.ListConsents(from));
  TANDEM_RETURN_IF_ERROR(txn.FoldLead(from, into, now));
  TANDEM_RETURN_IF_ERROR(txn.PutContactPrefs(MergeContactPrefs(into_prefs, from_prefs, now)));
  for (const ConsentRecord& c : KeptWithdrawals(into_consents, from_consents, from, into, now)) {
    TANDEM_RETURN_IF_ERROR(txn.AddConsent(c));
  }
  return OkStatus();
}

// Folds the lead of person `from`, found to be `person_id`, into the survivor's: the
// further stage, the earlier contact and an owner when the survivor has none. Returns
// false when `from` had no lead.
StatusOr<bool> FoldMergedLead(LeadTxn& txn, const StoredEvent& event, int64_t person_id,
                              int64_t from, TimePoint now) {
  const Actor system;
  TANDEM_ASSIGN_OR_RETURN(auto merged, txn.GetLead(from));
  if (!merged) return false;
  TANDEM_ASSIGN_OR_RETURN(auto survivor, txn.GetLead(person_id));
  LeadRecord kept = survivor ? *survivor : *merged;
  kept.id = person_id;
  std::optional<int64_t> adopt_owner;
  if (!survivor) {
    adopt_owner = merged->owner_id;
  } else {
    if (!survivor->owner_id && merged->owner_id) {
      adopt_owner = merged->owner_id;
      kept.owner_id = merged->owner_id;
      kept.team = merged->team;
    }
    if (FunnelRank(merged->stage) > FunnelRank(survivor->stage)) {
      kept.stage = merged->stage;
      kept.priority = merged->priority;
      kept.mql_at = merged->mql_at;
    }
    if (kept.email.empty()) kept.email = merged->email;
    if (merged->contacted_at &&
        (!kept.contacted_at || *merged->contacted_at < *kept.contacted_at)) {
      kept.contacted_at = merged->contacted_at;
    }
  }
  kept.queued = kept.queued && !kept.owner_id;
  TANDEM_RETURN_IF_ERROR(txn.PutLead(kept));
  TANDEM_RETURN_IF_ERROR(FoldLead(txn, from, person_id, now));
  if (adopt_owner) {
    AssignmentRecord a;
    a.lead_id = person_id;
    a.user_id = *adopt_owner;
    a.rule = "merge";
    a.reason = fmt::format("kept the owner of {}, found to be the same person", LeadIdText(from));
    a.actor = system.Name();
    a.started_at = now;
    TANDEM_RETURN_IF_ERROR(txn.StartAssignment(a));
  }
  LeadLogEntry entry{0,
                     person_id,
                     now,
                     "merged",
                     system.Name(),
                     nlohmann::json{{"from", LeadIdText(from)}, {"event_id", event.id}}.dump()};
  TANDEM_RETURN_IF_ERROR(txn.AppendLog(entry));
  return true;
}

// A reason is a group of the outcomes report, kept in its counts' keys: at most 300
// characters (1.2 KB in UTF-8), which beside a group of at most 256 stays inside what
// PostgreSQL indexes.
Status CheckReason(std::string_view reason) {
  constexpr size_t kMaxChars = 300;
  if (FirstChars(reason, kMaxChars).size() == reason.size()) return OkStatus();
  return Unprocessable("invalid_reason",
                       fmt::format("a reason is at most {} characters", kMaxChars));
}

}  // namespace

LeadEngine::LeadEngine(ScoringConfig scoring, RoutingConfig routing,
                       std::vector<WebhookConfig> webhooks, ContactConfig contact, SlaConfig sla,
                       OwnerBriefSource owner_brief)
    : outbox_(std::move(webhooks)),
      contact_(contact),
      sla_timers_(std::move(sla), std::move(contact)),
      owner_brief_(std::move(owner_brief)) {
  SetRules(std::move(scoring), std::move(routing));
}

std::shared_ptr<const RulesInForce> LeadEngine::rules() const {
  std::lock_guard lock(rules_mu_);
  return rules_;
}

std::shared_ptr<const ScoringConfig> LeadEngine::scoring() const {
  std::shared_ptr<const RulesInForce> in_force = rules();
  return std::shared_ptr<const ScoringConfig>(in_force, &in_force->scoring);
}

void LeadEngine::SetRules(ScoringConfig scoring, RoutingConfig routing) {
  auto in_force = std::make_shared<const RulesInForce>(
      RulesInForce{std::move(scoring), RoutingService(std::move(routing))});
  std::lock_guard lock(rules_mu_);
  rules_ = std::move(in_force);
}

StatusOr<bool> LeadEngine::OnEvent(LeadTxn& txn, const StoredEvent& event, int64_t person_id,
                                   const StitchPlan& plan, TimePoint now) const {
  const Actor system;
  bool rebuild = false;
  // Persons found to be this one: their leads fold into the survivor's.
  for (int64_t from : plan.merge_from) {
    TANDEM_ASSIGN_OR_RETURN(bool folded, FoldMergedLead(txn, event, person_id, from, now));
    rebuild = rebuild || folded;
  }

  Session session(*this, txn, now);
  TANDEM_ASSIGN_OR_RETURN(bool exists, session.Load(person_id));
  const std::optional<ImportedRow> imported = ImportedRowOf(event);
  bool created = false;
  if (!exists) {
    if (plan.email.empty() && !MarkedAsLead(event)) return false;  // still anonymous
    session.Create(person_id, plan.email);
    created = rebuild = true;
  }
  if (rebuild) {
    // A hand-raise anywhere in its history counts for a new lead; after a merge only
    // the event at hand does (the merged leads were qualified on theirs already).
    session.set_hand_raise_from(created ? 0 : event.id);
    TANDEM_RETURN_IF_ERROR(session.Rebuild());
  } else {
    TANDEM_RETURN_IF_ERROR(session.ApplyEvent(event));
  }
  TANDEM_RETURN_IF_ERROR(session.RefreshFit(created));
  if (created) {
    // The row must exist before anything refers to it.
    TANDEM_RETURN_IF_ERROR(session.Save());
    nlohmann::json created_data = {{"event_id", event.id}};
    if (MarkedAsLead(event) && !FromBrowser(event) && !imported) {
      // A server pushed this lead through the API: the address is the sender's, not
      // one the person gave on a page, and has no inbound basis of its own.
      TANDEM_ASSIGN_OR_RETURN(ContactPrefs prefs, txn.GetContactPrefs(person_id));
      prefs.address_source = "api";
      prefs.updated_at = now;
      TANDEM_RETURN_IF_ERROR(txn.PutContactPrefs(prefs));
      created_data["address_source"] = "api";
    }
    TANDEM_RETURN_IF_ERROR(session.Log("created", system, std::move(created_data)));
    TANDEM_RETURN_IF_ERROR(session.Emit("lead.created"));
  }
  if (imported) TANDEM_RETURN_IF_ERROR(session.ApplyImport(*imported, created, system));
  TANDEM_RETURN_IF_ERROR(session.Qualify(system));
  TANDEM_RETURN_IF_ERROR(session.Save());
  return true;
}

Status LeadEngine::Rescore(LeadTxn& txn, int64_t lead_id, TimePoint now) const {
  Session session(*this, txn, now);
  TANDEM_ASSIGN_OR_RETURN(bool exists, session.Load(lead_id));
  if (!exists)
    return NotFound("not_found", fmt::format("lead {} does not exist", LeadIdText(lead_id)));
  TANDEM_RETURN_IF_ERROR(session.Rebuild());
  TANDEM_RETURN_IF_ERROR(session.RefreshFit(/*force=*/true));
  return session.Save();
}

Status LeadEngine::Revisit(LeadTxn& txn, int64_t lead_id, TimePoint now) const {
  const Actor system;
  Session session(*this, txn, now);
  TANDEM_ASSIGN_OR_RETURN(bool exists, session.Load(lead_id));
  if (!exists || session.stage() != Stage::kRecycled) return OkStatus();
  TANDEM_RETURN_IF_ERROR(session.Qualify(system, /*revisit=*/true));
  return session.Save();
}

Status LeadEngine::OnEmailSignal(LeadTxn& txn, int64_t lead_id, TimePoint now) const {
  const Actor system;
  Session session(*this, txn, now);
  TANDEM_ASSIGN_OR_RETURN(bool exists, session.Load(lead_id));
  if (!exists) return OkStatus();  // merged away or never a lead: nothing to score
  TANDEM_RETURN_IF_ERROR(session.Rebuild());
  TANDEM_RETURN_IF_ERROR(session.RefreshFit(/*force=*/false));
  TANDEM_RETURN_IF_ERROR(session.Qualify(system));
  return session.Save();
}

StatusOr<LeadRecord> LeadEngine::RecordOutcome(LeadTxn& txn, int64_t lead_id, const Actor& actor,
                                               const Outcome& outcome, TimePoint now) const {
  TANDEM_RETURN_IF_ERROR(CheckReason(outcome.reason));
  Session session(*this, txn, now);
  TANDEM_ASSIGN_OR_RETURN(bool exists, session.Load(lead_id));
  if (!exists)
    return NotFound("not_found", fmt::format("lead {} does not exist", LeadIdText(lead_id)));
  if (actor.user) {
    TANDEM_RETURN_IF_ERROR(CheckCanRecordOutcome(*actor.user, outcome.disposition));
    TANDEM_RETURN_IF_ERROR(CheckCanWorkLead(*actor.user, session.lead()));
  }
  TANDEM_ASSIGN_OR_RETURN(OutcomePlan plan, PlanOutcome(session.stage(), outcome, now));
  nlohmann::json data = {{"disposition", outcome.disposition}};
  if (!outcome.reason.empty()) data["reason"] = outcome.reason;
  if (outcome.amount) data["amount"] = *outcome.amount;
  if (plan.revisit_on) data["revisit_on"] = TimeOrNull(plan.revisit_on);
  TANDEM_RETURN_IF_ERROR(session.Log("outcome", actor, data));
  std::optional<int64_t> cents;
  // PlanOutcome keeps amounts from 0 to 10^12; the back-fill of
  // store/schema/*/0016_deal_amounts.sql rounds the same way.
  if (outcome.amount) cents = static_cast<int64_t>(*outcome.amount * 100 + 0.5);
  TANDEM_RETURN_IF_ERROR(
      session.SetStage(plan.to, actor, "outcome: " + outcome.disposition, plan.reason, cents));
  session.lead().revisit_on = plan.revisit_on;
  if (plan.release_owner) {
    TANDEM_RETURN_IF_ERROR(
        session.Unassign(fmt::format("{}: {}", outcome.disposition, plan.reason), actor));
  }
  TANDEM_RETURN_IF_ERROR(session.Save());
  return session.lead();
}

StatusOr<LeadRecord> LeadEngine::ChangeStage(LeadTxn& txn, int64_t lead_id, const Actor& actor,
                                             Stage to, std::string_view reason,
                                             std::optional<TimePoint> revisit_on,
                                             TimePoint now) const {
  TANDEM_RETURN_IF_ERROR(CheckReason(reason));
  Session session(*this, txn, now);
  TANDEM_ASSIGN_OR_RETURN(bool exists, session.Load(lead_id));
  if (!exists)
    return NotFound("not_found", fmt::format("lead {} does not exist", LeadIdText(lead_id)));
  if (actor.user) {
    TANDEM_RETURN_IF_ERROR(CheckCanMoveToStage(*actor.user, to));
    TANDEM_RETURN_IF_ERROR(CheckCanWorkLead(*actor.user, session.lead()));
  }
  if ((to == Stage::kRecycled || to == Stage::kDisqualified) && reason.empty()) {
    return Unprocessable("reason_required",
                         fmt::format("moving a lead to {} needs a reason", StageName(to)));
  }
  if (to == Stage::kRecycled && !revisit_on) {
    return Unprocessable("revisit_on_required", "moving a lead to recycled needs revisit_on");
  }
  TANDEM_RETURN_IF_ERROR(session.SetStage(to, actor, "manual", reason));
  if (to == Stage::kRecycled) session.lead().revisit_on = revisit_on;
  if (to == Stage::kRecycled || to == Stage::kDisqualified) {
    TANDEM_RETURN_IF_ERROR(session.Unassign(fmt::format("{}: {}", StageName(to), reason), actor));
  }
  if (to == Stage::kMql && !session.lead().owner_id) TANDEM_RETURN_IF_ERROR(session.Route(actor));
  TANDEM_RETURN_IF_ERROR(session.Save());
  return session.lead();
}

StatusOr<LeadRecord> LeadEngine::EditLead(LeadTxn& txn, int64_t lead_id, const Actor& actor,
                                          const nlohmann::json& traits,
                                          std::optional<std::string> priority,
                                          TimePoint now) const {
  Session session(*this, txn, now);
  TANDEM_ASSIGN_OR_RETURN(bool exists, session.Load(lead_id));
  if (!exists)
    return NotFound("not_found", fmt::format("lead {} does not exist", LeadIdText(lead_id)));
  if (actor.user) TANDEM_RETURN_IF_ERROR(CheckCanWorkLead(*actor.user, session.lead()));
  if (traits.is_object() && !traits.empty()) {
    TANDEM_RETURN_IF_ERROR(session.EditTraits(traits, actor));
    TANDEM_RETURN_IF_ERROR(session.RefreshFit(false));
  }
  if (priority && *priority != session.lead().priority) {
    TANDEM_RETURN_IF_ERROR(session.Log("priority_changed", actor,
                                       {{"from", session.lead().priority}, {"to", *priority}}));
    session.lead().priority = *priority;
  }
  TANDEM_RETURN_IF_ERROR(session.Save());
  return session.lead();
}

StatusOr<LeadRecord> LeadEngine::Reassign(LeadTxn& txn, int64_t lead_id, const Actor& actor,
                                          int64_t user_id, std::string_view reason,
                                          TimePoint now) const {
  if (actor.user)
    TANDEM_RETURN_IF_ERROR(Require(*actor.user, Permission::kReassign, "reassign leads"));
  if (reason.empty()) return Unprocessable("reason_required", "a reassignment needs a reason");
  Session session(*this, txn, now);
  TANDEM_ASSIGN_OR_RETURN(bool exists, session.Load(lead_id));
  if (!exists)
    return NotFound("not_found", fmt::format("lead {} does not exist", LeadIdText(lead_id)));
  TANDEM_ASSIGN_OR_RETURN(auto users, txn.ListUsers());
  const UserRecord* target = nullptr;
  for (const UserRecord& u : users) {
    if (u.id == user_id) target = &u;
  }
  if (target == nullptr) {
    return Unprocessable("unknown_user",
                         fmt::format("user {} does not exist", UserIdText(user_id)));
  }
  if (!target->active) {
    return Unprocessable("inactive_user",
                         fmt::format("user {} is not active", UserIdText(user_id)));
  }
  if (session.lead().owner_id == user_id) return session.lead();
  nlohmann::json note = nlohmann::json::array({{{"user", UserIdText(user_id)},
                                                {"email", target->email},
                                                {"eligible", true},
                                                {"why", "chosen by hand"}}});
  TANDEM_RETURN_IF_ERROR(session.Assign(*target, "manual", reason, note, actor));
  TANDEM_RETURN_IF_ERROR(session.Save());
  return session.lead();
}

StatusOr<LeadRecord> LeadEngine::RouteNow(LeadTxn& txn, int64_t lead_id, const Actor& actor,
                                          TimePoint now) const {
  Session session(*this, txn, now);
  TANDEM_ASSIGN_OR_RETURN(bool exists, session.Load(lead_id));
  if (!exists)
    return NotFound("not_found", fmt::format("lead {} does not exist", LeadIdText(lead_id)));
  session.lead().queued = false;
  TANDEM_RETURN_IF_ERROR(session.Route(actor));
  TANDEM_RETURN_IF_ERROR(session.Save());
  return session.lead();
}

StatusOr<ScoreExplanation> LeadEngine::ExplainScore(std::vector<ScoreItem> items,
                                                    TimePoint now) const {
  return Explain(std::move(items), scoring()->half_life_days, now);
}

std::string ScoringPolicyHash(const ScoringConfig& s) {
  std::string text = fmt::format("h={};f={};e={};hot={};", s.half_life_days, s.mql_fit,
                                 s.mql_engagement, s.hot_total);
  for (const FitRule& r : s.fit)
    text += fmt::format("fit:{}:{}:{};", r.name, r.condition.Describe(), r.points);
  for (const EngagementRule& r : s.engagement) {
    text += fmt::format("eng:{}:{}:{}:{}:{}:{};", r.name, r.type, r.event, r.path, r.points,
                        r.cap_per_day);
    for (const Condition& c : r.where) text += c.Describe() + ";";
  }
  text += fmt::format("hr:{};{}", fmt::join(s.hand_raise_events, ","),
                      fmt::join(s.hand_raise_forms, ","));
  return fmt::format("{:016x}", std::hash<std::string>{}(text));
}

}  // namespace tandem
