// EmailService: every email to a lead, from a template version to a queued send.
//
// Each recipient's message is rendered from the template (a field with no value and no
// fallback stops it), checked (email/lint.h: an error stops it), put through the
// compliance rules nobody can override (a suppressed address; for marketing, an address
// that was harvested or purchased), and then through the contact gate as a touch of the
// lead: the touch and the send row (its Message-ID fixed here, before any attempt) are
// written in one transaction, or the refusal is recorded with its reasons. The sender
// (email/email_sender.h) delivers what is queued.
//
// Thread-safety: immutable after construction; the stores serialize the writes.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "brief/brief_store.h"
#include "catalog/catalog_store.h"
#include "core/settings_store.h"
#include "email/composer.h"
#include "email/email_config.h"
#include "email/email_store.h"
#include "leads/lead_engine.h"

namespace tandem {

// What the email domain reads outside transactions. The store is all of them.
struct EmailReadStores {
  EmailStore& email;
  LeadReads& leads;
  LeadListing& listing;
  AuthStore& users;
  CatalogReads& catalog;
  WhyNowReads& activity;
  ExperimentStore& experiments;
};

// A template version with the edits of the compose box, if any.
struct ComposeRequest {
  std::string template_key;
  std::optional<int64_t> version;  // nullopt: the latest
  std::optional<std::string> subject;
  std::optional<std::string> preheader;
  std::optional<std::string> html;
};

struct SendRequest {
  ComposeRequest compose;
  bool override = false;  // the gate's overridable reasons, with a reason, by a role allowed
  std::string override_reason;
};

// What sending to one lead did: queued (send and touch set), or refused by the gate
// (decision), or stopped before the gate (composition blocked).
struct SendOutcome {
  Composition composition;
  ContactDecision decision;
  std::optional<EmailSend> send;
  std::optional<TouchRecord> touch;
};

// Whom queuing a lead's email is on behalf of: the kind of send, the actor the gate
// sees (the system for marketing; the owner for a rep's outreach), the user the send
// names and the broadcast it belongs to.
struct AdmitAs {
  SendKind kind = SendKind::kBroadcast;
  Actor actor;
  std::optional<int64_t> user_id;
  std::optional<int64_t> broadcast_id;
};

// What admitting one composed email did: queued (send and touch), or refused with the
// codes (a refused send recorded with them).
struct Admission {
  std::optional<EmailSend> send;
  std::optional<TouchRecord> touch;
  std::vector<std::string> refused;
};

// The gate's blocking codes of a refusal ("refused" when it gave none).
std::vector<std::string> GateCodes(const ContactDecision& decision);
// The touch an email composed from `c` is: its channel, its template's purpose, a note.
TouchInput EmailTouch(const Composition& c);

class EmailService {
 public:
  // `resources` (fetched image and link facts) may be null: those checks are skipped.
  // `unsubscribe_secret` signs the recipients' links (it must outlive the service; it
  // may be filled in after construction, before the first email); `public_url` is
  // where they point ("https://t.example.com").
  EmailService(EmailConfig config, const LeadEngine& engine, EmailReadStores stores,
               email::ResourceFacts* resources, const std::string& unsubscribe_secret,
               std::string public_url);

  const EmailConfig& config() const { return config_; }
  const std::string& public_url() const { return public_url_; }
  const LeadEngine& engine() const { return engine_; }
  EmailReadStores& stores() const { return stores_; }

  // The template version the request names, with its edits: 404 no such template or
  // version, 422 when the edited template has problems (CheckTemplate).
  StatusOr<StoredTemplate> Resolve(const ComposeRequest& request) const;
  // What `lead` would receive from `source`, checked, recording nothing.
  StatusOr<Composition> Compose(const LeadRecord& lead, const StoredTemplate& source,
                                const CompiledTemplate& compiled) const;
  // Compose for each of `leads` (a broadcast's batch), in order; what they are merged
  // from is read once for the batch (the catalog, the owners) or in one call for all of
  // them (their activity).
  StatusOr<std::vector<Composition>> ComposeEach(std::span<const LeadRecord> leads,
                                                 const StoredTemplate& source,
                                                 const CompiledTemplate& compiled) const;
  // The template version the request names with its edits, unchecked (404 as Resolve).
  StatusOr<StoredTemplate> Edited(const ComposeRequest& request) const;
  // Compose for lead `lead_id` (404 when there is none), with what sending it as
  // `actor` would meet now: the compliance refusals and the gate's answer.
  StatusOr<Composition> Preview(int64_t lead_id, const StoredTemplate& source, const Actor& actor,
                                TimePoint now) const;

  // Sends to one lead as `actor` (one-to-one: the owner's sales outreach, or a
  // marketing email when the template's purpose is email_marketing).
  StatusOr<SendOutcome> SendToLead(int64_t lead_id, const Actor& actor, const SendRequest& request,
                                   TimePoint now) const;
  // Queues `composition` for `lead` inside `txn` after the gate let it through as
  // `touch`; returns the send.
  StatusOr<EmailSend> QueueInTxn(EmailTxn& txn, const Composition& composition, SendKind kind,
                                 std::optional<int64_t> user_id,
                                 std::optional<int64_t> broadcast_id, int64_t lead_id,
                                 const TouchRecord& touch, TimePoint now,
                                 std::optional<int64_t> experiment_id = std::nullopt) const;
  // Puts one recipient's composed email through what it has not passed yet — the
  // compliance rules, then the gate as a touch by `as.actor` — inside `txn`: queued when
  // all let it through, else a refused send with the codes. REQUIRES: `c` was composed
  // for `lead`.
  StatusOr<Admission> AdmitInTxn(EmailTxn& txn, const LeadRecord& lead, const Composition& c,
                                 const AdmitAs& as, TimePoint now) const;
  // A message that is not a touch (a notification to a user, a confirmation the person
  // asked for, a test send), ready to queue: no gate; the caller checks suppression.
  EmailSend Transactional(const std::string& to_address, const std::string& to_name,
                          std::optional<int64_t> lead_id, std::optional<int64_t> user_id,
                          const std::string& subject, const std::string& html,
                          const std::string& text, TimePoint now) const;
  // Queues a test of `composition` to `user` ("[Test] " before the subject).
  StatusOr<EmailSend> QueueTest(const UserRecord& user, const Composition& composition,
                                TimePoint now) const;

  // The refusals no override lifts, read in `txn`: a suppressed address; for marketing,
  // an address that was harvested or purchased.
  StatusOr<std::vector<ContactReason>> Compliance(EmailTxn& txn, const LeadRecord& lead,
                                                  Purpose purpose) const;
  // The lead's signed preference and one-click unsubscribe link.
  std::string UnsubscribeUrlFor(int64_t lead_id) const;

 private:
  // `unsubscribe_url`: the recipient's, left as it is.
  std::string WithTracking(const std::string& html, std::string_view send_uid,
                           const std::string& unsubscribe_url) const;
  StatusOr<RecipientFacts> FactsFor(const LeadRecord& lead) const;
  StatusOr<std::vector<RecipientFacts>> FactsForEach(std::span<const LeadRecord> leads) const;

  const EmailConfig config_;
  const LeadEngine& engine_;
  mutable EmailReadStores stores_;
  email::ResourceFacts* const resources_;
  const std::string& secret_;
  const std::string public_url_;
};

}  // namespace tandem
