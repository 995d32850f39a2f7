// What a pipeline batch that runs beside others (ProcessingTxn::concurrent()) takes of
// the waiting events: those whose visitors no other batch holds, holding them until it
// commits, so one visitor's events are applied in commit order and never by two batches
// at once.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "ingest/event.h"
#include "pipeline/processing_store.h"

namespace tandem {

// The events a batch takes: up to `limit` read from the cursor on (at most `max_reads`
// reads), those of visitors it holds (alone: all of them); and how far the cursor may
// move.
struct Claim {
  std::vector<StoredEvent> events;
  int64_t through = 0;
};
StatusOr<Claim> ClaimInOrder(ProcessingTxn& txn, size_t limit, int max_reads);

// What a batch does not take: the identities and persons of the events it left to others
// (or to later), and so of every later event linked to them.
struct Blocked {
  std::set<std::string> ids;  // kind:value
  std::set<int64_t> persons;
};
// Which of `events` (in id order) the batch holds the visitor of, holding what it can: an
// event it does not hold is left (`first_left` gets the first one's id, if not set yet),
// with every later one linked to it. Those it holds that were processed meanwhile (by
// the batch that held them before) are dropped.
StatusOr<std::vector<StoredEvent>> HoldVisitors(ProcessingTxn& txn, std::vector<StoredEvent> events,
                                                Blocked& blocked, int64_t* first_left);

}  // namespace tandem
