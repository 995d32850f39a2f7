// SqlStore: the Store over SQL, whichever database runs it. Every query is written
// once, in its feature's file (store/sql/sql_<feature>.{h,cpp}: leads, contact, routing,
// auth, catalog, events, outbox), against the connection interface of sql_db.h; a
// subclass supplies the connections, the write transaction and the migrations:
//
//   SqliteStore  — one SQLite file; one writer under a mutex, a pool of readers.
//   PgStore      — a PostgreSQL database shared by several Tandem instances; a pool of
//                  connections, writes serialized across instances by advisory locks.
//
// The reads a store shares with its transactions come from SqlReads: one mixin per read
// interface, each over "the connection to read on" (sql_reads.h).
#pragma once

#include <functional>
#include <memory>

#include "store/sql/sql_analytics.h"
#include "store/sql/sql_auth.h"
#include "store/sql/sql_catalog.h"
#include "store/sql/sql_contact.h"
#include "store/sql/sql_db.h"
#include "store/sql/sql_events.h"
#include "store/sql/sql_leads.h"
#include "store/sql/sql_reads.h"
#include "store/sql/sql_routing.h"
#include "store/store.h"

namespace tandem {
namespace sql {

// `Interface` (Store, LeadTxn, ProcessingTxn) with every shared read implemented on the
// connection its ReadOn() gives.
template <typename Interface>
using SqlReads = LeadReadsOn<ContactReadsOn<
    AssignmentReadsOn<UserReadsOn<CatalogReadsOn<EventReadsOn<ReadsOn<Interface>>>>>>>;
// The Store's reads: the shared ones and those only the store has.
using SqlStoreReads = AnalyticsReadsOn<SqlReads<Store>>;

// A write transaction, open from creation to Commit(); destroying it uncommitted
// rolls back. It holds the store's write lock: one at a time, across every
// instance sharing the database (but the pipeline's batches where the store lets them
// run beside each other: Db::concurrent()).
class WriteScope {
 public:
  virtual ~WriteScope() = default;
  virtual Db& db() = 0;
  virtual Status Commit() = 0;
};

enum class WriteKind {
  kDefault,
  // The event pipeline's batch: its effects and its cursor commit together, so a
  // store may skip waiting for durability (a lost batch is processed again). Where the
  // store lets them (PostgreSQL), batches run beside each other (Db::concurrent()).
  kProcessing,
  // The same, alone: no other write transaction runs meanwhile.
  kProcessingAlone,
};

}  // namespace sql

class SqlStore : public sql::SqlStoreReads {
 public:
  // A connection leased from the pool for one read.
  StatusOr<sql::ReadConn> ReadOn() override;

  StatusOr<int> SchemaVersion() override;

  // sql_events.cpp
  StatusOr<Source> CreateSource(std::string_view name, std::string_view write_key,
                                TimePoint now) override;
  StatusOr<std::optional<Source>> FindSourceByWriteKey(std::string_view write_key) override;
  StatusOr<std::vector<Source>> ListSources() override;
  Status NoteSourceActivity(int64_t source_id, TimePoint at) override;
  StatusOr<RuleVersion> AddRuleVersion(const RuleVersion& v, int64_t after) override;
  StatusOr<std::optional<RuleVersion>> LatestRuleVersion() override;
  StatusOr<std::vector<RuleVersion>> ListRuleVersions(size_t limit) override;
  Status AddNotifications(std::span<const Notification> notifications, std::string_view cursor,
                          int64_t upto) override;
  StatusOr<std::vector<Notification>> ListNotifications(int64_t user_id, bool unread_only,
                                                        std::optional<int64_t> before_id,
                                                        size_t limit) override;
  StatusOr<int64_t> CountUnreadNotifications(int64_t user_id) override;
  StatusOr<int64_t> MarkNotificationsRead(int64_t user_id, std::span<const int64_t> ids,
                                          TimePoint now) override;
  StatusOr<std::map<std::string, NotifyChoice>> NotifyChoices(int64_t user_id) override;
  Status SetNotifyChoices(int64_t user_id,
                          const std::map<std::string, NotifyChoice>& choices) override;
  StatusOr<std::vector<AccountSummary>> ListAccounts(std::string_view search,
                                                     size_t limit) override;
  StatusOr<std::optional<AccountSummary>> GetAccount(std::string_view domain) override;
  // In one Write(); a store may replace it with a faster bulk path.
  StatusOr<AppendResult> AppendEvents(std::span<const EventRecord> events) override;
  StatusOr<std::optional<StoredEvent>> FindEvent(int64_t source_id,
                                                 std::string_view message_id) override;
  StatusOr<int64_t> CountEvents() override;
  StatusOr<int64_t> CountUnprocessedEvents() override;
  StatusOr<std::vector<EventKey>> UnprocessedEventKeys(int64_t after_id, size_t limit) override;

