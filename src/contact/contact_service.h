// ContactService: the contact domain's operations on its own records — touches through
// the gate, preferences, consents, the person's opt-out and their confirmed return.
//
// It reads and writes only through the contact domain's store interfaces (plus the
// owner's user and assignment, and the outbox) inside the caller's transaction, and
// knows the lead only as a ContactSubject. What a contact does to the lead (engagement
// points, the SLA met, the lead's timeline and stage) is the caller's: each operation
// returns what it recorded so the caller can apply it. An email sender records its
// touches and checks the gate through this service alone.
//
// Errors are values: 422 for bad input, 403 for a role that may not, 404 and 409 as
// each operation says. Nothing is committed here; the caller commits or rolls back.
//
// Thread-safety: immutable after construction.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "auth/auth_store.h"
#include "contact/contact_policy.h"
#include "contact/contact_store.h"
#include "contact/gate.h"
#include "outbox/outbox_store.h"
#include "routing/routing_store.h"

namespace tandem {

// What one transaction offers the contact service. A lead's transaction is all of them.
struct ContactStores {
  ContactReads& reads;
  ContactWrites& writes;
  AssignmentReads& assignments;  // the owner's open assignment (the SLA clock)
  UserReads& users;              // the owner's record
  OutboxWrites& outbox;          // the confirmation to subscribe again
};

// A touch to record through the contact gate.
struct TouchInput {
  Channel channel = Channel::kEmail;
  Purpose purpose = Purpose::kSalesOutreach;
  std::string direction = "outbound";
  std::string note;
  bool override = false;  // set with a reason by a role the policy allows
  std::string override_reason;
};

// What recording a touch did: the gate's decision, and the touch when it let it through
// (a refusal is recorded for the reports instead).
struct TouchOutcome {
  ContactDecision decision;
  std::optional<TouchRecord> touch;
  ContactFacts facts;  // what the gate decided on (its open assignment: the SLA clock)
};

// A change to a lead's contact preferences; fields left empty stay as they are.
struct PreferencesChange {
  std::optional<std::string> preferred_channel;  // a channel's name, as given; "" clears
  std::optional<std::string> timezone;           // "" clears
  std::optional<std::string> address_source;
  std::optional<std::map<std::string, std::string>> do_not_contact;  // channel or "all" → reason
  std::optional<std::optional<OutOfOfficeInput>> out_of_office;      // inner nullopt clears
  std::optional<bool> unsubscribed;
};

struct PreferencesUpdate {
  ContactPrefs prefs;                                 // as stored now
  nlohmann::json changed = nlohmann::json::object();  // field → new value, for the timeline
};

struct ConsentOutcome {
  ConsentRecord consent;  // as stored
  std::string effective;  // the purpose's consent now: granted | withdrawn | "" (none)
  // A granted import that left the person's earlier withdrawal in force.
  bool withdrawal_kept = false;
  // A fresh consent the person gave ended their unsubscribe.
  bool resubscribed = false;
};

// What the person chose on their preference page (or the one-click unsubscribe).
// Subscribing again is not among them: it needs the person's confirmation
// (RequestResubscribe, ConfirmResubscribe).
enum class OptOut { kAllEmail, kMarketingEmail, kEverything };

// The confirmation message a request to subscribe again sends to the address.
struct ResubscribeMail {
  std::string confirm_path;  // "/u/<confirm token>"
  std::string confirm_url;   // the full link when server.public_url is set, else ""
  TimePoint expires;
};

// How a confirmed re-subscription was given, kept with its consent record.
struct ResubscribeEvidence {
  std::string sent_to;  // the address the confirmation went to
  TimePoint link_expires;
  std::string ip;
  std::string user_agent;
};

class ContactService {
 public:
  explicit ContactService(ContactConfig policy) : policy_(std::move(policy)) {}
  const ContactConfig& policy() const { return policy_; }

  // The facts the gate decides on for `subject` at `now`.
  StatusOr<ContactFacts> FactsFor(const ContactStores& stores, const ContactSubject& subject,
                                  TimePoint now) const;

