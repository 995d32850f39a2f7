// AppendBatch: stores a Segment batch (JSON text) for `source_id` as the ingest path
// would, for tests that feed events straight into a store.
#pragma once

#include <string>

#include "ingest/segment_message.h"
#include "store/store.h"

namespace tandem::testing {

inline Status AppendBatch(Store& store, SegmentParser& parser, int64_t source_id, TimePoint now,
                          std::string batch_json) {
  auto parsed = parser.Parse(IngestRequest{IngestCall::kBatch, batch_json, now, "127.0.0.1"});
  if (!parsed.ok()) return parsed.status();
  for (auto& e : parsed->events) e.source_id = source_id;
  return store.AppendEvents(parsed->events).status();
}

}  // namespace tandem::testing
