// LeadEngine: what contacting a lead does to the lead. The contact service
// (contact/contact_service.h) checks and records touches, preferences and consents; here
// the lead is loaded, handed to it as a ContactSubject, and its score, SLA, timeline and
// stage follow.
#include <fmt/format.h>

#include "auth/mentions.h"
#include "core/time_format.h"
#include "leads/lead_json.h"
#include "leads/lead_session.h"

namespace tandem {
namespace {

ContactStores StoresOf(LeadTxn& txn) { return ContactStores{txn, txn, txn, txn, txn}; }

Status LeadNotFound(int64_t lead_id) {
  return NotFound("not_found", fmt::format("lead {} does not exist", LeadIdText(lead_id)));
}

}  // namespace

ContactSubject ContactSubjectOf(const LeadRecord& lead) {
  ContactSubject subject;
  subject.lead_id = lead.id;
  subject.email = lead.email;
  subject.stage = lead.stage;
  subject.owner_id = lead.owner_id;
  subject.traits = lead.traits;
  return subject;
}

StatusOr<ContactFacts> LeadEngine::ContactFactsFor(LeadTxn& txn, const LeadRecord& lead,
                                                   TimePoint now) const {
  return contacts_.FactsFor(StoresOf(txn), ContactSubjectOf(lead), now);
}

StatusOr<ContactDecision> LeadEngine::CheckContact(LeadTxn& txn, int64_t lead_id,
                                                   const Actor& actor, const TouchInput& input,
                                                   TimePoint now) const {
  TANDEM_RETURN_IF_ERROR(ContactService::CheckTouchInput(input));
  TANDEM_ASSIGN_OR_RETURN(auto lead, txn.GetLead(lead_id));
  if (!lead) return LeadNotFound(lead_id);
  return contacts_.Check(StoresOf(txn), ContactSubjectOf(*lead), actor.user, input, now);
}

StatusOr<TouchResult> LeadEngine::RecordTouch(LeadTxn& txn, int64_t lead_id, const Actor& actor,
                                              const TouchInput& input, TimePoint now) const {
  TANDEM_RETURN_IF_ERROR(contacts_.CheckMayRecordTouch(actor.user, input));
  Session session(*this, txn, now);
  TANDEM_ASSIGN_OR_RETURN(bool exists, session.Load(lead_id));
  if (!exists) return LeadNotFound(lead_id);
  TANDEM_ASSIGN_OR_RETURN(TouchOutcome outcome,
                          contacts_.RecordTouch(StoresOf(txn), ContactSubjectOf(session.lead()),
                                                actor.user, input, now));
  TouchResult result;
  result.decision = std::move(outcome.decision);
  if (!outcome.touch) {
    result.lead = session.lead();
    return result;
  }
  const TouchRecord& touch = *outcome.touch;
  LeadRecord& lead = session.lead();
  if (touch.direction == "outbound") {
    if (!lead.contacted_at) lead.contacted_at = now;
    // The first outbound touch of an assignment meets its SLA.
    const std::optional<AssignmentRecord>& open = outcome.facts.open_assignment;
    if (open && !open->first_touch_at) {
      AssignmentRecord a = *open;
      a.first_touch_at = now;
      TANDEM_RETURN_IF_ERROR(txn.UpdateAssignmentSla(a));
      if (lead.sla_due_at && !lead.sla_met_at) lead.sla_met_at = now;
    }
  } else if (touch.score_status == "counted") {
    TANDEM_RETURN_IF_ERROR(session.CountInboundTouch(touch));
    TANDEM_RETURN_IF_ERROR(session.Qualify(actor));
  }
  lead.last_activity_at = now;
  const bool overridden = !result.decision.overridden.empty();
  nlohmann::json data = TouchToJson(touch);
  data.erase("lead_id");
  data.erase("at");
  if (overridden) data["reasons"] = ReasonsToJson(result.decision.reasons);
  TANDEM_RETURN_IF_ERROR(
      session.Log(overridden ? "touch_override" : "touch", actor, std::move(data)));
  if (!touch.note.empty()) TANDEM_RETURN_IF_ERROR(session.NotifyMentions(touch.note, actor));
  TANDEM_RETURN_IF_ERROR(session.Save());
  result.touch = touch;
  result.lead = session.lead();
  return result;
}

StatusOr<TouchRecord> LeadEngine::ConfirmInboundTouch(LeadTxn& txn, int64_t lead_id,
                                                      const Actor& actor, int64_t touch_id,
                                                      TimePoint now) const {
  TANDEM_RETURN_IF_ERROR(ContactService::CheckMayConfirmTouch(actor.user));
  Session session(*this, txn, now);
  TANDEM_ASSIGN_OR_RETURN(bool exists, session.Load(lead_id));
  if (!exists) return LeadNotFound(lead_id);
  TANDEM_ASSIGN_OR_RETURN(
      TouchRecord touch,
      contacts_.ConfirmInboundTouch(StoresOf(txn), ContactSubjectOf(session.lead()), touch_id));
  TANDEM_RETURN_IF_ERROR(session.CountInboundTouch(touch));
  TANDEM_RETURN_IF_ERROR(session.Log(
      "touch_confirmed", actor,
      {{"touch_id", fmt::format("tch_{}", touch_id)},
       {"recorded_by", touch.user_id ? nlohmann::json(UserIdText(*touch.user_id)) : nullptr},
       {"channel", ChannelName(touch.channel)},
       {"points", contact_.inbound_touch_points}}));
  TANDEM_RETURN_IF_ERROR(session.Qualify(actor));
  TANDEM_RETURN_IF_ERROR(session.Save());
  return touch;
}

StatusOr<ContactPrefs> LeadEngine::UpdatePreferences(LeadTxn& txn, int64_t lead_id,
                                                     const Actor& actor,
                                                     const PreferencesChange& change,
                                                     TimePoint now) const {
  Session session(*this, txn, now);
  TANDEM_ASSIGN_OR_RETURN(bool exists, session.Load(lead_id));
  if (!exists) return LeadNotFound(lead_id);
  TANDEM_ASSIGN_OR_RETURN(
      PreferencesUpdate update,
      contacts_.UpdatePreferences(StoresOf(txn), ContactSubjectOf(session.lead()), actor.user,
                                  change, now));
  TANDEM_RETURN_IF_ERROR(
      session.Log("preferences_changed", actor, {{"changed", std::move(update.changed)}}));
  TANDEM_RETURN_IF_ERROR(session.Save());
  return std::move(update.prefs);
}

StatusOr<ConsentRecord> LeadEngine::RecordConsent(LeadTxn& txn, int64_t lead_id, const Actor& actor,
                                                  ConsentRecord consent, TimePoint now) const {
  TANDEM_RETURN_IF_ERROR(ContactService::CheckConsentInput(consent, now));
  Session session(*this, txn, now);
  TANDEM_ASSIGN_OR_RETURN(bool exists, session.Load(lead_id));
  if (!exists) return LeadNotFound(lead_id);
  consent.actor = actor.Name();
  TANDEM_ASSIGN_OR_RETURN(ConsentOutcome outcome,
                          contacts_.RecordConsent(StoresOf(txn), ContactSubjectOf(session.lead()),
                                                  actor.user, std::move(consent), now));
  const ConsentRecord& c = outcome.consent;
  nlohmann::json data = {{"purpose", PurposeName(c.purpose)},
                         {"status", c.status},
                         {"method", c.method},
                         {"effective", outcome.effective.empty() ? "none" : outcome.effective}};
  if (outcome.withdrawal_kept) data["note"] = "an import does not undo the person's withdrawal";
  TANDEM_RETURN_IF_ERROR(session.Log("consent", actor, std::move(data)));
  if (outcome.resubscribed) {
    TANDEM_RETURN_IF_ERROR(session.Log("resubscribed", actor,
                                       {{"how", "consent_recorded"},
                                        {"method", c.method},
                                        {"form_id", c.form_id},
                                        {"evidence", c.evidence},
                                        {"given_at", FormatIsoTime(c.at)}}));
  }
  TANDEM_RETURN_IF_ERROR(session.Save());
  return std::move(outcome.consent);
}

Status LeadEngine::ApplyOptOut(LeadTxn& txn, int64_t lead_id, OptOut choice, std::string_view how,
                               TimePoint now) const {
  Session session(*this, txn, now);
  TANDEM_ASSIGN_OR_RETURN(bool exists, session.Load(lead_id));
  if (!exists) return LeadNotFound(lead_id);
  TANDEM_ASSIGN_OR_RETURN(
      ConsentRecord withdrawal,
      contacts_.ApplyOptOut(StoresOf(txn), ContactSubjectOf(session.lead()), choice, how, now));
  TANDEM_RETURN_IF_ERROR(
      session.Log("unsubscribed", Actor{}, {{"how", how}, {"choice", withdrawal.wording}}));
  TANDEM_RETURN_IF_ERROR(txn.NoteSideOutcome(lead_id, SideMetric::kUnsubscribes, now));
  return session.Save();
}

StatusOr<bool> LeadEngine::RequestResubscribe(LeadTxn& txn, int64_t lead_id,
                                              const ResubscribeMail& mail, TimePoint now) const {
  Session session(*this, txn, now);
  TANDEM_ASSIGN_OR_RETURN(bool exists, session.Load(lead_id));
  if (!exists) return LeadNotFound(lead_id);
  std::optional<TimePoint> last_request;
  if (!session.lead().email.empty()) {
    TANDEM_ASSIGN_OR_RETURN(auto log, txn.ListLeadLog(lead_id));
    for (const LeadLogEntry& entry : log) {
      if (entry.kind == "resubscribe_requested" && (!last_request || entry.at > *last_request)) {
        last_request = entry.at;
      }
    }
  }
  TANDEM_ASSIGN_OR_RETURN(
      bool sent, contacts_.RequestResubscribe(StoresOf(txn), ContactSubjectOf(session.lead()), mail,
                                              last_request, now));
  if (!sent) return false;
  TANDEM_RETURN_IF_ERROR(
      session.Log("resubscribe_requested", Actor{},
                  {{"how", "preference_page"},
                   {"note", "not confirmed: a confirmation was sent to the address"},
                   {"expires_at", FormatIsoTime(mail.expires)}}));
  TANDEM_RETURN_IF_ERROR(session.Save());
  return true;
}

Status LeadEngine::ConfirmResubscribe(LeadTxn& txn, int64_t lead_id,
                                      const ResubscribeEvidence& evidence, TimePoint now) const {
  Session session(*this, txn, now);
  TANDEM_ASSIGN_OR_RETURN(bool exists, session.Load(lead_id));
  if (!exists) return LeadNotFound(lead_id);
  TANDEM_ASSIGN_OR_RETURN(
      ConsentRecord consent,
      contacts_.ConfirmResubscribe(StoresOf(txn), ContactSubjectOf(session.lead()), evidence, now));
  TANDEM_RETURN_IF_ERROR(session.Log(
      "resubscribed", Actor{},
      {{"how", "email_confirmation"}, {"choice", consent.wording}, {"sent_to", evidence.sent_to}}));
  return session.Save();
}

Status LeadEngine::Session::CountInboundTouch(const TouchRecord& touch) {
  const double points = engine_.contact_.inbound_touch_points;
  if (points == 0) return OkStatus();
  ScoreItem item;
  item.axis = ScoreAxis::kEngagement;
  item.rule = "inbound_" + std::string(ChannelName(touch.channel));
  item.points = points;
  item.at = touch.at;
  item.trait = fmt::format("touch=tch_{}", touch.id);
  TANDEM_RETURN_IF_ERROR(txn_.AddScoreItem(lead_.id, item));
  lead_.engagement_ref += EngagementRef(points, touch.at, now_, rules_->scoring.half_life_days);
  return OkStatus();
}

Status LeadEngine::Session::NotifyMentions(std::string_view note, const Actor& actor) {
  TANDEM_ASSIGN_OR_RETURN(const std::vector<UserRecord>* users, Users());
  nlohmann::json to = nlohmann::json::array();
  for (const UserRecord& user : MentionedUsers(note, *users)) {
    if (actor.user && actor.user->id == user.id) continue;
    to.push_back(OwnerToJson(user));
  }
  if (to.empty()) return OkStatus();
  const std::string who = lead_.name.empty() ? lead_.email : lead_.name;
  const std::string by = actor.user ? actor.user->name : "Tandem";
  return Emit("lead.mentioned",
              {{"notify", std::move(to)},
               {"by", actor.Name()},
               {"subject", fmt::format("{} mentioned you on {}", by, who)},
               {"text", std::string(note)}},
              /*keep=*/true);
}

}  // namespace tandem