  StatusOr<std::optional<int64_t>> FindPersonByIdentity(const Identity& identity) override;
  StatusOr<std::optional<Person>> GetPerson(int64_t person_id) override;

  StatusOr<std::unique_ptr<ProcessingTxn>> BeginProcessing(
      bool alone) override;  // sql_processing.cpp
  StatusOr<std::unique_ptr<LeadTxn>> BeginLeadTxn() override;

  // sql_auth.cpp
  StatusOr<UserRecord> CreateUser(const UserRecord& user) override;
  Status UpdateUser(const UserRecord& user) override;
  StatusOr<std::optional<UserRecord>> GetUser(int64_t user_id) override;
  StatusOr<std::optional<UserRecord>> FindUserByEmail(std::string_view email) override;
  StatusOr<std::vector<std::string>> ListTeams() override;
  StatusOr<ApiTokenRecord> CreateApiToken(const ApiTokenRecord& token,
                                          std::string_view token_hash) override;
  StatusOr<std::optional<std::pair<UserRecord, ApiTokenRecord>>> FindApiToken(
      std::string_view token_hash, TimePoint now) override;
  StatusOr<std::optional<ApiTokenRecord>> GetApiToken(int64_t token_id) override;
  StatusOr<std::vector<ApiTokenRecord>> ListApiTokens(std::optional<int64_t> user_id) override;
  StatusOr<bool> RevokeApiToken(int64_t token_id) override;
  StatusOr<int64_t> RevokeApiTokens(int64_t user_id) override;
  Status NoteApiTokenUse(int64_t token_id, TimePoint now,
                         std::chrono::milliseconds granularity) override;
  StatusOr<std::optional<Credentials>> FindCredentials(std::string_view email) override;
  Status SetPassword(int64_t user_id, std::string_view password_hash) override;
  Status CreateSession(const SessionRecord& session) override;
  StatusOr<std::optional<std::pair<UserRecord, SessionRecord>>> FindSession(
      std::string_view token_hash, TimePoint now) override;
  Status DeleteSession(std::string_view token_hash) override;
  Status EndSessions(int64_t user_id) override;
  Status CreatePasswordLink(const PasswordLink& link) override;
  StatusOr<std::optional<std::pair<UserRecord, PasswordLink>>> FindPasswordLink(
      std::string_view token_hash, TimePoint now) override;
  StatusOr<std::optional<UserRecord>> UsePasswordLink(std::string_view token_hash,
                                                      std::string_view password_hash,
                                                      TimePoint now) override;

  // sql_leads.cpp
  StatusOr<std::optional<int64_t>> ResolveLeadId(int64_t person_id) override;
  StatusOr<std::vector<LeadRecord>> ListLeads(const LeadQuery& query) override;
  StatusOr<std::map<int64_t, WhyNowActivity>> ListWhyNowActivity(
      std::span<const int64_t> lead_ids, size_t max_events) override;  // sql_why_now.cpp
  StatusOr<std::vector<int64_t>> ListLeadIds() override;
  StatusOr<int64_t> CountLeads() override;
  StatusOr<std::vector<int64_t>> DueSlaLeads(TimePoint now, size_t limit) override;
  StatusOr<std::vector<int64_t>> DueRevisits(TimePoint now, size_t limit) override;
  StatusOr<std::vector<LeadRecord>> NeverTouchedLeads(size_t limit) override;
  StatusOr<int64_t> CountNeverTouchedLeads() override;
  StatusOr<std::vector<AssignmentRecord>> AssignmentsSince(TimePoint since) override;

