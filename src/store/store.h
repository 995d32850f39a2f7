// Store: the one interface through which Tandem keeps its state.
//
// Two implementations share one schema and one set of versioned migrations: SQLite
// (embedded, the default) and PostgreSQL (shared by several Tandem instances).
// OpenStore picks one from a URL.
//
// Thread-safety: every method may be called from any thread. Writes are serialized by
// the implementation; a method that returns OK has made its change durable according
// to the store's durability setting.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "brief/catalog.h"
#include "core/clock.h"
#include "core/status.h"
#include "identity/identity.h"
#include "store/lead_records.h"

namespace tandem {

struct Source {
  int64_t id = 0;
  std::string name;
  std::string write_key;  // write-only credential; public by nature (it ships in web pages)
  TimePoint created_at;
};

// An event ready to be stored: validated and normalized by the ingest path.
struct EventRecord {
  int64_t source_id = 0;
  std::string message_id;  // unique per source; a replay is stored once
  std::string type;        // identify, track, page, screen, group, alias
  std::string event;       // track's event name, page/screen name; may be empty
  std::string user_id;
  std::string anonymous_id;
  TimePoint timestamp;    // when it happened, corrected for the client's clock skew
  TimePoint received_at;  // when Tandem received it
  std::string payload;    // the normalized Segment message as JSON
};

struct StoredEvent {
  int64_t id = 0;  // increases in commit order
  EventRecord record;
  std::optional<int64_t> person_id;  // set once identity stitching processed the event
};

struct AppendResult {
  // inserted[i] is false when events[i] was a replay of a stored messageId.
  std::vector<bool> inserted;
  size_t stored = 0;
  size_t duplicates = 0;
};

struct Person {
  int64_t id = 0;
  std::string user_id;
  std::string email;
  std::optional<int64_t> merged_into;
  TimePoint created_at;
  TimePoint updated_at;
  std::vector<Identity> identities;
};

// One write transaction over lead state. Destroying it without Commit() rolls back.
// While it lives it holds the store's write lock, so keep it short.
class LeadTxn {
 public:
  virtual ~LeadTxn() = default;

  virtual StatusOr<std::optional<LeadRecord>> GetLead(int64_t lead_id) = 0;
  // Inserts or replaces the lead's row.
  virtual Status PutLead(const LeadRecord& lead) = 0;
  // Folds lead `from` into `into` (after a person merge): its log, assignments and
  // trait history move; its open assignment ends; its score items and row go.
  virtual Status FoldLead(int64_t from, int64_t into, TimePoint now) = 0;
  virtual Status EnsureAccount(std::string_view domain, std::string_view name, TimePoint now) = 0;

  virtual StatusOr<std::vector<ScoreItem>> ListScoreItems(int64_t lead_id) = 0;
  virtual Status AddScoreItem(int64_t lead_id, const ScoreItem& item) = 0;
  virtual Status DeleteScoreItems(int64_t lead_id, std::optional<ScoreAxis> axis) = 0;
  // Points `rule` granted the lead on UTC day `day`.
  virtual StatusOr<double> RulePointsOnDay(int64_t lead_id, std::string_view rule, int64_t day) = 0;

  virtual Status AddTraitHistory(int64_t lead_id, std::string_view trait, std::string_view value,
                                 std::optional<int64_t> event_id, TimePoint at) = 0;
  virtual Status AppendLog(const LeadLogEntry& entry) = 0;
  // The events of a person, oldest first.
  virtual StatusOr<std::vector<StoredEvent>> PersonEvents(int64_t person_id) = 0;
  virtual StatusOr<std::vector<LeadLogEntry>> ListLeadLog(int64_t lead_id) = 0;
  virtual StatusOr<std::vector<AssignmentRecord>> ListAssignments(int64_t lead_id) = 0;
  virtual StatusOr<Catalog> LoadCatalog() = 0;

