// StoreWrapper: a Store that forwards every call to another, so tests can override
// one method to inject faults or delays and keep the real behaviour for the rest.
//
// The reads a store shares with its transactions (LeadReads, ContactReads,
// AssignmentReads, UserReads, CatalogReads, EventReads) and its AnalyticsReads are not
// forwarded one by one:
// they are the store's own, written once (sql::SqlReads), and run on the wrapped store's
// connections, so a new read needs no line here. A test that overrides a read does so
// in its own wrapper.
#pragma once

#include "store/sql/sql_store.h"
#include "store/store.h"

namespace tandem {

class StoreWrapper : public sql::SqlStoreReads {
 public:
  // `target` must outlive the wrapper; it is a SQL store (every store is) or another
  // wrapper.
  explicit StoreWrapper(Store& target)
      : target_(target), reads_(dynamic_cast<sql::ReadSource&>(target)) {}

  StatusOr<sql::ReadConn> ReadOn() override { return reads_.ReadOn(); }

  Status Migrate() override { return target_.Migrate(); }
  StatusOr<int> SchemaVersion() override { return target_.SchemaVersion(); }
  StatusOr<Source> CreateSource(std::string_view name, std::string_view write_key,
                                TimePoint now) override {
    return target_.CreateSource(name, write_key, now);
  }
  StatusOr<std::optional<Source>> FindSourceByWriteKey(std::string_view write_key) override {
    return target_.FindSourceByWriteKey(write_key);
  }
  StatusOr<std::vector<Source>> ListSources() override { return target_.ListSources(); }
  Status NoteSourceActivity(int64_t source_id, TimePoint at) override {
    return target_.NoteSourceActivity(source_id, at);
  }
  StatusOr<std::vector<DeliveryRecord>> ListDeliveries(const std::string& endpoint,
                                                       size_t limit) override {
    return target_.ListDeliveries(endpoint, limit);
  }
  StatusOr<int64_t> CountPendingDeliveriesTo(const std::string& endpoint) override {
    return target_.CountPendingDeliveriesTo(endpoint);
  }
  Status AddNotifications(std::span<const Notification> notifications, std::string_view cursor,
                          int64_t upto) override {
    return target_.AddNotifications(notifications, cursor, upto);
  }
  StatusOr<std::vector<Notification>> ListNotifications(int64_t user_id, bool unread_only,
                                                        std::optional<int64_t> before_id,
                                                        size_t limit) override {
    return target_.ListNotifications(user_id, unread_only, before_id, limit);
  }
  StatusOr<int64_t> CountUnreadNotifications(int64_t user_id) override {
    return target_.CountUnreadNotifications(user_id);
  }
  StatusOr<int64_t> MarkNotificationsRead(int64_t user_id, std::span<const int64_t> ids,
                                          TimePoint now) override {
    return target_.MarkNotificationsRead(user_id, ids, now);
  }
  StatusOr<std::map<std::string, NotifyChoice>> NotifyChoices(int64_t user_id) override {
    return target_.NotifyChoices(user_id);
  }
  Status SetNotifyChoices(int64_t user_id,
                          const std::map<std::string, NotifyChoice>& choices) override {
    return target_.SetNotifyChoices(user_id, choices);
  }
  StatusOr<std::vector<AccountSummary>> ListAccounts(std::string_view search,
                                                     size_t limit) override {
    return target_.ListAccounts(search, limit);
  }
  StatusOr<std::optional<AccountSummary>> GetAccount(std::string_view domain) override {
    return target_.GetAccount(domain);
  }
  StatusOr<RuleVersion> AddRuleVersion(const RuleVersion& v, int64_t after) override {
    return target_.AddRuleVersion(v, after);
  }
  StatusOr<std::optional<RuleVersion>> LatestRuleVersion() override {
    return target_.LatestRuleVersion();
  }
  StatusOr<std::vector<RuleVersion>> ListRuleVersions(size_t limit) override {
    return target_.ListRuleVersions(limit);
  }
  StatusOr<AppendResult> AppendEvents(std::span<const EventRecord> events) override {
    return target_.AppendEvents(events);
  }
  StatusOr<std::optional<StoredEvent>> FindEvent(int64_t source_id,
                                                 std::string_view message_id) override {
    return target_.FindEvent(source_id, message_id);
  }
  StatusOr<int64_t> CountEvents() override { return target_.CountEvents(); }
  StatusOr<int64_t> CountUnprocessedEvents() override { return target_.CountUnprocessedEvents(); }
  StatusOr<std::vector<EventKey>> UnprocessedEventKeys(int64_t after_id, size_t limit) override {
    return target_.UnprocessedEventKeys(after_id, limit);
  }
  StatusOr<std::optional<int64_t>> FindPersonByIdentity(const Identity& identity) override {
    return target_.FindPersonByIdentity(identity);
  }
  StatusOr<std::optional<Person>> GetPerson(int64_t person_id) override {
    return target_.GetPerson(person_id);
  }
  StatusOr<std::unique_ptr<ProcessingTxn>> BeginProcessing(bool alone) override {
    return target_.BeginProcessing(alone);
  }
  bool concurrent_batches() const override { return target_.concurrent_batches(); }
  StatusOr<std::unique_ptr<LeadTxn>> BeginLeadTxn() override { return target_.BeginLeadTxn(); }
  StatusOr<UserRecord> CreateUser(const UserRecord& user) override {
    return target_.CreateUser(user);
  }
  Status UpdateUser(const UserRecord& user) override { return target_.UpdateUser(user); }
  StatusOr<std::optional<UserRecord>> GetUser(int64_t user_id) override {
    return target_.GetUser(user_id);
  }
  StatusOr<std::optional<UserRecord>> FindUserByEmail(std::string_view email) override {
    return target_.FindUserByEmail(email);
  }
  StatusOr<std::vector<std::string>> ListTeams() override { return target_.ListTeams(); }
  StatusOr<ApiTokenRecord> CreateApiToken(const ApiTokenRecord& token,
                                          std::string_view token_hash) override {
    return target_.CreateApiToken(token, token_hash);
  }
  StatusOr<std::optional<std::pair<UserRecord, ApiTokenRecord>>> FindApiToken(
      std::string_view token_hash, TimePoint now) override {
    return target_.FindApiToken(token_hash, now);
  }
  StatusOr<std::optional<ApiTokenRecord>> GetApiToken(int64_t token_id) override {
    return target_.GetApiToken(token_id);
  }
  StatusOr<std::vector<ApiTokenRecord>> ListApiTokens(std::optional<int64_t> user_id) override {
    return target_.ListApiTokens(user_id);
  }
  StatusOr<bool> RevokeApiToken(int64_t token_id) override {
    return target_.RevokeApiToken(token_id);
  }
  StatusOr<int64_t> RevokeApiTokens(int64_t user_id) override {
    return target_.RevokeApiTokens(user_id);
  }
  Status NoteApiTokenUse(int64_t token_id, TimePoint now,
                         std::chrono::milliseconds granularity) override {
    return target_.NoteApiTokenUse(token_id, now, granularity);
  }
  StatusOr<std::optional<int64_t>> ResolveLeadId(int64_t person_id) override {
    return target_.ResolveLeadId(person_id);
  }
  StatusOr<std::vector<LeadRecord>> ListLeads(const LeadQuery& query) override {
    return target_.ListLeads(query);
  }
  StatusOr<std::map<int64_t, WhyNowActivity>> ListWhyNowActivity(std::span<const int64_t> lead_ids,
                                                                 size_t max_events) override {
    return target_.ListWhyNowActivity(lead_ids, max_events);
  }
  StatusOr<std::vector<int64_t>> ListLeadIds() override { return target_.ListLeadIds(); }
  StatusOr<int64_t> CountLeads() override { return target_.CountLeads(); }
  StatusOr<std::vector<PendingDelivery>> DueDeliveries(TimePoint now, size_t limit) override {
    return target_.DueDeliveries(now, limit);
  }
  Status MarkDelivered(int64_t delivery_id, int http_status, TimePoint now) override {
    return target_.MarkDelivered(delivery_id, http_status, now);
  }
  Status MarkAttemptFailed(int64_t delivery_id, int http_status, std::string_view error,
                           TimePoint next_attempt) override {
    return target_.MarkAttemptFailed(delivery_id, http_status, error, next_attempt);
  }
  StatusOr<int64_t> CountPendingDeliveries() override { return target_.CountPendingDeliveries(); }
  StatusOr<std::vector<int64_t>> DueSlaLeads(TimePoint now, size_t limit) override {
    return target_.DueSlaLeads(now, limit);
  }
  StatusOr<std::vector<int64_t>> DueRevisits(TimePoint now, size_t limit) override {
    return target_.DueRevisits(now, limit);
  }

