#include "email/email_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "contact/unsubscribe_token.h"
#include "core/random.h"
#include "email/tracking.h"
#include "identity/email.h"
#include "identity/erased_address.h"

namespace tandem {
namespace {

ContactReason Refusal(std::string code, std::string message) {
  ContactReason reason;
  reason.code = std::move(code);
  reason.severity = "block";
  reason.message = std::move(message);
  return reason;
}

}  // namespace

EmailService::EmailService(EmailConfig config, const LeadEngine& engine, EmailReadStores stores,
                           email::ResourceFacts* resources, const std::string& unsubscribe_secret,
                           std::string public_url)
    : config_(std::move(config)),
      engine_(engine),
      stores_(stores),
      resources_(resources),
      secret_(unsubscribe_secret),
      public_url_(std::move(public_url)) {}

std::string EmailService::UnsubscribeUrlFor(int64_t lead_id) const {
  return UnsubscribeUrl(public_url_, MakeUnsubscribeToken(secret_, lead_id));
}

// Checked as the author wrote it, sent with its links through the signed redirect and
// the open image (email/tracking.h), as configured; the unsubscribe link stays direct.
std::string EmailService::WithTracking(const std::string& html, std::string_view send_uid,
                                       const std::string& unsubscribe_url) const {
  if (public_url_.empty() || (!config_.track_clicks && !config_.track_opens)) return html;
  std::string_view base = public_url_;
  while (base.ends_with('/')) base.remove_suffix(1);
  email::Tracking tracking;
  tracking.base_url = base;
  tracking.secret = secret_;
  tracking.send_uid = send_uid;
  tracking.clicks = config_.track_clicks;
  tracking.opens = config_.track_opens;
  tracking.untracked = {unsubscribe_url};
  return email::WithTracking(html, tracking);
}

StatusOr<StoredTemplate> EmailService::Resolve(const ComposeRequest& request) const {
  TANDEM_ASSIGN_OR_RETURN(StoredTemplate t, Edited(request));
  if (request.subject || request.preheader || request.html) {
    TANDEM_RETURN_IF_ERROR(CheckStoredTemplate(t));
  }
  return t;
}

StatusOr<StoredTemplate> EmailService::Edited(const ComposeRequest& request) const {
  TANDEM_ASSIGN_OR_RETURN(auto found,
                          stores_.email.GetTemplate(request.template_key, request.version));
  if (!found) {
    return NotFound("not_found", request.version
                                     ? fmt::format("email template \"{}\" has no version {}",
                                                   request.template_key, *request.version)
                                     : fmt::format("email template \"{}\" does not exist",
                                                   request.template_key));
  }
  StoredTemplate t = std::move(*found);
  if (request.subject) t.subject = *request.subject;
  if (request.preheader) t.preheader = *request.preheader;
  if (request.html) t.html = *request.html;
  return t;
}

StatusOr<RecipientFacts> EmailService::FactsFor(const LeadRecord& lead) const {
  TANDEM_ASSIGN_OR_RETURN(auto each, FactsForEach(std::span<const LeadRecord>(&lead, 1)));
  return std::move(each.front());
}

StatusOr<std::vector<RecipientFacts>> EmailService::FactsForEach(
    std::span<const LeadRecord> leads) const {
  std::vector<RecipientFacts> out;
  if (leads.empty()) return out;
  TANDEM_ASSIGN_OR_RETURN(const Catalog catalog, stores_.catalog.LoadCatalog());
  std::vector<int64_t> ids;
  ids.reserve(leads.size());
  for (const LeadRecord& lead : leads) ids.push_back(lead.id);
  TANDEM_ASSIGN_OR_RETURN(auto activity, stores_.activity.ListWhyNowActivity(ids, 2000));
  std::map<int64_t, std::optional<UserRecord>> owners;  // read once a batch
  out.reserve(leads.size());
  for (const LeadRecord& lead : leads) {
    RecipientFacts& facts = out.emplace_back();
    facts.lead = lead;
    if (lead.owner_id) {
      auto owner = owners.find(*lead.owner_id);
      if (owner == owners.end()) {
        TANDEM_ASSIGN_OR_RETURN(auto user, stores_.users.GetUser(*lead.owner_id));
        owner = owners.emplace(*lead.owner_id, std::move(user)).first;
      }
      facts.owner = owner->second;
    }
    facts.content = LastEngagedContent(activity[lead.id].events, catalog);
    facts.campaign = FirstTouchCampaign(lead, catalog);
    facts.unsubscribe_url = UnsubscribeUrlFor(lead.id);
  }
  return out;
}

StatusOr<Composition> EmailService::Compose(const LeadRecord& lead, const StoredTemplate& source,
                                            const CompiledTemplate& compiled) const {
  TANDEM_ASSIGN_OR_RETURN(RecipientFacts facts, FactsFor(lead));
  return ComposeFor(config_, facts, source, compiled, resources_);
}

StatusOr<std::vector<Composition>> EmailService::ComposeEach(
    std::span<const LeadRecord> leads, const StoredTemplate& source,
    const CompiledTemplate& compiled) const {
  TANDEM_ASSIGN_OR_RETURN(auto each, FactsForEach(leads));
  std::vector<Composition> out;
  out.reserve(each.size());
  email::TemplateHtmlFacts shapes(compiled);  // recipients alike in shape share one parse
  for (const RecipientFacts& facts : each) {
    out.push_back(ComposeFor(config_, facts, source, compiled, resources_, &shapes));
  }
  return out;
}

StatusOr<Composition> EmailService::Preview(int64_t lead_id, const StoredTemplate& source,
                                            const Actor& actor, TimePoint now) const {
  TANDEM_ASSIGN_OR_RETURN(auto lead, stores_.leads.GetLead(lead_id));
  if (!lead) return NotFound("not_found", fmt::format("lead ld_{} does not exist", lead_id));
  TANDEM_ASSIGN_OR_RETURN(CompiledTemplate compiled, CompileStoredTemplate(source));
  TANDEM_ASSIGN_OR_RETURN(Composition c, Compose(*lead, source, compiled));
  // What sending would meet, read in a transaction that is rolled back.
  TANDEM_ASSIGN_OR_RETURN(auto txn, stores_.email.BeginEmailTxn());
  TANDEM_ASSIGN_OR_RETURN(c.compliance, Compliance(*txn, *lead, source.purpose));
  TouchInput touch;
  touch.channel = Channel::kEmail;
  touch.purpose = source.purpose;
  TANDEM_ASSIGN_OR_RETURN(c.gate, engine_.CheckContact(*txn, lead_id, actor, touch, now));
  return c;
}

StatusOr<std::vector<ContactReason>> EmailService::Compliance(EmailTxn& txn, const LeadRecord& lead,
                                                              Purpose purpose) const {
  std::vector<ContactReason> out;
  if (lead.email.empty()) {
    out.push_back(Refusal("no_address", fmt::format("ld_{} has no email address", lead.id)));
    return out;
  }
  TANDEM_ASSIGN_OR_RETURN(auto suppressed, txn.FindSuppression(NormalizeEmail(lead.email)));
  if (suppressed) {
    out.push_back(Refusal(
        "suppressed", fmt::format("{} is suppressed ({}{}): no email goes to it again", lead.email,
                                  suppressed->reason,
                                  suppressed->detail.empty() ? "" : ": " + suppressed->detail)));
  }
  if (purpose == Purpose::kEmailMarketing) {
    // A person who had Tandem erase them may come back to sales on their own; marketing
    // never reaches the address again (the suppression list keeps its key only).
    TANDEM_ASSIGN_OR_RETURN(bool erased,
                            txn.IsErasedAddress(ErasedAddressKey(secret_, lead.email)));
    if (erased) {
      out.push_back(Refusal(
          "erased", fmt::format("{} belonged to a person who had their data erased: no marketing "
                                "email goes to it again, whatever consent is recorded",
                                lead.email)));
    }
    TANDEM_ASSIGN_OR_RETURN(ContactPrefs prefs, txn.GetContactPrefs(lead.id));
    if (prefs.address_source == "harvested" || prefs.address_source == "purchased") {
      out.push_back(Refusal(
          prefs.address_source + "_address",
          fmt::format("{}'s address was {} (not given by the person): no marketing email goes to "
                      "it, whatever consent is recorded",
                      lead.email, prefs.address_source)));
    }
  }
  return out;
}

StatusOr<SendOutcome> EmailService::SendToLead(int64_t lead_id, const Actor& actor,
                                               const SendRequest& request, TimePoint now) const {
  TANDEM_ASSIGN_OR_RETURN(StoredTemplate source, Resolve(request.compose));
  TANDEM_RETURN_IF_ERROR(CheckSendable(config_, public_url_, source.purpose));
  TANDEM_ASSIGN_OR_RETURN(CompiledTemplate compiled, CompileStoredTemplate(source));
  TANDEM_ASSIGN_OR_RETURN(auto lead, stores_.leads.GetLead(lead_id));
  if (!lead) return NotFound("not_found", fmt::format("lead ld_{} does not exist", lead_id));
  SendOutcome out;
  TANDEM_ASSIGN_OR_RETURN(out.composition, Compose(*lead, source, compiled));
  if (out.composition.Blocked()) return out;

  TouchInput touch;
  touch.channel = Channel::kEmail;
  touch.purpose = source.purpose;
  touch.note = "Email: " + out.composition.rendered->subject;
  touch.override = request.override;
  touch.override_reason = request.override_reason;
  TANDEM_RETURN_IF_ERROR(ContactService::CheckTouchInput(touch));
  TANDEM_RETURN_IF_ERROR(engine_.contacts().CheckMayRecordTouch(actor.user, touch));

  TANDEM_ASSIGN_OR_RETURN(auto txn, stores_.email.BeginEmailTxn());
  TANDEM_ASSIGN_OR_RETURN(out.composition.compliance, Compliance(*txn, *lead, source.purpose));
  if (!out.composition.compliance.empty()) return out;  // rolled back: nothing recorded
  TANDEM_ASSIGN_OR_RETURN(TouchResult result,
                          engine_.RecordTouch(*txn, lead_id, actor, touch, now));
  out.decision = result.decision;
  if (result.touch) {
    out.touch = result.touch;
    const std::optional<int64_t> user_id =
        actor.user ? std::optional<int64_t>(actor.user->id) : std::nullopt;
    TANDEM_ASSIGN_OR_RETURN(
        out.send, QueueInTxn(*txn, out.composition, SendKind::kOneToOne, user_id, std::nullopt,
                             lead_id, *result.touch, now));
  }
  TANDEM_RETURN_IF_ERROR(txn->Commit());
  return out;
}

StatusOr<EmailSend> EmailService::QueueInTxn(EmailTxn& txn, const Composition& c, SendKind kind,
                                             std::optional<int64_t> user_id,
                                             std::optional<int64_t> broadcast_id, int64_t lead_id,
                                             const TouchRecord& touch, TimePoint now,
                                             std::optional<int64_t> experiment_id) const {
  EmailSend send;
  send.uid = "em_" + RandomToken(9);
  send.kind = kind;
  send.lead_id = lead_id;
  send.broadcast_id = broadcast_id;
  send.user_id = user_id;
  send.touch_id = touch.id;
  send.template_key = c.source.key;
  send.template_version = c.source.version;
  send.to_address = c.to_address;
  send.to_name = c.to_name;
  send.subject = c.rendered->subject;
  send.html = WithTracking(c.rendered->html, send.uid, c.unsubscribe_url);
  send.text = c.rendered->text;
  send.message_id = MessageIdFor(config_);
  send.marketing = c.source.purpose == Purpose::kEmailMarketing;
  send.unsubscribe_url = send.marketing ? c.unsubscribe_url : "";
  send.experiment_id = experiment_id;
  if (experiment_id) send.experiment_arm = c.experiment_arm;
  send.status = SendStatus::kQueued;
  send.next_attempt_at = now;
  send.created_at = now;
  send.updated_at = now;
  TANDEM_ASSIGN_OR_RETURN(send.id, txn.AddSend(send));
  return send;
}

EmailSend EmailService::Transactional(const std::string& to_address, const std::string& to_name,
                                      std::optional<int64_t> lead_id,
                                      std::optional<int64_t> user_id, const std::string& subject,
                                      const std::string& html, const std::string& text,
                                      TimePoint now) const {
  EmailSend send;
  send.uid = "em_" + RandomToken(9);
  send.kind = SendKind::kNotification;
  send.lead_id = lead_id;
  send.user_id = user_id;
  send.to_address = to_address;
  send.to_name = to_name;
  send.subject = subject;
  send.html = html;
  send.text = text;
  send.message_id = MessageIdFor(config_);
  send.status = SendStatus::kQueued;
  send.next_attempt_at = now;
  send.created_at = now;
  send.updated_at = now;
  return send;
}

StatusOr<EmailSend> EmailService::QueueTest(const UserRecord& user, const Composition& c,
                                            TimePoint now) const {
  TANDEM_RETURN_IF_ERROR(CheckSendable(config_, public_url_, c.source.purpose));
  if (!c.rendered) {
    std::string why;
    for (const TemplateProblem& p : c.problems) why += (why.empty() ? "" : "; ") + p.message;
    return Unprocessable("render_failed",
                         "the email could not be rendered for the chosen lead: " + why);
  }
  EmailSend send =
      Transactional(user.email, user.name, std::nullopt, user.id, "[Test] " + c.rendered->subject,
                    c.rendered->html, c.rendered->text, now);
  send.kind = SendKind::kTest;
  send.template_key = c.source.key;
  send.template_version = c.source.version;
  send.marketing = c.source.purpose == Purpose::kEmailMarketing;
  send.unsubscribe_url = send.marketing ? c.unsubscribe_url : "";
  TANDEM_ASSIGN_OR_RETURN(auto txn, stores_.email.BeginEmailTxn());
  TANDEM_ASSIGN_OR_RETURN(auto suppressed, txn->FindSuppression(NormalizeEmail(user.email)));
  if (suppressed) {
    return Conflict("suppressed", fmt::format("{} is suppressed ({}): no email goes to it",
                                              user.email, suppressed->reason));
  }
  TANDEM_ASSIGN_OR_RETURN(send.id, txn->AddSend(send));
  TANDEM_RETURN_IF_ERROR(txn->Commit());
  return send;
}

}  // namespace tandem
