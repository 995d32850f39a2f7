// SqlLeadOps: the LeadTxn methods over a write transaction, shared by the
// lead transaction and the pipeline's processing transaction (which is one too). Its
// reads are the store's (SqlReads), on the transaction's connection.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "leads/lifecycle.h"
#include "store/sql/sql_analytics.h"
#include "store/sql/sql_contact.h"
#include "store/sql/sql_experiments.h"
#include "store/sql/sql_leads.h"
#include "store/sql/sql_outbox.h"
#include "store/sql/sql_routing.h"
#include "store/sql/sql_store.h"

namespace tandem::sql {

// `Interface` is LeadTxn or a class derived from it. The write transaction (and with
// it the store's write lock) lives from construction to Commit or destruction.
template <typename Interface>
class SqlLeadOps : public SqlReads<Interface> {
 public:
  explicit SqlLeadOps(std::unique_ptr<WriteScope> scope)
      : scope_(std::move(scope)), db_(scope_->db()) {}

  // The transaction's own connection: its reads see its writes.
  StatusOr<ReadConn> ReadOn() override { return ReadConn(db_); }

  Status PutLead(const LeadRecord& lead) override {
    // A lead whose owner's load or account changes: routing beside it must see it.
    if (db_.concurrent()) {
      auto read = loads_.find(lead.id);
      if (read == loads_.end() || read->second != LoadOf(lead))
        TANDEM_RETURN_IF_ERROR(db_.Hold(Turn::kLeadsShared));
      loads_[lead.id] = LoadOf(lead);
    }
    return sql::PutLead(db_, lead);
  }
  Status FoldLead(int64_t from, int64_t into, TimePoint now) override {
    TANDEM_RETURN_IF_ERROR(db_.Hold(Turn::kLeadsShared));
    ForgetRulePoints(from);
    return sql::FoldLead(db_, from, into, now);
  }
  Status EnsureAccount(std::string_view domain, std::string_view name, TimePoint now) override {
    return sql::EnsureAccount(db_, domain, name, now);
  }
  Status AddScoreItem(int64_t id, const ScoreItem& item) override {
    if (item.axis == ScoreAxis::kEngagement) {
      auto it = rule_points_.find({id, item.rule, UtcDay(item.at)});
      if (it != rule_points_.end()) it->second += item.points;
    }
    return sql::AddScoreItem(db_, id, item);
  }
  Status DeleteScoreItems(int64_t id, std::optional<ScoreAxis> axis) override {
    ForgetRulePoints(id);
    return sql::DeleteScoreItems(db_, id, axis);
  }
  StatusOr<double> RulePointsOnDay(int64_t id, std::string_view rule, int64_t day) override {
    std::tuple<int64_t, std::string, int64_t> key{id, rule, day};
    if (auto it = rule_points_.find(key); it != rule_points_.end()) return it->second;
    TANDEM_ASSIGN_OR_RETURN(const double points, sql::RulePointsOnDay(db_, id, rule, day));
    rule_points_.emplace(std::move(key), points);
    return points;
  }
  Status AddTraitHistory(int64_t id, std::string_view trait, std::string_view value,
                         std::optional<int64_t> event_id, TimePoint at) override {
    return sql::AddTraitHistory(db_, id, trait, value, event_id, at);
  }
  Status AppendLog(const LeadLogEntry& entry) override { return sql::AppendLog(db_, entry); }
  // Routing reads and writes what every lead shares: beside other batches, in turns.
  StatusOr<int> CountOpenLeads(int64_t user_id) override {
    TANDEM_RETURN_IF_ERROR(db_.Hold(Turn::kLeadsShared));
    return sql::CountOpenLeads(db_, user_id);
  }
  StatusOr<std::optional<int64_t>> FindAccountOwner(std::string_view domain,
                                                    int64_t except_lead) override {
    TANDEM_RETURN_IF_ERROR(db_.Hold(Turn::kLeadsShared));
    return sql::FindAccountOwner(db_, domain, except_lead);
  }
  StatusOr<std::vector<std::pair<int64_t, double>>> RoutingPasses(std::string_view team) override {
    TANDEM_RETURN_IF_ERROR(db_.Hold(Turn::kLeadsShared));
    return sql::RoutingPasses(db_, team);
  }
  Status SetRoutingPass(std::string_view team, int64_t user_id, double pass) override {
    TANDEM_RETURN_IF_ERROR(db_.Hold(Turn::kLeadsShared));
    return sql::SetRoutingPass(db_, team, user_id, pass);
  }
  StatusOr<double> VirtualTime(std::string_view team) override {
    TANDEM_RETURN_IF_ERROR(db_.Hold(Turn::kLeadsShared));
    return sql::VirtualTime(db_, team);
  }
  Status SetVirtualTime(std::string_view team, double virtual_time) override {
    TANDEM_RETURN_IF_ERROR(db_.Hold(Turn::kLeadsShared));
    return sql::SetVirtualTime(db_, team, virtual_time);
  }
  Status StartAssignment(const AssignmentRecord& a) override {
    TANDEM_RETURN_IF_ERROR(db_.Hold(Turn::kLeadsShared));
    return sql::StartAssignment(db_, a);
  }
  Status EndAssignment(int64_t lead_id, TimePoint at, std::string_view reason) override {
    TANDEM_RETURN_IF_ERROR(db_.Hold(Turn::kLeadsShared));
    return sql::EndAssignment(db_, lead_id, at, reason);
  }
  StatusOr<std::optional<AssignmentRecord>> OpenAssignment(int64_t lead_id) override {
    return sql::OpenAssignment(db_, lead_id);
  }
  Status UpdateAssignmentSla(const AssignmentRecord& a) override {
    return sql::UpdateAssignmentSla(db_, a);
  }
  Status PutContactPrefs(const ContactPrefs& prefs) override {
    return sql::PutContactPrefs(db_, prefs);
  }
  Status AddConsent(const ConsentRecord& consent) override { return sql::AddConsent(db_, consent); }
  StatusOr<int64_t> AddTouch(const TouchRecord& touch) override {
    return sql::AddTouch(db_, touch);
  }
  StatusOr<bool> ConfirmTouchScore(int64_t lead_id, int64_t touch_id) override {
    return sql::ConfirmTouchScore(db_, lead_id, touch_id);
  }
  Status AddRefusal(const GateRefusal& refusal) override { return sql::AddRefusal(db_, refusal); }
  Status Enqueue(const OutboxMessage& message, std::span<const std::string> endpoints,
                 TimePoint now) override {
    // Beside other batches, at commit and in turns, so the outbox's ids commit in order.
    if (db_.concurrent()) {
      outbox_.push_back({message, {endpoints.begin(), endpoints.end()}, now});
      return OkStatus();
    }
    return sql::Enqueue(db_, message, endpoints, now);
  }
  Status AddStageTransition(const StageTransition& transition) override {
    return sql::AddStageTransition(db_, transition);
  }
  StatusOr<std::optional<Experiment>> RunningExperiment(const ExperimentTarget& target) override {
    return sql::RunningExperiment(db_, target);
  }
  StatusOr<size_t> AssignPerson(int64_t experiment_id, int64_t person_id, size_t arm,
                                TimePoint at) override {
    return sql::AssignPerson(db_, experiment_id, person_id, arm, at);
  }
  StatusOr<bool> ExposePerson(int64_t experiment_id, int64_t person_id, size_t arm,
                              TimePoint at) override {
    return sql::ExposePerson(db_, experiment_id, person_id, arm, at);
  }
  Status NoteStageReached(int64_t person_id, Stage stage, TimePoint at,
                          std::optional<int64_t> amount_cents) override {
    return sql::NoteStageReached(db_, person_id, stage, at, amount_cents);
  }
  Status NoteSideOutcome(int64_t person_id, SideMetric metric, TimePoint at) override {
    return sql::NoteSideOutcome(db_, person_id, metric, at);
  }
  Status Commit() override {
    if (!outbox_.empty()) {
      TANDEM_RETURN_IF_ERROR(db_.Hold(Turn::kOutbox));
      for (const Kept& m : outbox_)
        TANDEM_RETURN_IF_ERROR(sql::Enqueue(db_, m.message, m.endpoints, m.now));
      outbox_.clear();
    }
    return scope_->Commit();
  }

