// What a pipeline batch that runs beside others (ProcessingTxn::concurrent()) takes of
// the waiting events: those whose visitors no other batch holds, holding them until it
// commits, so one visitor's events are applied in commit order and never by two batches
// at once.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "ingest/event.h"
#include "pipeline/processing_store.h"

namespace tandem {

// Which identities and persons are one visitor, as far as a batch has seen: those an
// event carries together, and an identity with the persons it points to. A visitor one
// of whose events the batch left (to others, or to later) is blocked: none of its later
// events is taken.
class VisitorLinks {
 public:
  void Join(const std::string& a, const std::string& b);
  void Block(const std::string& node);
  bool blocked(const std::string& node);

 private:
  const std::string& Root(const std::string& node);
  std::map<std::string, std::string> parent_;  // a node without one is its own root
  std::set<std::string> blocked_;              // roots
};

// The events a batch takes: up to `limit` read from the cursor on (at most `max_reads`
// reads), those of visitors it holds (alone: all of them); how far the cursor may move;
// and how many it read (more than it took when others hold some).
struct Claim {
  std::vector<StoredEvent> events;
  int64_t through = 0;
  size_t read = 0;
};
StatusOr<Claim> ClaimInOrder(ProcessingTxn& txn, size_t limit, int max_reads);

// Which of `events` (in id order) the batch holds the visitor of, holding what it can: an
// event it does not hold is left (`first_left` gets the first one's id, if not set yet),
// and so is every later one of its visitor (`links`). Those it holds that were processed
// meanwhile (by the batch that held them before) are dropped.
StatusOr<std::vector<StoredEvent>> HoldVisitors(ProcessingTxn& txn, std::vector<StoredEvent> events,
                                                VisitorLinks& links, int64_t* first_left);

}  // namespace tandem
