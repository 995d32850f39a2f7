// What the lead's unit of work asks of the store: one write transaction (LeadTxn)
// through which a lead's score, stage, owner, contact records, log and outbox messages
// change together or not at all; and the reads of leads outside any transaction.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "analytics/facts/fact_store.h"
#include "auth/auth_store.h"
#include "catalog/catalog_store.h"
#include "contact/contact_store.h"
#include "core/clock.h"
#include "core/status.h"
#include "experiments/experiment_store.h"
#include "ingest/event.h"
#include "ingest/event_store.h"
#include "leads/lead.h"
#include "outbox/outbox_store.h"
#include "routing/routing_store.h"
#include "scoring/scorer.h"

namespace tandem {

// The lead's own rows, read inside its transaction or outside any.
class LeadReads {
 public:
  virtual ~LeadReads() = default;
  virtual StatusOr<std::optional<LeadRecord>> GetLead(int64_t lead_id) = 0;
  virtual StatusOr<std::vector<ScoreItem>> ListScoreItems(int64_t lead_id) = 0;
  // The score items of a page of leads in one read: each lead's as ListScoreItems gives
  // them (a lead without items has an empty list).
  virtual StatusOr<std::map<int64_t, std::vector<ScoreItem>>> ListScoreItemsOf(
      std::span<const int64_t> lead_ids) = 0;
  virtual StatusOr<std::vector<LeadLogEntry>> ListLeadLog(int64_t lead_id) = 0;
  // Oldest first.
  virtual StatusOr<std::vector<EmailSignal>> ListEmailSignals(int64_t lead_id) = 0;
};

// The lead's own rows, written inside its transaction.
class LeadWrites {
 public:
  virtual ~LeadWrites() = default;
  // Inserts or replaces the lead's row.
  virtual Status PutLead(const LeadRecord& lead) = 0;
  // Folds lead `from` into `into` (after a person merge): its log, stage transitions,
  // assignments, trait history, consents, touches and refusals move; its open
  // assignment ends; its score items, contact preferences and row go. Merging the two sides'
  // preferences and consents is the caller's (contact/contact_merge.h).
  virtual Status FoldLead(int64_t from, int64_t into, TimePoint now) = 0;
  virtual Status EnsureAccount(std::string_view domain, std::string_view name, TimePoint now) = 0;
  virtual Status AddScoreItem(int64_t lead_id, const ScoreItem& item) = 0;
  virtual Status DeleteScoreItems(int64_t lead_id, std::optional<ScoreAxis> axis) = 0;
  // Points `rule` granted the lead on UTC day `day`.
  virtual StatusOr<double> RulePointsOnDay(int64_t lead_id, std::string_view rule, int64_t day) = 0;
  virtual Status AddTraitHistory(int64_t lead_id, std::string_view trait, std::string_view value,
                                 std::optional<int64_t> event_id, TimePoint at) = 0;
  virtual Status AppendLog(const LeadLogEntry& entry) = 0;
};

// One write transaction over lead state (and the stage transitions it makes). Destroying it without
// Commit() rolls back. While it lives it holds the store's write lock, so keep it short.
class LeadTxn : public LeadReads,
                public LeadWrites,
                public ContactReads,
                public ContactWrites,
                public AssignmentReads,
                public RoutingWrites,
                public UserReads,
                public CatalogReads,
                public EventReads,
                public OutboxWrites,
                public StageTransitionWrites,
                public ExperimentWrites {
 public:
  [[nodiscard]] virtual Status Commit() = 0;
};

// Lists and counts of leads, outside any transaction (they do not wait for writers).
// A company leads work at, by its domain (leads.account_domain).
struct AccountSummary {
  std::string domain;
  std::string name;
  int64_t leads = 0;
  int64_t open_leads = 0;           // in mql, sal, sql or opportunity
  std::optional<int64_t> owner_id;  // of its most recently assigned lead: routing's choice
  std::optional<TimePoint> last_activity;
};

class LeadListing {
 public:
  virtual ~LeadListing() = default;
  // Accounts whose domain or name holds `search` (any case), the most leads first.
  virtual StatusOr<std::vector<AccountSummary>> ListAccounts(std::string_view search,
                                                             size_t limit) = 0;
  virtual StatusOr<std::optional<AccountSummary>> GetAccount(std::string_view domain) = 0;
  // The lead a person id leads to, following person merges.
  virtual StatusOr<std::optional<int64_t>> ResolveLeadId(int64_t person_id) = 0;
  virtual StatusOr<std::vector<LeadRecord>> ListLeads(const LeadQuery& query) = 0;
  virtual StatusOr<std::vector<int64_t>> ListLeadIds() = 0;
  virtual StatusOr<int64_t> CountLeads() = 0;
  // Leads whose SLA timer (reminder or breach) is due at `now`.
  virtual StatusOr<std::vector<int64_t>> DueSlaLeads(TimePoint now, size_t limit) = 0;
  // Recycled leads whose revisit date is `now` or earlier, soonest first.
  virtual StatusOr<std::vector<int64_t>> DueRevisits(TimePoint now, size_t limit) = 0;
  // Leads that reached MQL, are open for sales and were never contacted, oldest MQL
  // first; and how many there are.
  virtual StatusOr<std::vector<LeadRecord>> NeverTouchedLeads(size_t limit) = 0;
  virtual StatusOr<int64_t> CountNeverTouchedLeads() = 0;
  // Assignments with an SLA started at or after `since`.
  virtual StatusOr<std::vector<AssignmentRecord>> AssignmentsSince(TimePoint since) = 0;
};

// Where lead transactions come from.
class LeadTxnSource {
 public:
  virtual ~LeadTxnSource() = default;
  virtual StatusOr<std::unique_ptr<LeadTxn>> BeginLeadTxn() = 0;
};

}  // namespace tandem
