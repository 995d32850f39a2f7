// SqliteLeadOps: the LeadTxn methods over SQLite's write connection, shared by the
// lead transaction and the pipeline's processing transaction (which is one too).
#pragma once

#include <mutex>

#include "store/sqlite/sqlite_catalog.h"
#include "store/sqlite/sqlite_contact.h"
#include "store/sqlite/sqlite_leads.h"

namespace tandem::sqlite {

// `Interface` is LeadTxn or a class derived from it. The write lock is held and the
// transaction open from construction (Begin) to Commit or destruction.
template <typename Interface>
class SqliteLeadOps : public Interface {
 public:
  SqliteLeadOps(std::mutex& write_mu, Database& db) : lock_(write_mu), db_(db) {}
  ~SqliteLeadOps() override {
    if (begun_ && !committed_) (void)db_.Exec("ROLLBACK");
    db_.ResetStatements();
  }

  Status Begin() {
    TANDEM_RETURN_IF_ERROR(db_.Exec("BEGIN IMMEDIATE"));
    begun_ = true;
    return OkStatus();
  }

  StatusOr<std::optional<LeadRecord>> GetLead(int64_t id) override {
    return sqlite::GetLead(db_, id);
  }
  Status PutLead(const LeadRecord& lead) override { return sqlite::PutLead(db_, lead); }
  Status FoldLead(int64_t from, int64_t into, TimePoint now) override {
    return sqlite::FoldLead(db_, from, into, now);
  }
  Status EnsureAccount(std::string_view domain, std::string_view name, TimePoint now) override {
    return sqlite::EnsureAccount(db_, domain, name, now);
  }
  StatusOr<std::vector<ScoreItem>> ListScoreItems(int64_t id) override {
    return sqlite::ListScoreItems(db_, id);
  }
  Status AddScoreItem(int64_t id, const ScoreItem& item) override {
    return sqlite::AddScoreItem(db_, id, item);
  }
  Status DeleteScoreItems(int64_t id, std::optional<ScoreAxis> axis) override {
    return sqlite::DeleteScoreItems(db_, id, axis);
  }
  StatusOr<double> RulePointsOnDay(int64_t id, std::string_view rule, int64_t day) override {
    return sqlite::RulePointsOnDay(db_, id, rule, day);
  }
  Status AddTraitHistory(int64_t id, std::string_view trait, std::string_view value,
                         std::optional<int64_t> event_id, TimePoint at) override {
    return sqlite::AddTraitHistory(db_, id, trait, value, event_id, at);
  }
  Status AppendLog(const LeadLogEntry& entry) override { return sqlite::AppendLog(db_, entry); }
  StatusOr<std::vector<StoredEvent>> PersonEvents(int64_t person_id) override {
    return sqlite::PersonEvents(db_, person_id, 100000);
  }
  StatusOr<std::vector<LeadLogEntry>> ListLeadLog(int64_t lead_id) override {
    return sqlite::ListLeadLog(db_, lead_id);
  }
  StatusOr<std::vector<AssignmentRecord>> ListAssignments(int64_t lead_id) override {
    return sqlite::ListAssignments(db_, lead_id);
  }
  StatusOr<Catalog> LoadCatalog() override { return sqlite::LoadCatalog(db_); }
  StatusOr<std::vector<UserRecord>> ListUsers() override { return sqlite::ListUsers(db_); }
  StatusOr<int> CountOpenLeads(int64_t user_id) override {
    return sqlite::CountOpenLeads(db_, user_id);
  }
  StatusOr<std::optional<int64_t>> FindAccountOwner(std::string_view domain,
                                                    int64_t except_lead) override {
    return sqlite::FindAccountOwner(db_, domain, except_lead);
  }
  StatusOr<std::vector<std::pair<int64_t, double>>> RoutingPasses(std::string_view team) override {
    return sqlite::RoutingPasses(db_, team);
  }
  Status SetRoutingPass(std::string_view team, int64_t user_id, double pass) override {
    return sqlite::SetRoutingPass(db_, team, user_id, pass);
  }
  StatusOr<double> VirtualTime(std::string_view team) override {
    return sqlite::VirtualTime(db_, team);
  }
  Status SetVirtualTime(std::string_view team, double virtual_time) override {
    return sqlite::SetVirtualTime(db_, team, virtual_time);
  }
  Status StartAssignment(const AssignmentRecord& a) override {
    return sqlite::StartAssignment(db_, a);
  }
  Status EndAssignment(int64_t lead_id, TimePoint at, std::string_view reason) override {
    return sqlite::EndAssignment(db_, lead_id, at, reason);
  }
  StatusOr<std::optional<AssignmentRecord>> OpenAssignment(int64_t lead_id) override {
    return sqlite::OpenAssignment(db_, lead_id);
  }
  Status UpdateAssignmentSla(const AssignmentRecord& a) override {
    return sqlite::UpdateAssignmentSla(db_, a);
  }
  StatusOr<ContactPrefs> GetContactPrefs(int64_t lead_id) override {
    return sqlite::GetContactPrefs(db_, lead_id);
  }
  Status PutContactPrefs(const ContactPrefs& prefs) override {
    return sqlite::PutContactPrefs(db_, prefs);
  }
  StatusOr<std::vector<ConsentRecord>> ListConsents(int64_t lead_id) override {
    return sqlite::ListConsents(db_, lead_id);
  }
  Status AddConsent(const ConsentRecord& consent) override {
    return sqlite::AddConsent(db_, consent);
  }
  StatusOr<std::vector<TouchRecord>> ListTouches(int64_t lead_id, TimePoint since) override {
    return sqlite::ListTouches(db_, lead_id, since);
  }
  StatusOr<int64_t> AddTouch(const TouchRecord& touch) override {
    return sqlite::AddTouch(db_, touch);
  }
  Status AddRefusal(const GateRefusal& refusal) override {
    return sqlite::AddRefusal(db_, refusal);
  }
  Status Enqueue(const OutboxMessage& message, std::span<const std::string> endpoints,
                 TimePoint now) override {
    return sqlite::Enqueue(db_, message, endpoints, now);
  }
  Status Commit() override {
    TANDEM_RETURN_IF_ERROR(db_.Exec("COMMIT"));
    committed_ = true;
    return OkStatus();
  }

 protected:
  Database& db() { return db_; }

 private:
  std::unique_lock<std::mutex> lock_;
  Database& db_;
  bool begun_ = false;
  bool committed_ = false;
};

}  // namespace tandem::sqlite
