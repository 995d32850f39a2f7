// What an import row carries for its lead (internal to leads/): the contact facts the
// file gives and the owner it names, read from the event's context.tandem.import —
// which only Tandem's import writes (ingest drops a client's context.tandem).
#pragma once

#include <cstdint>
#include <optional>

#include "contact/contact_import.h"
#include "ingest/event.h"

namespace tandem {

struct ImportedRow {
  ImportedContact contact;
  std::optional<int64_t> owner_id;  // the user the file names as the owner
};

// nullopt when the event is not an import row.
std::optional<ImportedRow> ImportedRowOf(const StoredEvent& event);

}  // namespace tandem