  StatusOr<std::vector<LeadRecord>> NeverTouchedLeads(size_t limit) override {
    return target_.NeverTouchedLeads(limit);
  }
  StatusOr<int64_t> CountNeverTouchedLeads() override { return target_.CountNeverTouchedLeads(); }
  StatusOr<std::vector<AssignmentRecord>> AssignmentsSince(TimePoint since) override {
    return target_.AssignmentsSince(since);
  }
  StatusOr<RefusalCounts> CountRefusals(TimePoint since) override {
    return target_.CountRefusals(since);
  }
  StatusOr<std::vector<OutboxMessage>> ListOutbox(int64_t after_id, size_t limit) override {
    return target_.ListOutbox(after_id, limit);
  }
  StatusOr<std::optional<Credentials>> FindCredentials(std::string_view email) override {
    return target_.FindCredentials(email);
  }
  Status SetPassword(int64_t user_id, std::string_view password_hash) override {
    return target_.SetPassword(user_id, password_hash);
  }
  Status CreateSession(const SessionRecord& session) override {
    return target_.CreateSession(session);
  }
  StatusOr<std::optional<std::pair<UserRecord, SessionRecord>>> FindSession(
      std::string_view token_hash, TimePoint now) override {
    return target_.FindSession(token_hash, now);
  }
  Status DeleteSession(std::string_view token_hash) override {
    return target_.DeleteSession(token_hash);
  }
  Status EndSessions(int64_t user_id) override { return target_.EndSessions(user_id); }
  Status CreatePasswordLink(const PasswordLink& link) override {
    return target_.CreatePasswordLink(link);
  }
  StatusOr<std::optional<std::pair<UserRecord, PasswordLink>>> FindPasswordLink(
      std::string_view token_hash, TimePoint now) override {
    return target_.FindPasswordLink(token_hash, now);
  }
  StatusOr<std::optional<UserRecord>> UsePasswordLink(std::string_view token_hash,
                                                      std::string_view password_hash,
                                                      TimePoint now) override {
    return target_.UsePasswordLink(token_hash, password_hash, now);
  }
  Status PutCatalog(const Catalog& entries, bool replace) override {
    return target_.PutCatalog(entries, replace);
  }
  StatusOr<bool> DeleteCampaign(std::string_view key) override {
    return target_.DeleteCampaign(key);
  }
  StatusOr<bool> DeleteContent(std::string_view asset_id) override {
    return target_.DeleteContent(asset_id);
  }
  StatusOr<std::unique_ptr<EmailTxn>> BeginEmailTxn() override { return target_.BeginEmailTxn(); }
  StatusOr<std::unique_ptr<InboundTxn>> BeginInboundTxn() override {
    return target_.BeginInboundTxn();
  }
  StatusOr<std::optional<InboundMessage>> GetInbound(std::string_view uid) override {
    return target_.GetInbound(uid);
  }
  StatusOr<std::vector<InboundMessage>> ListInbound(const InboundQuery& query) override {
    return target_.ListInbound(query);
  }
  StatusOr<Experiment> CreateExperiment(const Experiment& e) override {
    return target_.CreateExperiment(e);
  }
  StatusOr<std::optional<Experiment>> GetExperiment(int64_t id) override {
    return target_.GetExperiment(id);
  }
  StatusOr<std::vector<Experiment>> ListExperiments() override { return target_.ListExperiments(); }
  StatusOr<std::optional<Experiment>> LatestExperiment(std::string_view key) override {
    return target_.LatestExperiment(key);
  }
  StatusOr<bool> UpdateExperiment(const Experiment& e, ExperimentState expected) override {
    return target_.UpdateExperiment(e, expected);
  }
  StatusOr<std::optional<Experiment>> FindRunningExperiment(const ExperimentTarget& t) override {
    return target_.FindRunningExperiment(t);
  }
  StatusOr<std::vector<Experiment>> RunningWebExperiments() override {
    return target_.RunningWebExperiments();
  }
  StatusOr<std::vector<ExperimentDay>> ExperimentDays(int64_t experiment_id) override {
    return target_.ExperimentDays(experiment_id);
  }
  StatusOr<std::vector<TraitChange>> ListTraitHistory(int64_t lead_id) override {
    return target_.ListTraitHistory(lead_id);
  }
  StatusOr<AuditEntry> AppendAudit(const AuditEntry& draft) override {
    return target_.AppendAudit(draft);
  }
  StatusOr<std::vector<AuditEntry>> ListAudit(const AuditQuery& query) override {
    return target_.ListAudit(query);
  }
  StatusOr<AuditScan> ScanAudit(const std::function<Status(const AuditEntry&)>& visit) override {
    return target_.ScanAudit(visit);
  }
  StatusOr<ErasureCounts> ErasePerson(const ErasureRequest& request) override {
    return target_.ErasePerson(request);
  }
  StatusOr<std::unique_ptr<SequenceTxn>> BeginSequenceTxn() override {
    return target_.BeginSequenceTxn();
  }
  StatusOr<Sequence> PutSequence(const Sequence& s) override { return target_.PutSequence(s); }
  StatusOr<std::optional<Sequence>> GetSequence(int64_t id) override {
    return target_.GetSequence(id);
  }
  StatusOr<std::vector<Sequence>> ListSequences() override { return target_.ListSequences(); }
  Status SetEnrolledThrough(int64_t id, TimePoint through) override {
    return target_.SetEnrolledThrough(id, through);
  }
  StatusOr<std::optional<Enrolment>> GetEnrolment(int64_t id) override {
    return target_.GetEnrolment(id);
  }
  StatusOr<std::vector<Enrolment>> ListEnrolments(const EnrolmentQuery& q) override {
    return target_.ListEnrolments(q);
  }
  StatusOr<std::map<std::string, int64_t>> CountEnrolments(int64_t id) override {
    return target_.CountEnrolments(id);
  }
  StatusOr<std::vector<Enrolment>> DueEnrolments(TimePoint now, size_t limit) override {
    return target_.DueEnrolments(now, limit);
  }
  StatusOr<std::vector<int64_t>> OpenEnrolmentIds(int64_t after_id, size_t limit) override {
    return target_.OpenEnrolmentIds(after_id, limit);
  }
  StatusOr<std::vector<Enrolment>> PausesOver(TimePoint now, size_t limit) override {
    return target_.PausesOver(now, limit);
  }
  StatusOr<std::map<int64_t, EnrolmentHistory>> EnrolmentHistories(
      int64_t id, std::span<const int64_t> lead_ids) override {
    return target_.EnrolmentHistories(id, lead_ids);
  }
  StatusOr<std::vector<StepRun>> ListStepRuns(int64_t id) override {
    return target_.ListStepRuns(id);
  }
  StatusOr<std::vector<StepTask>> ListTasks(std::optional<int64_t> assignee, bool open_only,
                                            size_t limit) override {
    return target_.ListTasks(assignee, open_only, limit);
  }
  StatusOr<std::optional<StepRun>> GetStepRun(int64_t id) override {
    return target_.GetStepRun(id);
  }
  StatusOr<bool> MarkStepDone(int64_t id, TimePoint at) override {
    return target_.MarkStepDone(id, at);
  }
  StatusOr<StoredTemplate> SaveTemplate(const StoredTemplate& t) override {
    return target_.SaveTemplate(t);
  }
  StatusOr<std::optional<StoredTemplate>> GetTemplate(std::string_view key,
                                                      std::optional<int64_t> version) override {
    return target_.GetTemplate(key, version);
  }
  StatusOr<std::vector<StoredTemplate>> ListTemplates() override { return target_.ListTemplates(); }
  StatusOr<std::vector<StoredTemplate>> ListTemplateVersions(std::string_view key) override {
    return target_.ListTemplateVersions(key);
  }
  StatusOr<SavedFilter> PutFilter(const SavedFilter& f) override { return target_.PutFilter(f); }
  StatusOr<std::optional<SavedFilter>> GetFilter(int64_t id) override {
    return target_.GetFilter(id);
  }
  StatusOr<std::vector<SavedFilter>> ListFilters() override { return target_.ListFilters(); }
  StatusOr<bool> DeleteFilter(int64_t id) override { return target_.DeleteFilter(id); }
  StatusOr<Broadcast> CreateBroadcast(const Broadcast& b) override {
    return target_.CreateBroadcast(b);
  }
  StatusOr<std::optional<Broadcast>> GetBroadcast(int64_t id) override {
    return target_.GetBroadcast(id);
  }
  StatusOr<std::vector<Broadcast>> ListBroadcasts() override { return target_.ListBroadcasts(); }
  StatusOr<bool> UpdateBroadcast(const Broadcast& b, std::vector<BroadcastState> from) override {
    return target_.UpdateBroadcast(b, std::move(from));
  }
  StatusOr<std::vector<Broadcast>> BroadcastsToRun(TimePoint now) override {
    return target_.BroadcastsToRun(now);
  }
  StatusOr<SendCounts> CountSends(std::optional<int64_t> broadcast_id) override {
    return target_.CountSends(broadcast_id);
  }
  StatusOr<int64_t> CountWaitingSends(int64_t broadcast_id) override {
    return target_.CountWaitingSends(broadcast_id);
  }
  StatusOr<int64_t> CountWaitingSendsOf(SendKind kind) override {
    return target_.CountWaitingSendsOf(kind);
  }