  virtual StatusOr<std::vector<UserRecord>> ListUsers() = 0;
  // Leads the user owns that are open for sales (see IsOpenForSales).
  virtual StatusOr<int> CountOpenLeads(int64_t user_id) = 0;
  // The owner of another lead of the account, the most recently assigned first.
  virtual StatusOr<std::optional<int64_t>> FindAccountOwner(std::string_view domain,
                                                            int64_t except_lead) = 0;
  virtual StatusOr<std::vector<std::pair<int64_t, double>>> RoutingPasses(
      std::string_view team) = 0;
  virtual Status SetRoutingPass(std::string_view team, int64_t user_id, double pass) = 0;
  virtual StatusOr<double> VirtualTime(std::string_view team) = 0;
  virtual Status SetVirtualTime(std::string_view team, double virtual_time) = 0;
  // Opens an assignment; fails with a conflict if the lead has an open one.
  virtual Status StartAssignment(const AssignmentRecord& assignment) = 0;
  // Ends the lead's open assignment, if any.
  virtual Status EndAssignment(int64_t lead_id, TimePoint at, std::string_view reason) = 0;

  // The lead's open assignment, with its SLA timers.
  virtual StatusOr<std::optional<AssignmentRecord>> OpenAssignment(int64_t lead_id) = 0;
  virtual Status UpdateAssignmentSla(const AssignmentRecord& assignment) = 0;

  // Contact preferences (defaults when none are stored), consents, touches.
  virtual StatusOr<ContactPrefs> GetContactPrefs(int64_t lead_id) = 0;
  virtual Status PutContactPrefs(const ContactPrefs& prefs) = 0;
  virtual StatusOr<std::vector<ConsentRecord>> ListConsents(int64_t lead_id) = 0;
  virtual Status AddConsent(const ConsentRecord& consent) = 0;
  // The lead's touches at or after `since`, oldest first.
  virtual StatusOr<std::vector<TouchRecord>> ListTouches(int64_t lead_id, TimePoint since) = 0;
  virtual StatusOr<int64_t> AddTouch(const TouchRecord& touch) = 0;
  // Marks the lead's touch `touch_id` confirmed when it awaits confirmation; false when
  // it does not (another transaction confirmed it first, or it never needed it).
  virtual StatusOr<bool> ConfirmTouchScore(int64_t lead_id, int64_t touch_id) = 0;
  virtual Status AddRefusal(const GateRefusal& refusal) = 0;

  // Writes an outbox message and one pending delivery per endpoint.
  virtual Status Enqueue(const OutboxMessage& message, std::span<const std::string> endpoints,
                         TimePoint now) = 0;
  virtual Status Commit() = 0;
};

// One write transaction of the event-processing pipeline. Destroying it without
// Commit() rolls back. While it lives it holds the store's write lock, so keep it short.
class ProcessingTxn : public LeadTxn {
 public:
  // Up to `limit` events the pipeline has not processed yet, oldest commit first.
  virtual StatusOr<std::vector<StoredEvent>> NextUnprocessed(size_t limit) = 0;
  virtual StatusOr<std::vector<KnownIdentity>> LookUpIdentities(std::span<const Identity> ids) = 0;
  // Carries out a plan for `event`; returns the person the event now belongs to.
  virtual StatusOr<int64_t> ApplyStitch(const StoredEvent& event, const StitchPlan& plan,
                                        TimePoint now) = 0;
  // Records that every event up to and including `last` is processed.
  virtual Status MarkProcessed(const StoredEvent& last) = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Applies pending migrations; a no-op when the schema is current.
  virtual Status Migrate() = 0;
  virtual StatusOr<int> SchemaVersion() = 0;

  virtual StatusOr<Source> CreateSource(std::string_view name, std::string_view write_key,
                                        TimePoint now) = 0;
  virtual StatusOr<std::optional<Source>> FindSourceByWriteKey(std::string_view write_key) = 0;
  virtual StatusOr<std::vector<Source>> ListSources() = 0;

  // Stores events in one transaction; replays of a stored (source, messageId) are
  // skipped and reported. Durable when it returns OK.
  virtual StatusOr<AppendResult> AppendEvents(std::span<const EventRecord> events) = 0;
  virtual StatusOr<std::optional<StoredEvent>> FindEvent(int64_t source_id,
                                                         std::string_view message_id) = 0;
  // A person's events, oldest first by timestamp.
  virtual StatusOr<std::vector<StoredEvent>> ListPersonEvents(int64_t person_id, size_t limit) = 0;
  virtual StatusOr<int64_t> CountEvents() = 0;
  // Events stored but not yet processed by the pipeline.
  virtual StatusOr<int64_t> CountUnprocessedEvents() = 0;

