// Importing a file of leads: every row read (imports/lead_import.h), its owner matched to
// a user, and turned into an identify event of the import source that carries the row's
// provenance in context.tandem.import — so an imported lead arrives through identity like
// any other (joining the person who already visited), and the lead engine applies what
// the row says about contact without weakening what is known (contact/contact_import.h).
//
// Each row's event has a message id made of the file's key (a hash of its bytes) and its
// line: importing the same file again, after an interruption or twice by mistake, stores
// only the rows not stored before (the store skips a replayed message id), so no row is
// imported twice.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <map>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "auth/user.h"
#include "core/status.h"
#include "imports/lead_import.h"
#include "ingest/event.h"
#include "ingest/event_store.h"

namespace tandem {

struct ImportOptions {
  ImportDefaults defaults;                     // for rows whose file has no such column
  std::map<std::string, ImportField> mapping;  // a mapping file's columns
  bool dry_run = false;                        // read and check every row, store nothing
  size_t batch_rows = 2000;                    // rows stored per call of the sink
};

struct ImportSummary {
  std::string file_key;       // the file's hash: the key that makes a second run resume
  std::string recognized_as;  // "HubSpot", "Salesforce", "Tandem" or "mapping file"
  std::vector<std::string> ignored_columns;
  std::string encoding;              // "UTF-8" or "Windows-1252"
  int64_t rows = 0;                  // records after the header, broken ones included
  int64_t accepted = 0;              // rows that are leads (stored now or by an earlier run)
  int64_t stored = 0;                // of those, stored by this run
  int64_t already_imported = 0;      // stored by an earlier run of the same file
  int64_t repeated_addresses = 0;    // accepted rows whose address an earlier row had
  std::vector<CsvProblem> rejected;  // every row not imported, with its line and why
};

// 422 naming the option when the import's defaults cannot hold for any row.
Status CheckImportDefaults(const ImportDefaults& defaults);

// The summary as the API answers it (and `tandem import leads --json` prints it).
nlohmann::json ImportSummaryToJson(const ImportSummary& summary, bool dry_run);

// Stores a batch of events durably (EventStore::AppendEvents).
using ImportSink = std::function<StatusOr<AppendResult>(std::span<const EventRecord>)>;
// Told the rows read so far, every few hundred rows.
using ImportProgress = std::function<void(int64_t rows)>;

// The key of a file: BLAKE2b-128 of its bytes, in hex. Reads `in` to its end.
StatusOr<std::string> ImportFileKey(std::istream& in);

// Reads `in` (the file whose key is `file_key`) and stores its rows through `sink` as
// events of `source_id`, `batch_rows` at a time. Unprocessable (422) when the header
// gives no email column or a field twice, or the file is not text; then nothing is
// stored. `users`: whom an owner column may name (by email, or by name when one user
// has it).
StatusOr<ImportSummary> RunLeadImport(std::istream& in, std::string_view file_key,
                                      const ImportOptions& options,
                                      const std::vector<UserRecord>& users, int64_t source_id,
                                      TimePoint now, const ImportSink& sink,
                                      const ImportProgress& progress = {});

// The sources of leads that arrive outside a web page, created on first use; their write
// keys are never shown: nothing but an import (or the API's POST /api/v1/leads) writes
// to them.
inline constexpr std::string_view kImportSourceName = "CSV import";
inline constexpr std::string_view kByHandSourceName = "Added by hand";
StatusOr<Source> FindOrCreateSource(EventStore& store, std::string_view name, TimePoint now);

// RunLeadImport into `store`, as events of the import source.
StatusOr<ImportSummary> ImportLeadFile(EventStore& store, std::istream& in,
                                       std::string_view file_key, const ImportOptions& options,
                                       const std::vector<UserRecord>& users, TimePoint now,
                                       const ImportProgress& progress = {});

}  // namespace tandem