  StatusOr<int64_t> CancelBroadcastSends(int64_t broadcast_id, TimePoint now) override {
    return target_.CancelBroadcastSends(broadcast_id, now);
  }
  StatusOr<std::vector<EmailSend>> ClaimDueSends(TimePoint now, size_t limit,
                                                 std::chrono::milliseconds claim) override {
    return target_.ClaimDueSends(now, limit, claim);
  }
  StatusOr<StaleSends> InterruptStaleSends(TimePoint now) override {
    return target_.InterruptStaleSends(now);
  }
  StatusOr<std::vector<EmailSend>> ListSends(const SendQuery& q) override {
    return target_.ListSends(q);
  }
  StatusOr<std::optional<EmailSend>> GetSend(std::string_view uid) override {
    return target_.GetSend(uid);
  }
  StatusOr<std::vector<EmailEngagement>> ListEngagements(int64_t send_id, size_t limit) override {
    return target_.ListEngagements(send_id, limit);
  }
  StatusOr<std::optional<std::string>> GetSetting(std::string_view name) override {
    return target_.GetSetting(name);
  }
  Status PutSetting(std::string_view name, std::string_view value) override {
    return target_.PutSetting(name, value);
  }
  StatusOr<std::string> PutSettingIfAbsent(std::string_view name, std::string_view value) override {
    return target_.PutSettingIfAbsent(name, value);
  }

 protected:
  Store& target() { return target_; }

 private:
  Store& target_;
  sql::ReadSource& reads_;
};

}  // namespace tandem