  // The person an identity points to, following merges to the surviving person.
  virtual StatusOr<std::optional<int64_t>> FindPersonByIdentity(const Identity& identity) = 0;
  virtual StatusOr<std::optional<Person>> GetPerson(int64_t person_id) = 0;

  virtual StatusOr<std::unique_ptr<ProcessingTxn>> BeginProcessing() = 0;
  virtual StatusOr<std::unique_ptr<LeadTxn>> BeginLeadTxn() = 0;

  // Users and their API tokens (stored as hashes). Creating a user creates its team.
  virtual StatusOr<UserRecord> CreateUser(const UserRecord& user) = 0;
  virtual Status UpdateUser(const UserRecord& user) = 0;
  virtual StatusOr<std::optional<UserRecord>> GetUser(int64_t user_id) = 0;
  virtual StatusOr<std::optional<UserRecord>> FindUserByEmail(std::string_view email) = 0;
  virtual StatusOr<std::vector<UserRecord>> ListUsers() = 0;
  virtual StatusOr<std::vector<std::string>> ListTeams() = 0;
  // API tokens, stored as hashes. CreateApiToken fills in the new token's id.
  virtual StatusOr<ApiTokenRecord> CreateApiToken(const ApiTokenRecord& token,
                                                  std::string_view token_hash) = 0;
  // A token with no name and no expiry.
  Status AddApiToken(int64_t user_id, std::string_view token_hash, TimePoint now) {
    ApiTokenRecord token;
    token.user_id = user_id;
    token.created_at = now;
    return CreateApiToken(token, token_hash).status();
  }
  // The token with this hash unless it expired at or before `now`, and its user.
  virtual StatusOr<std::optional<std::pair<UserRecord, ApiTokenRecord>>> FindApiToken(
      std::string_view token_hash, TimePoint now) = 0;
  virtual StatusOr<std::optional<ApiTokenRecord>> GetApiToken(int64_t token_id) = 0;
  // One user's tokens, or everyone's when `user_id` is empty, expired ones included, by id.
  virtual StatusOr<std::vector<ApiTokenRecord>> ListApiTokens(std::optional<int64_t> user_id) = 0;
  // Deletes the token; false when there is none with that id.
  virtual StatusOr<bool> RevokeApiToken(int64_t token_id) = 0;
  // Deletes every token of the user; returns how many there were.
  virtual StatusOr<int64_t> RevokeApiTokens(int64_t user_id) = 0;
  // Records a use of the token at `now`, unless one within `granularity` before `now` is
  // already recorded: the database is written at most once per granularity per token.
  virtual Status NoteApiTokenUse(int64_t token_id, TimePoint now,
                                 std::chrono::milliseconds granularity) = 0;

  // Signing in. SetPassword ends the user's sessions. Throttling wrong passwords is
  // not the store's business (auth/signin_throttle.h).
  virtual StatusOr<std::optional<Credentials>> FindCredentials(std::string_view email) = 0;
  virtual Status SetPassword(int64_t user_id, std::string_view password_hash) = 0;
  virtual Status CreateSession(const SessionRecord& session) = 0;
  // The unexpired session with this token hash, and its user.
  virtual StatusOr<std::optional<std::pair<UserRecord, SessionRecord>>> FindSession(
      std::string_view token_hash, TimePoint now) = 0;
  virtual Status DeleteSession(std::string_view token_hash) = 0;
  // Ends every session of the user (deactivation, a new password).
  virtual Status EndSessions(int64_t user_id) = 0;

  // Lead reads (outside any write transaction; they do not wait for writers).
  virtual StatusOr<std::optional<LeadRecord>> GetLead(int64_t lead_id) = 0;
  // The lead a person id leads to, following person merges.
  virtual StatusOr<std::optional<int64_t>> ResolveLeadId(int64_t person_id) = 0;
  virtual StatusOr<std::vector<LeadRecord>> ListLeads(const LeadQuery& query) = 0;
  virtual StatusOr<std::vector<ScoreItem>> ListScoreItems(int64_t lead_id) = 0;
  virtual StatusOr<std::vector<LeadLogEntry>> ListLeadLog(int64_t lead_id) = 0;
  // What the why-now line of a page of leads reads, in one call for the page: per lead,
  // its person's events oldest first, at most `max_events` + 1 of them (more than
  // `max_events` means the lead has more than were read), and its log entries that can
  // name a trigger (stage_changed, priority_changed), oldest first.
  struct WhyNowActivity {
    std::vector<StoredEvent> events;
    std::vector<LeadLogEntry> log;
  };
  virtual StatusOr<std::map<int64_t, WhyNowActivity>> ListWhyNowActivity(
      std::span<const int64_t> lead_ids, size_t max_events) = 0;
  virtual StatusOr<std::vector<AssignmentRecord>> ListAssignments(int64_t lead_id) = 0;
  virtual StatusOr<std::vector<int64_t>> ListLeadIds() = 0;
  virtual StatusOr<int64_t> CountLeads() = 0;

