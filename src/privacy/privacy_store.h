// What requests about a person's data (access, portability, erasure) need of the store
// beyond what the other domains read and write.
#pragma once

#include <cstdint>
#include <map>
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

// An erasure as the domain decided it (privacy/erasure.h): whom, and the addresses the
// person had, both as they are (to find the rows kept by address: a bounce's suppression,
// mail from them that matched no lead) and as the keys the suppression list keeps.
struct ErasureRequest {
  int64_t person_id = 0;
  std::vector<std::string> addresses;     // normalized
  std::vector<std::string> address_keys;  // ErasedAddressKey of each
  TimePoint at;
};

// How many rows of each table an erasure deleted or stripped of personal data.
using ErasureCounts = std::map<std::string, int64_t>;

class PrivacyWrites {
 public:
  virtual ~PrivacyWrites() = default;
  // Erases person `request.person_id`, and every person merged into them, in one
  // transaction: deletes or anonymizes each of their rows as sql_erasure.cpp lists, table
  // by table; leaves the lead's row as a tombstone the reports still count and every
  // other read skips; keeps `address_keys` on the suppression list. NotFound when there
  // is no such person, or their lead was erased already.
  virtual StatusOr<ErasureCounts> ErasePerson(const ErasureRequest& request) = 0;
};

class PrivacyReads {
 public:
  virtual ~PrivacyReads() = default;
  // Every value the lead's traits took, oldest first.
  virtual StatusOr<std::vector<TraitChange>> ListTraitHistory(int64_t lead_id) = 0;
};

}  // namespace tandem
