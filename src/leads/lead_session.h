// LeadEngine::Session (internal to leads/): one lead's changes within one transaction.
// Loads the lead, applies events and decisions to it in memory, logs and emits as it
// goes, and writes the row back on Save().
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "leads/lead_engine.h"
#include "leads/lead_imported.h"
#include "leads/lead_traits.h"

namespace tandem {

class LeadEngine::Session {
 public:
  Session(const LeadEngine& engine, LeadTxn& txn, TimePoint now)
      : engine_(engine), txn_(txn), now_(now) {}

  // Loads the lead; false when it does not exist.
  StatusOr<bool> Load(int64_t lead_id);
  // Starts a new lead for a person (not yet written).
  void Create(int64_t person_id, std::string_view email);
  LeadRecord& lead() { return lead_; }
  Stage stage() const;

  // Clears what events derive (engagement items, attribution) and replays every event
  // of the lead's person, oldest first.
  Status Rebuild();
  // Applies one event: traits, attribution, engagement.
  Status ApplyEvent(const StoredEvent& event);
  // Merges traits a user typed in; they have history without an event.
  Status EditTraits(const nlohmann::json& traits, const Actor& actor);
  // Recomputes fit from the traits when they changed.
  Status RefreshFit(bool force);

  // Makes the lead MQL when a hand-raise or the thresholds say so, and routes it. A
  // recycled lead qualifies on a hand-raise at any time, on its score once its revisit
  // date came, and (`revisit`) on that date itself; it goes to its last owner first.
  Status Qualify(const Actor& actor, bool revisit = false);
  // Routes the lead: routing (routing/routing_service.h) chooses the owner, who is
  // assigned here; queued when nobody can take it. An existing owner is kept.
  Status Route(const Actor& actor);
  Status Assign(const UserRecord& user, std::string_view rule, std::string_view reason,
                nlohmann::json candidates, const Actor& actor);
  Status Unassign(std::string_view reason, const Actor& actor);
  // What an import row says: its contact facts (never weakening what is known) and, for
  // a lead without one, its owner (leads/lead_imported.h). `created`: by this row.
  Status ApplyImport(const ImportedRow& row, bool created, const Actor& actor);
  // Sets the first-contact deadline of a new assignment (sla/sla_timers.h) with the
  // gate's facts as the new owner will meet them. Returns the moment the SLA's time
  // counts from when it is later than now.
  StatusOr<std::optional<TimePoint>> StartSla(AssignmentRecord& assignment,
                                              const UserRecord& owner);
  // Routes the lead away from its owner (after a missed SLA), skipping `exclude`. The
  // owner stays when nobody else can take it; returns whether the owner changed.
  StatusOr<bool> Reroute(int64_t exclude, const Actor& actor);
  // What a due SLA timer of assignment `a` does: the breach (logged, the managers told,
  // rerouted when the policy says so), or the owner's reminder.
  Status SlaBreached(const AssignmentRecord& a);
  Status SlaReminder(const AssignmentRecord& a);
  // Engagement an inbound touch earns.
  Status CountInboundTouch(const TouchRecord& touch);
  Status CountEmailSignal(const EmailSignal& signal);
  Status Earn(const EventFacts& facts, std::optional<int64_t> event_id, const std::string& cause);
  std::optional<UserRecord> UserById(int64_t id);
  const nlohmann::json& traits() const { return traits_; }
  Status SetStage(Stage to, const Actor& actor, std::string_view cause, std::string_view reason,
                  std::optional<int64_t> amount_cents = std::nullopt);

  Status Log(std::string_view kind, const Actor& actor, nlohmann::json data);
  // Writes an outbox message about this lead for the webhooks that want `type`; with
  // `keep`, also when no webhook wants it (notifications other senders pick up).
  Status Emit(std::string_view type, nlohmann::json extra = nlohmann::json::object(),
              bool keep = false);
  Status Save();
  // Tells the users `note` mentions (auth/mentions.h) but the actor: lead.mentioned.
  Status NotifyMentions(std::string_view note, const Actor& actor);

  double Engagement() const;
  bool hand_raised() const { return hand_raise_; }
  // Hand-raises in events older than `event_id` are ignored.
  void set_hand_raise_from(int64_t event_id) { hand_raise_from_ = event_id; }

 private:
  StatusOr<const std::vector<UserRecord>*> Users();
  // The new owner's part of the assignment notice: who to tell, the subject, and the
  // handoff brief when the engine has one (OwnerBriefSource).
  Status AddOwnerNotice(const UserRecord& owner, nlohmann::json& extra);

  const LeadEngine& engine_;
  // The rules this piece of work follows from start to end, whatever changes meanwhile.
  const std::shared_ptr<const RulesInForce> rules_ = engine_.rules();
  LeadTxn& txn_;
  const TimePoint now_;
  LeadRecord lead_;
  nlohmann::json traits_ = nlohmann::json::object();
  bool traits_changed_ = false;
  bool hand_raise_ = false;
  int64_t hand_raise_from_ = 0;
  std::string trigger_;  // what made the lead hand-raise, for the log
  std::optional<std::vector<UserRecord>> users_;
  std::optional<int64_t> exclude_;  // a user routing must skip (Reroute)
  bool returning_ = false;          // qualified again out of recycled: its last owner first
};

}  // namespace tandem