  // Contact data reads.
  virtual StatusOr<ContactPrefs> GetContactPrefs(int64_t lead_id) = 0;
  virtual StatusOr<std::vector<ConsentRecord>> ListConsents(int64_t lead_id) = 0;
  virtual StatusOr<std::vector<TouchRecord>> ListTouches(int64_t lead_id, TimePoint since) = 0;

  // Leads whose SLA timer (reminder or breach) is due at `now`.
  virtual StatusOr<std::vector<int64_t>> DueSlaLeads(TimePoint now, size_t limit) = 0;
  // Leads that reached MQL, are open for sales and were never contacted, oldest MQL
  // first; and how many there are.
  virtual StatusOr<std::vector<LeadRecord>> NeverTouchedLeads(size_t limit) = 0;
  virtual StatusOr<int64_t> CountNeverTouchedLeads() = 0;
  // Assignments with an SLA started at or after `since`.
  virtual StatusOr<std::vector<AssignmentRecord>> AssignmentsSince(TimePoint since) = 0;
  virtual StatusOr<RefusalCounts> CountRefusals(TimePoint since) = 0;
  // Outbox messages after `after_id` in order (notifications and webhook bodies).
  virtual StatusOr<std::vector<OutboxMessage>> ListOutbox(int64_t after_id, size_t limit) = 0;

  // Webhook deliveries due at `now`: pending, and the oldest pending one for their
  // (endpoint, lead), so each lead's messages arrive in order. The caller attempts
  // them: they are claimed for kDeliveryClaim (not due for anyone else, in any
  // instance) unless the attempt is recorded first.
  virtual StatusOr<std::vector<PendingDelivery>> DueDeliveries(TimePoint now, size_t limit) = 0;
  virtual Status MarkDelivered(int64_t delivery_id, int http_status, TimePoint now) = 0;
  virtual Status MarkAttemptFailed(int64_t delivery_id, int http_status, std::string_view error,
                                   TimePoint next_attempt) = 0;
  virtual StatusOr<int64_t> CountPendingDeliveries() = 0;

  // The campaign and content catalogs. PutCatalog writes every entry in one
  // transaction: inserted, or replacing an entry with the same key when `replace`
  // (without it an existing key is a conflict and nothing is written).
  virtual StatusOr<Catalog> LoadCatalog() = 0;
  virtual Status PutCatalog(const Catalog& entries, bool replace) = 0;
  // Whether there was such an entry.
  virtual StatusOr<bool> DeleteCampaign(std::string_view key) = 0;
  virtual StatusOr<bool> DeleteContent(std::string_view asset_id) = 0;

  // Small named values Tandem keeps for itself (e.g. the scoring policy's hash).
  virtual StatusOr<std::optional<std::string>> GetSetting(std::string_view name) = 0;
  virtual Status PutSetting(std::string_view name, std::string_view value) = 0;
  // Stores `value` unless the setting exists, and returns the value stored: instances
  // that start together on one database agree on the first one written.
  virtual StatusOr<std::string> PutSettingIfAbsent(std::string_view name,
                                                   std::string_view value) = 0;
};

// How long a delivery handed out by DueDeliveries stays claimed: longer than a batch of
// attempts takes; after it, a delivery whose worker died is attempted again.
inline constexpr std::chrono::minutes kDeliveryClaim{10};

struct StoreOptions {
  bool migrate = true;           // apply pending migrations on open
  bool synchronous_full = true;  // SQLite: fsync every commit (power-loss safe)
};

// "sqlite:PATH" or "postgresql://user:pass@host:port/db". The parent directory of a
// SQLite file is created when missing.
StatusOr<std::unique_ptr<Store>> OpenStore(std::string_view url, const StoreOptions& options);

}  // namespace tandem