  StatusOr<RefusalCounts> CountRefusals(TimePoint since) override;  // sql_contact.cpp

  // sql_catalog.cpp
  Status PutCatalog(const Catalog& entries, bool replace) override;
  StatusOr<bool> DeleteCampaign(std::string_view key) override;
  StatusOr<bool> DeleteContent(std::string_view asset_id) override;

  // sql_outbox.cpp
  StatusOr<std::vector<OutboxMessage>> ListOutbox(int64_t after_id, size_t limit) override;
  StatusOr<std::vector<PendingDelivery>> DueDeliveries(TimePoint now, size_t limit) override;
  Status MarkDelivered(int64_t delivery_id, int http_status, TimePoint now) override;
  Status MarkAttemptFailed(int64_t delivery_id, int http_status, std::string_view error,
                           TimePoint next_attempt) override;
  StatusOr<int64_t> CountPendingDeliveries() override;
  StatusOr<std::vector<DeliveryRecord>> ListDeliveries(const std::string& endpoint,
                                                       size_t limit) override;
  StatusOr<int64_t> CountPendingDeliveriesTo(const std::string& endpoint) override;

  // sql_email.cpp, sql_email_sends.cpp
  StatusOr<std::unique_ptr<EmailTxn>> BeginEmailTxn() override;  // sql_store.cpp
  StatusOr<StoredTemplate> SaveTemplate(const StoredTemplate& t) override;
  StatusOr<std::optional<StoredTemplate>> GetTemplate(std::string_view key,
                                                      std::optional<int64_t> version) override;
  StatusOr<std::vector<StoredTemplate>> ListTemplates() override;
  StatusOr<std::vector<StoredTemplate>> ListTemplateVersions(std::string_view key) override;
  StatusOr<SavedFilter> PutFilter(const SavedFilter& filter) override;
  StatusOr<std::optional<SavedFilter>> GetFilter(int64_t id) override;
  StatusOr<std::vector<SavedFilter>> ListFilters() override;
  StatusOr<bool> DeleteFilter(int64_t id) override;
  StatusOr<Broadcast> CreateBroadcast(const Broadcast& broadcast) override;
  StatusOr<std::optional<Broadcast>> GetBroadcast(int64_t id) override;
  StatusOr<std::vector<Broadcast>> ListBroadcasts() override;
  StatusOr<bool> UpdateBroadcast(const Broadcast& broadcast,
                                 std::vector<BroadcastState> from) override;
  StatusOr<std::vector<Broadcast>> BroadcastsToRun(TimePoint now) override;
  StatusOr<SendCounts> CountSends(std::optional<int64_t> broadcast_id) override;
  StatusOr<int64_t> CountWaitingSends(int64_t broadcast_id) override;
  StatusOr<int64_t> CountWaitingSendsOf(SendKind kind) override;
  StatusOr<int64_t> CancelBroadcastSends(int64_t broadcast_id, TimePoint now) override;
  StatusOr<std::vector<EmailSend>> ClaimDueSends(TimePoint now, size_t limit,
                                                 std::chrono::milliseconds claim) override;
  StatusOr<StaleSends> InterruptStaleSends(TimePoint now) override;
  StatusOr<std::vector<EmailSend>> ListSends(const SendQuery& query) override;
  StatusOr<std::optional<EmailSend>> GetSend(std::string_view uid) override;
  StatusOr<std::vector<EmailEngagement>> ListEngagements(int64_t send_id, size_t limit) override;
  // sql_inbound.cpp
  StatusOr<std::unique_ptr<InboundTxn>> BeginInboundTxn() override;
  StatusOr<std::optional<InboundMessage>> GetInbound(std::string_view uid) override;
  StatusOr<std::vector<InboundMessage>> ListInbound(const InboundQuery& query) override;
  // sql_sequences.cpp, sql_sequence_txn.cpp
  StatusOr<std::unique_ptr<SequenceTxn>> BeginSequenceTxn() override;
  StatusOr<Sequence> PutSequence(const Sequence& sequence) override;
  StatusOr<std::optional<Sequence>> GetSequence(int64_t id) override;
  StatusOr<std::vector<Sequence>> ListSequences() override;
  Status SetEnrolledThrough(int64_t sequence_id, TimePoint through) override;
  StatusOr<std::optional<Enrolment>> GetEnrolment(int64_t id) override;
  StatusOr<std::vector<Enrolment>> ListEnrolments(const EnrolmentQuery& query) override;
  StatusOr<std::map<std::string, int64_t>> CountEnrolments(int64_t sequence_id) override;
  StatusOr<std::vector<Enrolment>> DueEnrolments(TimePoint now, size_t limit) override;
  StatusOr<std::vector<int64_t>> OpenEnrolmentIds(int64_t after_id, size_t limit) override;
  StatusOr<std::vector<Enrolment>> PausesOver(TimePoint now, size_t limit) override;
  StatusOr<std::map<int64_t, EnrolmentHistory>> EnrolmentHistories(
      int64_t sequence_id, std::span<const int64_t> lead_ids) override;
  StatusOr<std::vector<StepRun>> ListStepRuns(int64_t enrolment_id) override;
  StatusOr<std::vector<StepTask>> ListTasks(std::optional<int64_t> assignee_id, bool open_only,
                                            size_t limit) override;
  StatusOr<std::optional<StepRun>> GetStepRun(int64_t id) override;
  StatusOr<bool> MarkStepDone(int64_t id, TimePoint at) override;
  // sql_experiments.cpp
  StatusOr<Experiment> CreateExperiment(const Experiment& experiment) override;
  StatusOr<std::optional<Experiment>> GetExperiment(int64_t id) override;
  StatusOr<std::vector<Experiment>> ListExperiments() override;
  StatusOr<std::optional<Experiment>> LatestExperiment(std::string_view key) override;
  StatusOr<bool> UpdateExperiment(const Experiment& experiment, ExperimentState expected) override;
  StatusOr<std::optional<Experiment>> FindRunningExperiment(
      const ExperimentTarget& target) override;
  StatusOr<std::vector<Experiment>> RunningWebExperiments() override;
  StatusOr<std::vector<ExperimentDay>> ExperimentDays(int64_t experiment_id) override;
  // sql_privacy.cpp
  StatusOr<std::vector<TraitChange>> ListTraitHistory(int64_t lead_id) override;
  // sql_erasure.cpp
  StatusOr<ErasureCounts> ErasePerson(const ErasureRequest& request) override;
  // sql_audit.cpp
  StatusOr<AuditEntry> AppendAudit(const AuditEntry& draft) override;
  StatusOr<std::vector<AuditEntry>> ListAudit(const AuditQuery& query) override;
  StatusOr<AuditScan> ScanAudit(const std::function<Status(const AuditEntry&)>& visit) override;
  StatusOr<std::optional<std::string>> GetSetting(std::string_view name) override;
  Status PutSetting(std::string_view name, std::string_view value) override;
  StatusOr<std::string> PutSettingIfAbsent(std::string_view name, std::string_view value) override;

 protected:
  virtual StatusOr<std::unique_ptr<sql::ReadLease>> Read() = 0;
  virtual StatusOr<std::unique_ptr<sql::WriteScope>> BeginWrite(sql::WriteKind kind) = 0;
  // Runs `write` in one write transaction.
  Status Write(const std::function<Status(sql::Db&)>& write);
  // After the migrations: counts into the kept attribution, `batch` leads a transaction,
  // the deals of the leads a migration left to count (sql_attribution_facts.cpp).
  Status CountPendingAttribution(size_t batch = 500);
};

}  // namespace tandem
