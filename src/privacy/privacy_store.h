// What requests about a person's data (access, portability) need of the store beyond
// what the other domains read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace tandem {

// One value a lead's trait took, and the event that brought it.
struct TraitChange {
  std::string trait;
  std::optional<std::string> value;  // nullopt: the trait was cleared
  std::optional<int64_t> event_id;
  TimePoint at;
};

class PrivacyReads {
 public:
  virtual ~PrivacyReads() = default;
  // Every value the lead's traits took, oldest first.
  virtual StatusOr<std::vector<TraitChange>> ListTraitHistory(int64_t lead_id) = 0;
};

}  // namespace tandem