  // 422 when the direction is not one the policy knows.
  static Status CheckTouchInput(const TouchInput& input);
  // The gate's answer for a contact by `user` (nullopt: the system) now, recording
  // nothing. REQUIRES: CheckTouchInput(input) passed.
  StatusOr<ContactDecision> Check(const ContactStores& stores, const ContactSubject& subject,
                                  const std::optional<UserRecord>& user, const TouchInput& input,
                                  TimePoint now) const;
  // Whether `user` may record `input` at all: a valid input, not a viewer, an override
  // only by a role the policy allows and with a reason (403, 422).
  Status CheckMayRecordTouch(const std::optional<UserRecord>& user, const TouchInput& input) const;
  // Decides and records in one step: the touch when the gate lets it through, else a
  // refusal for the reports. An inbound touch is "counted" when the system, the owner, a
  // sales manager or an admin records it, else "awaiting_confirmation".
  // REQUIRES: CheckMayRecordTouch(user, input) passed.
  StatusOr<TouchOutcome> RecordTouch(const ContactStores& stores, const ContactSubject& subject,
                                     const std::optional<UserRecord>& user, const TouchInput& input,
                                     TimePoint now) const;
  // A person (403 otherwise) in a role that may confirm inbound touches.
  static Status CheckMayConfirmTouch(const std::optional<UserRecord>& user);
  // Marks the subject's inbound touch `touch_id` confirmed and returns it: 404 when the
  // lead has no such touch, 409 not_inbound or already_counted (of two managers
  // confirming at once, one wins).
  StatusOr<TouchRecord> ConfirmInboundTouch(const ContactStores& stores,
                                            const ContactSubject& subject, int64_t touch_id) const;

  // Preferences and consents are set by the owner, managers, admins and marketing.
  StatusOr<PreferencesUpdate> UpdatePreferences(const ContactStores& stores,
                                                const ContactSubject& subject,
                                                const std::optional<UserRecord>& user,
                                                const PreferencesChange& change,
                                                TimePoint now) const;
  // 422 when the consent is not one that can be recorded (status, method, source,
  // wording, a time in the future).
  static Status CheckConsentInput(const ConsentRecord& consent, TimePoint now);
  // Records a consent given or withdrawn (consent.actor set by the caller). An import
  // never re-grants a withdrawal; a granted email_marketing consent after an opt-out
  // must be a fresh one the person gave on a form, with evidence (422
  // fresh_consent_required), and then ends the unsubscribe.
  // REQUIRES: CheckConsentInput(consent, now) passed.
  StatusOr<ConsentOutcome> RecordConsent(const ContactStores& stores, const ContactSubject& subject,
                                         const std::optional<UserRecord>& user,
                                         ConsentRecord consent, TimePoint now) const;
  // The person's own choice, from their unsubscribe link: returns the withdrawal recorded.
  StatusOr<ConsentRecord> ApplyOptOut(const ContactStores& stores, const ContactSubject& subject,
                                      OptOut choice, std::string_view how, TimePoint now) const;
  // Someone on the person's preference page asked to subscribe again: a confirmation
  // goes to the subject's address through the outbox (to no webhook; the mailer sends
  // it). False, sending nothing, when there is no address or the last request
  // (`last_request`) was within the last 15 minutes.
  StatusOr<bool> RequestResubscribe(const ContactStores& stores, const ContactSubject& subject,
                                    const ResubscribeMail& mail,
                                    std::optional<TimePoint> last_request, TimePoint now) const;
  // The person confirmed from the link sent to their address: the unsubscribe ends and a
  // fresh email_marketing consent is recorded with its evidence, and returned.
  StatusOr<ConsentRecord> ConfirmResubscribe(const ContactStores& stores,
                                             const ContactSubject& subject,
                                             const ResubscribeEvidence& evidence,
                                             TimePoint now) const;

 private:
  const ContactConfig policy_;
};

}  // namespace tandem
