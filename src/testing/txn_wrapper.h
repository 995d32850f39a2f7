// ProcessingTxnWrapper: a pipeline transaction that forwards every call to another, so a
// test can override one method to inject a fault and keep the real behaviour for the
// rest. As with StoreWrapper, the reads shared with the store are not forwarded one by
// one: they run, written once (sql::SqlReads), on the wrapped transaction's connection.
#pragma once

#include <memory>
#include <utility>

#include "store/sql/sql_store.h"
#include "store/store.h"

namespace tandem {

class ProcessingTxnWrapper : public sql::SqlReads<ProcessingTxn> {
 public:
  // `target` is a SQL store's transaction (every store's is) or another wrapper.
  explicit ProcessingTxnWrapper(std::unique_ptr<ProcessingTxn> target)
      : target_(std::move(target)), reads_(dynamic_cast<sql::ReadSource&>(*target_)) {}

  StatusOr<sql::ReadConn> ReadOn() override { return reads_.ReadOn(); }

  Status PutLead(const LeadRecord& lead) override { return target_->PutLead(lead); }
  Status FoldLead(int64_t from, int64_t into, TimePoint now) override {
    return target_->FoldLead(from, into, now);
  }
  Status EnsureAccount(std::string_view domain, std::string_view name, TimePoint now) override {
    return target_->EnsureAccount(domain, name, now);
  }
  Status AddScoreItem(int64_t lead_id, const ScoreItem& item) override {
    return target_->AddScoreItem(lead_id, item);
  }
  Status DeleteScoreItems(int64_t lead_id, std::optional<ScoreAxis> axis) override {
    return target_->DeleteScoreItems(lead_id, axis);
  }
  StatusOr<double> RulePointsOnDay(int64_t lead_id, std::string_view rule, int64_t day) override {
    return target_->RulePointsOnDay(lead_id, rule, day);
  }
  Status AddTraitHistory(int64_t lead_id, std::string_view trait, std::string_view value,
                         std::optional<int64_t> event_id, TimePoint at) override {
    return target_->AddTraitHistory(lead_id, trait, value, event_id, at);
  }
  Status AppendLog(const LeadLogEntry& entry) override { return target_->AppendLog(entry); }
  StatusOr<int> CountOpenLeads(int64_t user_id) override {
    return target_->CountOpenLeads(user_id);
  }
  StatusOr<std::optional<int64_t>> FindAccountOwner(std::string_view domain,
                                                    int64_t except_lead) override {
    return target_->FindAccountOwner(domain, except_lead);
  }
  StatusOr<std::vector<std::pair<int64_t, double>>> RoutingPasses(std::string_view team) override {
    return target_->RoutingPasses(team);
  }
  Status SetRoutingPass(std::string_view team, int64_t user_id, double pass) override {
    return target_->SetRoutingPass(team, user_id, pass);
  }
  StatusOr<double> VirtualTime(std::string_view team) override {
    return target_->VirtualTime(team);
  }
  Status SetVirtualTime(std::string_view team, double virtual_time) override {
    return target_->SetVirtualTime(team, virtual_time);
  }
  Status StartAssignment(const AssignmentRecord& assignment) override {
    return target_->StartAssignment(assignment);
  }
  Status EndAssignment(int64_t lead_id, TimePoint at, std::string_view reason) override {
    return target_->EndAssignment(lead_id, at, reason);
  }
  StatusOr<std::optional<AssignmentRecord>> OpenAssignment(int64_t lead_id) override {
    return target_->OpenAssignment(lead_id);
  }
  Status UpdateAssignmentSla(const AssignmentRecord& assignment) override {
    return target_->UpdateAssignmentSla(assignment);
  }
  Status PutContactPrefs(const ContactPrefs& prefs) override {
    return target_->PutContactPrefs(prefs);
  }
  Status AddConsent(const ConsentRecord& consent) override { return target_->AddConsent(consent); }
  StatusOr<int64_t> AddTouch(const TouchRecord& touch) override { return target_->AddTouch(touch); }
  StatusOr<bool> ConfirmTouchScore(int64_t lead_id, int64_t touch_id) override {
    return target_->ConfirmTouchScore(lead_id, touch_id);
  }
  Status AddRefusal(const GateRefusal& refusal) override { return target_->AddRefusal(refusal); }
  Status Enqueue(const OutboxMessage& message, std::span<const std::string> endpoints,
                 TimePoint now) override {
    return target_->Enqueue(message, endpoints, now);
  }
  Status Commit() override { return target_->Commit(); }
  bool concurrent() const override { return target_->concurrent(); }
  StatusOr<int64_t> Cursor() override { return target_->Cursor(); }
  StatusOr<std::vector<StoredEvent>> UnprocessedAfter(int64_t after_id, size_t limit) override {
    return target_->UnprocessedAfter(after_id, limit);
  }
  StatusOr<std::vector<int64_t>> StillUnprocessed(std::span<const int64_t> ids) override {
    return target_->StillUnprocessed(ids);
  }
  StatusOr<std::vector<bool>> TryHold(std::span<const Identity> ids,
                                      std::span<const int64_t> persons) override {
    return target_->TryHold(ids, persons);
  }
  StatusOr<std::vector<int64_t>> CurrentPersons(std::span<const Identity> ids) override {
    return target_->CurrentPersons(ids);
  }
  void ForgetReads() override { target_->ForgetReads(); }
  StatusOr<std::vector<KnownIdentity>> LookUpIdentities(std::span<const Identity> ids) override {
    return target_->LookUpIdentities(ids);
  }
  StatusOr<std::vector<StoredEvent>> UnprocessedEvents(std::span<const int64_t> ids) override {
    return target_->UnprocessedEvents(ids);
  }
  StatusOr<std::vector<Identity>> PersonIdentities(std::span<const int64_t> persons) override {
    return target_->PersonIdentities(persons);
  }
  StatusOr<int64_t> ApplyStitch(const StoredEvent& event, const StitchPlan& plan,
                                TimePoint now) override {
    return target_->ApplyStitch(event, plan, now);
  }
  Status MarkProcessed(int64_t through) override { return target_->MarkProcessed(through); }
  StatusOr<bool> NoteErasedAddressReturn(std::string_view address_key, int64_t source_id,
                                         int64_t person_id, TimePoint at) override {
    return target_->NoteErasedAddressReturn(address_key, source_id, person_id, at);
  }
  StatusOr<std::vector<StoredEvent>> StitchedEvents(int64_t after_id, int64_t upto_id,
                                                    size_t limit) override {
    return target_->StitchedEvents(after_id, upto_id, limit);
  }
  Status KeepBriefEvent(int64_t person_id, const BriefEvent& event) override {
    return target_->KeepBriefEvent(person_id, event);
  }
  Status AddStageTransition(const StageTransition& transition) override {
    return target_->AddStageTransition(transition);
  }
  Status AddTouchpoint(const Touchpoint& touchpoint) override {
    return target_->AddTouchpoint(touchpoint);
  }
  bool KeepsTouchpoints() const override { return target_->KeepsTouchpoints(); }
  StatusOr<std::optional<Experiment>> RunningExperiment(const ExperimentTarget& target) override {
    return target_->RunningExperiment(target);
  }
  StatusOr<size_t> AssignPerson(int64_t experiment_id, int64_t person_id, size_t arm,
                                TimePoint at) override {
    return target_->AssignPerson(experiment_id, person_id, arm, at);
  }
  StatusOr<bool> ExposePerson(int64_t experiment_id, int64_t person_id, size_t arm,
                              TimePoint at) override {
    return target_->ExposePerson(experiment_id, person_id, arm, at);
  }
  Status NoteStageReached(int64_t person_id, Stage stage, TimePoint at,
                          std::optional<int64_t> amount_cents) override {
    return target_->NoteStageReached(person_id, stage, at, amount_cents);
  }
  Status NoteSideOutcome(int64_t person_id, SideMetric metric, TimePoint at) override {
    return target_->NoteSideOutcome(person_id, metric, at);
  }

 protected:
  ProcessingTxn& target() { return *target_; }

 private:
  std::unique_ptr<ProcessingTxn> target_;
  sql::ReadSource& reads_;
};

}  // namespace tandem
