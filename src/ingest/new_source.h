// Adding a source: a name people pick it by, unique whatever its case, and a new write
// key. The one way sources are made outside the store's own tests (`tandem source add`,
// the demo, the sources that imports and hand-added leads arrive through).
#pragma once

#include <string_view>

#include "core/clock.h"
#include "core/status.h"
#include "ingest/event_store.h"

namespace tandem {

// 422 when `name` is empty, over 200 characters or holds a control character; 409
// (source_name_taken) when a source already has it, in any case.
StatusOr<Source> AddSource(EventStore& store, std::string_view name, TimePoint now);

}  // namespace tandem