 protected:
  Db& db() { return db_; }
  // What routing beside this batch counts of a lead as read (`lead` of id `id`).
  void NoteLeadRead(int64_t id, const std::optional<LeadRecord>& lead) {
    if (db_.concurrent()) loads_[id] = lead ? LoadOf(*lead) : Load();
  }
  void ForgetLeadReads() {
    rule_points_.clear();
    loads_.clear();
  }

 private:
  // The owner a lead counts against (while open for sales) and the account it gives that
  // owner: what routing reads of other leads.
  using Load = std::pair<std::optional<int64_t>, std::string>;
  static Load LoadOf(const LeadRecord& lead) {
    if (!lead.owner_id) return {};
    return {IsOpenForSales(lead.stage) ? lead.owner_id : std::nullopt, lead.account_domain};
  }
  struct Kept {
    OutboxMessage message;
    std::vector<std::string> endpoints;
    TimePoint now;
  };

  void ForgetRulePoints(int64_t id) {
    std::erase_if(rule_points_, [id](const auto& entry) { return std::get<0>(entry.first) == id; });
  }

  std::unique_ptr<WriteScope> scope_;
  Db& db_;
  // The engagement points of a lead's rule on a day (lead, rule, day), as read and then
  // added to in this transaction: caps per day ask once per event.
  std::map<std::tuple<int64_t, std::string, int64_t>, double> rule_points_;
  std::map<int64_t, Load> loads_;  // by lead, as read or written (concurrent() only)
  std::vector<Kept> outbox_;       // messages for the commit (concurrent() only)
};

}  // namespace tandem::sql
