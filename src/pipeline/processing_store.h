// What the event pipeline asks of the store: a transaction that stitches a batch of
// stored events to persons and applies them to leads, with the pipeline's cursor and
// the touchpoints the events are.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "brief/brief_store.h"
#include "core/clock.h"
#include "core/status.h"
#include "identity/identity.h"
#include "ingest/event.h"
#include "leads/lead_store.h"

namespace tandem {

// One write transaction of the event-processing pipeline. Destroying it without
// Commit() rolls back. While it lives it holds the store's write lock (shared with other
// batches where concurrent()), so keep it short.
class ProcessingTxn : public LeadTxn, public BriefEventWrites, public TouchpointWrites {
 public:
  // Whether other batches (other instances', or this one's) may run beside this one.
  // Each then processes only the events of visitors it holds (TryHold), and the cursor
  // moves only over events processed.
  virtual bool concurrent() const = 0;
  // The pipeline's cursor: every event up to it is processed.
  virtual StatusOr<int64_t> Cursor() = 0;
  // Up to `limit` events the pipeline has not processed yet after `after_id`, oldest
  // commit first. Past the cursor, an event that has a person was processed ahead of it
  // and is not returned; one another batch is processing still is.
  virtual StatusOr<std::vector<StoredEvent>> UnprocessedAfter(int64_t after_id, size_t limit) = 0;
  // The same from the cursor.
  StatusOr<std::vector<StoredEvent>> NextUnprocessed(size_t limit) {
    TANDEM_ASSIGN_OR_RETURN(int64_t cursor, Cursor());
    return UnprocessedAfter(cursor, limit);
  }
  // Those of the events `ids` that are not processed yet, in the order of `ids`.
  virtual StatusOr<std::vector<StoredEvent>> UnprocessedEvents(std::span<const int64_t> ids) = 0;
  // Those of `ids` that are not processed yet (as committed, or by this transaction).
  virtual StatusOr<std::vector<int64_t>> StillUnprocessed(std::span<const int64_t> ids) = 0;
  // Holds `ids` and `persons` against every other batch until this one ends, where no
  // other batch holds them; gives which it holds, `ids`' first. Where batches never
  // run beside each other: all.
  virtual StatusOr<std::vector<bool>> TryHold(std::span<const Identity> ids,
                                              std::span<const int64_t> persons) = 0;
  // The persons `ids` point to as committed (0: none), read again each time.
  virtual StatusOr<std::vector<int64_t>> CurrentPersons(std::span<const Identity> ids) = 0;
  // Forgets what it read of identities and leads: read before their visitors were held,
  // another batch may have changed them since.
  virtual void ForgetReads() = 0;
  // The identities that point to any of `persons`.
  virtual StatusOr<std::vector<Identity>> PersonIdentities(std::span<const int64_t> persons) = 0;
  virtual StatusOr<std::vector<KnownIdentity>> LookUpIdentities(std::span<const Identity> ids) = 0;
  // The identities a batch's events carry, before the batch is processed: a store that
  // pays a round trip per statement reads at once what looking them up (and the leads
  // of the persons they point to) will ask for. Changes nothing a later read returns.
  virtual Status PrepareLookUps(std::span<const Identity> ids) {
    (void)ids;
    return OkStatus();
  }
  // Carries out a plan for `event`; returns the person the event now belongs to.
  virtual StatusOr<int64_t> ApplyStitch(const StoredEvent& event, const StitchPlan& plan,
                                        TimePoint now) = 0;
  // Records that every event up to and including `through` is processed; a cursor
  // further on already stays.
  virtual Status MarkProcessed(int64_t through) = 0;
  // When `address_key` (identity/erased_address.h) is on the suppression list and has
  // not come back through `source_id` before, notes that it came back as `person_id` and
  // returns true; false otherwise.
  virtual StatusOr<bool> NoteErasedAddressReturn(std::string_view address_key, int64_t source_id,
                                                 int64_t person_id, TimePoint at) = 0;
  // Up to `limit` events stitched to a person with ids in (after_id, upto_id], by id.
  virtual StatusOr<std::vector<StoredEvent>> StitchedEvents(int64_t after_id, int64_t upto_id,
                                                            size_t limit) = 0;
};

class ProcessingSource {
 public:
  virtual ~ProcessingSource() = default;
  // `alone`: no other write transaction runs beside this one (where the store would let
  // batches run beside each other).
  virtual StatusOr<std::unique_ptr<ProcessingTxn>> BeginProcessing(bool alone) = 0;
  // Whether its batches run beside each other (ProcessingTxn::concurrent()), so that
  // more than one worker processes more.
  virtual bool concurrent_batches() const { return false; }
};

}  // namespace tandem
