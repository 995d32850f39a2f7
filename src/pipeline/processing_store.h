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
// Commit() rolls back. While it lives it holds the store's write lock, so keep it short.
class ProcessingTxn : public LeadTxn, public BriefEventWrites, public TouchpointWrites {
 public:
  // Up to `limit` events the pipeline has not processed yet, oldest commit first. Past
  // the cursor, an event that has a person was processed ahead of it and is not
  // returned.
  virtual StatusOr<std::vector<StoredEvent>> NextUnprocessed(size_t limit) = 0;
  // Those of the events `ids` that are not processed yet, in the order of `ids`.
  virtual StatusOr<std::vector<StoredEvent>> UnprocessedEvents(std::span<const int64_t> ids) = 0;
  // The identities that point to `person_id`.
  virtual StatusOr<std::vector<Identity>> PersonIdentities(int64_t person_id) = 0;
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
  // Records that every event up to and including `last` is processed.
  virtual Status MarkProcessed(const StoredEvent& last) = 0;
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
  virtual StatusOr<std::unique_ptr<ProcessingTxn>> BeginProcessing() = 0;
};

}  // namespace tandem
