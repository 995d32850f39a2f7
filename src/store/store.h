// Store: the one interface through which Tandem keeps its state.
//
// Two implementations share one schema and one set of versioned migrations: SQLite
// (embedded, the default) and PostgreSQL (shared by several Tandem instances).
// OpenStore (app/open_store.h) picks one from a URL.
//
// Thread-safety: every method may be called from any thread. Writes are serialized by
// the implementation; a method that returns OK has made its change durable according
// to the store's durability setting.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "analytics/analytics_store.h"
#include "audit/audit_store.h"
#include "auth/auth_store.h"
#include "brief/brief_store.h"
#include "catalog/catalog_store.h"
#include "contact/contact_store.h"
#include "core/settings_store.h"
#include "core/status.h"
#include "email/email_store.h"
#include "email/inbound_store.h"
#include "experiments/experiment_store.h"
#include "identity/person_store.h"
#include "ingest/event_store.h"
#include "leads/lead_store.h"
#include "notifications/notification_store.h"
#include "outbox/outbox_store.h"
#include "pipeline/processing_store.h"
#include "privacy/privacy_store.h"
#include "routing/routing_store.h"
#include "rules/rule_store.h"
#include "sequences/sequence_store.h"

namespace tandem {

// The store is the sum of what each domain asks of it (the interfaces in the domains'
// *_store.h), plus its own schema.
class Store : public EventStore,
              public EventReads,
              public PersonReads,
              public ProcessingSource,
              public LeadTxnSource,
              public AuthStore,
              public UserReads,
              public LeadReads,
              public LeadListing,
              public WhyNowReads,
              public AssignmentReads,
              public ContactReads,
              public ContactReports,
              public OutboxStore,
              public CatalogReads,
              public CatalogStore,
              public EmailStore,
              public AnalyticsReads,
              public InboundStore,
              public SequenceStore,
              public ExperimentStore,
              public AuditStore,
              public PrivacyReads,
              public PrivacyWrites,
              public RuleStore,
              public NotificationStore,
              public SettingsStore {
 public:
  // Applies pending migrations; a no-op when the schema is current.
  virtual Status Migrate() = 0;
  virtual StatusOr<int> SchemaVersion() = 0;
};

struct StoreOptions {
  bool migrate = true;           // apply pending migrations on open
  bool synchronous_full = true;  // SQLite: fsync every commit (power-loss safe)
  // SQLite: how much of the file each reading connection maps into memory, in bytes
  // (0: read with system calls into each connection's own page cache).
  int64_t sqlite_mmap_bytes = int64_t{1024} << 20;
  // Whether writes keep what the reports count (analytics/: stage transitions,
  // touchpoints and the counts kept from them). Always true but to measure what keeping
  // them costs the pipeline (make bench): a store opened without them answers no report
  // (409 reports_not_kept), and sequences' stage rules and filters by form see nothing.
  bool keep_reports = true;
};

}  // namespace tandem
