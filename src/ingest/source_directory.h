// SourceDirectory: write key → source, cached in memory for the ingest hot path.
//
// A known key is cached for the life of the process (sources are not deleted). An
// unknown key is remembered for a few seconds, so a client hammering with a wrong key
// costs no store read per request, while a source added with `tandem source add` to
// a running server is found within that time.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "core/clock.h"
#include "ingest/event_store.h"

namespace tandem {

class SourceDirectory {
 public:
  SourceDirectory(EventStore& store, const Clock& clock) : store_(store), clock_(clock) {}

  // nullopt when no source has this key; a Status when the store cannot answer.
  StatusOr<std::optional<Source>> Find(std::string_view write_key);

 private:
  static constexpr std::chrono::seconds kNegativeTtl{5};

  EventStore& store_;
  const Clock& clock_;
  std::shared_mutex mu_;
  std::unordered_map<std::string, Source> known_;       // guarded by mu_
  std::unordered_map<std::string, TimePoint> unknown_;  // guarded by mu_; key → when it expires
};

}  // namespace tandem
