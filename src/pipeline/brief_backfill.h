// Events stitched before the store kept what the brief reads of them (a store upgraded
// to schema version 8) get it kept once, in batches, before the pipeline starts.
#pragma once

#include <cstdint>

#include "core/settings_store.h"
#include "core/status.h"
#include "pipeline/processing_store.h"

namespace tandem {

// The setting the schema's migration leaves: the highest event id stitched before it,
// then "done" once those events are kept.
inline constexpr const char* kBriefBackfillSetting = "brief_events_backfill_upto";

// Keeps the brief's fields of every event the setting names, `batch` events a
// transaction, and marks it done; returns how many events it kept (0 when none were
// waiting). Safe to run again after a crash: an event already kept is skipped.
StatusOr<int64_t> BackfillBriefEvents(ProcessingSource& source, SettingsStore& settings,
                                      size_t batch = 2000);

}  // namespace tandem
