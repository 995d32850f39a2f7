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

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "auth/auth_store.h"
#include "catalog/catalog_store.h"
#include "contact/contact_store.h"
#include "core/status.h"
#include "identity/person_store.h"
#include "ingest/event_store.h"
#include "leads/lead_store.h"
#include "outbox/outbox_store.h"
#include "pipeline/processing_store.h"
#include "routing/routing_store.h"

namespace tandem {

// The store is the sum of what each domain asks of it (the interfaces in the domains'
// *_store.h), plus its own schema and settings.
class Store : public EventStore,
              public PersonReads,
              public ProcessingSource,
              public LeadTxnSource,
              public AuthStore,
              public UserReads,
              public LeadReads,
              public LeadListing,
              public AssignmentReads,
              public ContactReads,
              public ContactReports,
              public OutboxStore,
              public CatalogReads,
              public CatalogStore {
 public:
  // Applies pending migrations; a no-op when the schema is current.
  virtual Status Migrate() = 0;
  virtual StatusOr<int> SchemaVersion() = 0;

  // Small named values Tandem keeps for itself (e.g. the scoring policy's hash).
  virtual StatusOr<std::optional<std::string>> GetSetting(std::string_view name) = 0;
  virtual Status PutSetting(std::string_view name, std::string_view value) = 0;
  // Stores `value` unless the setting exists, and returns the value stored: instances
  // that start together on one database agree on the first one written.
  virtual StatusOr<std::string> PutSettingIfAbsent(std::string_view name,
                                                   std::string_view value) = 0;
};

struct StoreOptions {
  bool migrate = true;           // apply pending migrations on open
  bool synchronous_full = true;  // SQLite: fsync every commit (power-loss safe)
};

// "sqlite:PATH" or "postgresql://user:pass@host:port/db". The parent directory of a
// SQLite file is created when missing.
StatusOr<std::unique_ptr<Store>> OpenStore(std::string_view url, const StoreOptions& options);

}  // namespace tandem
