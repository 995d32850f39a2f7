// ContactService: preferences, consents, the person's opt-out and their confirmed
// return to email.
#include <fmt/format.h>

#include "auth/permissions.h"
#include "contact/contact_checks.h"
#include "contact/contact_service.h"
#include "core/ids.h"
#include "core/random.h"
#include "core/text.h"
#include "core/time_format.h"

namespace tandem {
namespace {

using contact_checks::CheckOneOf;
using contact_checks::TraitsObject;

// Preferences and consents: the owner, managers, admins and marketing.
Status CheckCanSetContact(const std::optional<UserRecord>& user, const ContactSubject& subject) {
  if (!user || user->role == Role::kMarketing) return OkStatus();
  return CheckCanWorkLead(*user, subject.lead_id, subject.owner_id);
}

// The preferred channel, time zone and address source the change sets.
Status ApplyChannelZoneSource(const PreferencesChange& change, ContactPrefs& prefs,
                              nlohmann::json& changed) {
  if (change.preferred_channel) {
    prefs.preferred_channel.reset();
    if (!change.preferred_channel->empty()) {
      TANDEM_ASSIGN_OR_RETURN(prefs.preferred_channel,
                              ChannelField("preferred_channel", *change.preferred_channel));
    }
    changed["preferred_channel"] = *change.preferred_channel;
  }
  if (change.timezone) {
    if (!change.timezone->empty() && !TimeZone::Find(*change.timezone)) {
      return Unprocessable("invalid_field",
                           fmt::format("timezone \"{}\" is not a time zone such as "
                                       "America/New_York",
                                       *change.timezone));
    }
    prefs.timezone = *change.timezone;
    changed["timezone"] = prefs.timezone;
  }
  if (change.address_source) {
    TANDEM_RETURN_IF_ERROR(CheckOneOf("address_source", *change.address_source, AddressSources()));
    prefs.address_source = *change.address_source;
    changed["address_source"] = prefs.address_source;
  }
  return OkStatus();
}

Status ApplyDoNotContact(const std::map<std::string, std::string>& channels, ContactPrefs& prefs,
                         nlohmann::json& changed) {
  std::vector<std::string> allowed(ContactChannelNames().begin(), ContactChannelNames().end());
  allowed.push_back("all");
  nlohmann::json dnc = nlohmann::json::object();
  for (const auto& [channel, reason] : channels) {
    TANDEM_RETURN_IF_ERROR(CheckOneOf("do_not_contact channel", channel, allowed));
    dnc[channel] = reason;
  }
  prefs.do_not_contact = dnc.dump();
  changed["do_not_contact"] = dnc;
  return OkStatus();
}

// Dates are the lead's days: its zone as this change leaves `prefs`.
Status ApplyOutOfOffice(const std::optional<OutOfOfficeInput>& window, const std::string& traits,
                        ContactPrefs& prefs, nlohmann::json& changed) {
  if (!window) {
    prefs.ooo_from.reset();
    prefs.ooo_until.reset();
    changed["out_of_office"] = nullptr;
    return OkStatus();
  }
  const LeadZone zone = FindLeadZone(prefs, TraitsObject(traits));
  const auto [from, until] = ResolveOutOfOffice(*window, zone.zone.value_or(TimeZone::Utc()));
  if (until <= from) {
    return Unprocessable("invalid_field",
                         fmt::format("out_of_office ends ({}) before it starts ({})",
                                     FormatIsoTime(until), FormatIsoTime(from)));
  }
  prefs.ooo_from = from;
  prefs.ooo_until = until;
  changed["out_of_office"] = {{"from", FormatIsoTime(from)}, {"until", FormatIsoTime(until)}};
  return OkStatus();
}

Status ApplyUnsubscribed(bool unsubscribed, TimePoint now, ContactPrefs& prefs,
                         nlohmann::json& changed) {
  if (!unsubscribed && prefs.unsubscribed_at) {
    return Unprocessable("unsubscribe_is_the_persons",
                         "only the person can undo an unsubscribe, from the preference page "
                         "their unsubscribe link opens");
  }
  if (unsubscribed && !prefs.unsubscribed_at) {
    prefs.unsubscribed_at = now;
    changed["unsubscribed"] = true;
  }
  return OkStatus();
}

// A granted email_marketing consent recorded by staff after the person opted out
// (unsubscribed, or withdrew that consent) must be a fresh one the person gave: on a
// form, with the evidence (the submission, the signed page), dated after the opt-out.
// True when it then ends the person's unsubscribe.
StatusOr<bool> CheckFreshEmailConsent(const ConsentRecord& consent,
                                      const std::vector<ConsentRecord>& before,
                                      const ContactPrefs& prefs) {
  if (consent.status != "granted" || consent.purpose != Purpose::kEmailMarketing) return false;
  // An import is kept on record but never outranks a withdrawal (ConsentState).
  if (consent.method == "import") return false;
  std::optional<TimePoint> opted_out = prefs.unsubscribed_at;
  for (const ConsentRecord& c : before) {
    if (c.purpose == Purpose::kEmailMarketing && c.status == "withdrawn" &&
        (!opted_out || c.at > *opted_out)) {
      opted_out = c.at;
    }
  }
  if (!opted_out) return false;
  if (consent.method != "form" ||
      consent.evidence.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Unprocessable(
        "fresh_consent_required",
        fmt::format("the person opted out on {}; only a new consent they gave can subscribe them "
                    "again: method form, with evidence (the form submission or signed record) "
                    "and at after the opt-out — or they confirm from their own preference page",
                    FormatIsoTime(*opted_out)));
  }
  if (consent.at <= *opted_out) {
    return Unprocessable("fresh_consent_required",
                         fmt::format("a consent given at {} is older than the person's opt-out "
                                     "({}) and cannot undo it",
                                     FormatIsoTime(consent.at), FormatIsoTime(*opted_out)));
  }
  return prefs.unsubscribed_at.has_value();
}

// The message asking the person to confirm at `mail`'s link, to no webhook.
OutboxMessage ResubscribeMessage(const ContactSubject& subject, const ResubscribeMail& mail,
                                 TimePoint now) {
  const std::string& to = subject.email;
  const std::string link = mail.confirm_url.empty() ? mail.confirm_path : mail.confirm_url;
  nlohmann::json data = {
      {"to", to},
      {"lead_id", LeadIdText(subject.lead_id)},
      {"subject", HeaderText("Please confirm: subscribe again to our emails")},
      {"text", fmt::format("Someone asked to subscribe {} to our emails again. If it was you, "
                           "open this link and confirm before {}:\n\n{}\n\nIf it was not you, "
                           "ignore this message: nothing changes.",
                           to, FormatIsoTime(mail.expires), link)},
      {"confirm_path", mail.confirm_path},
      {"confirm_url", mail.confirm_url.empty() ? nlohmann::json() : nlohmann::json(link)},
      {"expires_at", FormatIsoTime(mail.expires)}};
  OutboxMessage message;
  message.uid = "evt_" + RandomUuid();
  message.type = "person.resubscribe_confirmation";
  message.lead_id = subject.lead_id;
  message.created_at = now;
  message.payload = nlohmann::json{
      {"id", message.uid},
      {"type", message.type},
      {"created_at", FormatIsoTime(now)},
      {"data",
       std::move(data)}}.dump();
  return message;
}

}  // namespace

StatusOr<PreferencesUpdate> ContactService::UpdatePreferences(const ContactStores& stores,
                                                              const ContactSubject& subject,
                                                              const std::optional<UserRecord>& user,
                                                              const PreferencesChange& change,
                                                              TimePoint now) const {
  TANDEM_RETURN_IF_ERROR(CheckCanSetContact(user, subject));
  PreferencesUpdate out;
  TANDEM_ASSIGN_OR_RETURN(out.prefs, stores.reads.GetContactPrefs(subject.lead_id));
  TANDEM_RETURN_IF_ERROR(ApplyChannelZoneSource(change, out.prefs, out.changed));
  if (change.do_not_contact) {
    TANDEM_RETURN_IF_ERROR(ApplyDoNotContact(*change.do_not_contact, out.prefs, out.changed));
  }
  if (change.out_of_office) {
    TANDEM_RETURN_IF_ERROR(
        ApplyOutOfOffice(*change.out_of_office, subject.traits, out.prefs, out.changed));
  }
  if (change.unsubscribed) {
    TANDEM_RETURN_IF_ERROR(ApplyUnsubscribed(*change.unsubscribed, now, out.prefs, out.changed));
  }
  out.prefs.updated_at = now;
  TANDEM_RETURN_IF_ERROR(stores.writes.PutContactPrefs(out.prefs));
  return out;
}

Status ContactService::CheckConsentInput(const ConsentRecord& consent, TimePoint now) {
  TANDEM_RETURN_IF_ERROR(CheckOneOf("status", consent.status, {"granted", "withdrawn"}));
  TANDEM_RETURN_IF_ERROR(CheckOneOf("method", consent.method, {"form", "import", "api"}));
  if (!consent.address_source.empty()) {
    TANDEM_RETURN_IF_ERROR(CheckOneOf("source", consent.address_source, AddressSources()));
  }
  if (consent.status == "granted" && consent.wording.empty()) {
    return Unprocessable("wording_required",
                         "a granted consent needs wording: the exact text the person agreed to");
  }
  if (consent.at > now) {
    return Unprocessable("invalid_field", "a consent's time (at) cannot be in the future");
  }
  return OkStatus();
}

StatusOr<ConsentOutcome> ContactService::RecordConsent(const ContactStores& stores,
                                                       const ContactSubject& subject,
                                                       const std::optional<UserRecord>& user,
                                                       ConsentRecord consent, TimePoint now) const {
  TANDEM_RETURN_IF_ERROR(CheckCanSetContact(user, subject));
  const int64_t lead_id = subject.lead_id;
  consent.lead_id = lead_id;
  TANDEM_ASSIGN_OR_RETURN(auto before, stores.reads.ListConsents(lead_id));
  TANDEM_ASSIGN_OR_RETURN(ContactPrefs prefs_before, stores.reads.GetContactPrefs(lead_id));
  ConsentOutcome out;
  TANDEM_ASSIGN_OR_RETURN(out.resubscribed, CheckFreshEmailConsent(consent, before, prefs_before));
  TANDEM_RETURN_IF_ERROR(stores.writes.AddConsent(consent));
  TANDEM_ASSIGN_OR_RETURN(auto after, stores.reads.ListConsents(lead_id));
  out.effective = ConsentState(after, consent.purpose);
  out.withdrawal_kept = consent.status == "granted" && out.effective == "withdrawn" &&
                        ConsentState(before, consent.purpose) == "withdrawn";
  if (!consent.address_source.empty() || out.resubscribed) {
    TANDEM_ASSIGN_OR_RETURN(ContactPrefs prefs, stores.reads.GetContactPrefs(lead_id));
    if (!consent.address_source.empty()) prefs.address_source = consent.address_source;
    // Not a reversal of the person's opt-out (it stays on record): a new consent they
    // gave, with its evidence, supersedes it.
    if (out.resubscribed) prefs.unsubscribed_at.reset();
    prefs.updated_at = now;
    TANDEM_RETURN_IF_ERROR(stores.writes.PutContactPrefs(prefs));
  }
  out.consent = std::move(consent);
  return out;
}

StatusOr<ConsentRecord> ContactService::ApplyOptOut(const ContactStores& stores,
                                                    const ContactSubject& subject, OptOut choice,
                                                    std::string_view how, TimePoint now) const {
  TANDEM_ASSIGN_OR_RETURN(ContactPrefs prefs, stores.reads.GetContactPrefs(subject.lead_id));
  ConsentRecord consent;
  consent.lead_id = subject.lead_id;
  consent.purpose = Purpose::kEmailMarketing;
  consent.status = "withdrawn";
  consent.at = now;
  consent.method = std::string(how);
  consent.actor = "person";
  // The address they opted out with: a confirmation to subscribe again goes only there.
  consent.evidence = nlohmann::json{{"address", subject.email}}.dump();
  switch (choice) {
    case OptOut::kAllEmail:
      if (!prefs.unsubscribed_at) prefs.unsubscribed_at = now;
      consent.wording = "Unsubscribed from all email";
      break;
    case OptOut::kMarketingEmail:
      consent.wording = "Unsubscribed from marketing email";
      break;
    case OptOut::kEverything: {
      if (!prefs.unsubscribed_at) prefs.unsubscribed_at = now;
      nlohmann::json dnc = nlohmann::json::parse(prefs.do_not_contact, nullptr, false);
      if (!dnc.is_object()) dnc = nlohmann::json::object();
      dnc["all"] = "asked not to be contacted at all (preference page)";
      prefs.do_not_contact = dnc.dump();
      consent.wording = "Asked not to be contacted at all";
      break;
    }
  }
  prefs.updated_at = now;
  TANDEM_RETURN_IF_ERROR(stores.writes.PutContactPrefs(prefs));
  TANDEM_RETURN_IF_ERROR(stores.writes.AddConsent(consent));
  return consent;
}

StatusOr<bool> ContactService::RequestResubscribe(const ContactStores& stores,
                                                  const ContactSubject& subject,
                                                  const ResubscribeMail& mail,
                                                  std::optional<TimePoint> last_request,
                                                  TimePoint now) const {
  if (subject.email.empty()) return false;
  // One message a quarter hour: the page cannot be used to flood them.
  if (last_request && *last_request > now - std::chrono::minutes(15)) return false;
  // No webhook endpoint: the link is the person's, for their mailbox only.
  TANDEM_RETURN_IF_ERROR(stores.outbox.Enqueue(ResubscribeMessage(subject, mail, now), {}, now));
  return true;
}

StatusOr<ConsentRecord> ContactService::ConfirmResubscribe(const ContactStores& stores,
                                                           const ContactSubject& subject,
                                                           const ResubscribeEvidence& evidence,
                                                           TimePoint now) const {
  TANDEM_ASSIGN_OR_RETURN(ContactPrefs prefs, stores.reads.GetContactPrefs(subject.lead_id));
  prefs.unsubscribed_at.reset();
  prefs.updated_at = now;
  ConsentRecord consent;
  consent.lead_id = subject.lead_id;
  consent.purpose = Purpose::kEmailMarketing;
  consent.status = "granted";
  consent.at = now;
  consent.method = "email_confirmation";
  consent.actor = "person";
  consent.wording = "Subscribe again to our emails (confirmed from the link sent to this address)";
  consent.evidence = nlohmann::json{{"confirmation_sent_to", evidence.sent_to},
                                    {"link_expires_at", FormatIsoTime(evidence.link_expires)},
                                    {"confirmed_at", FormatIsoTime(now)},
                                    {"ip", evidence.ip},
                                    {"user_agent", evidence.user_agent}}
                         .dump();
  TANDEM_RETURN_IF_ERROR(stores.writes.PutContactPrefs(prefs));
  TANDEM_RETURN_IF_ERROR(stores.writes.AddConsent(consent));
  return consent;
}

}  // namespace tandem
