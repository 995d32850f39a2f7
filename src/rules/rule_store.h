// What the lead rules ask of the store: their versions, as the TOML text of tandem.toml's
// [scoring] and [routing] sections (config/rules_text.h reads and writes it). Every
// change is a new version; the newest is the one in force.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace tandem {

struct RuleVersion {
  int64_t version = 0;  // 1, 2, 3 …
  std::string toml;
  std::string origin;                 // "config": tandem.toml at a start; "app": saved by a user
  std::optional<int64_t> created_by;  // the user who saved it
  std::string note;                   // why, in the saver's words
  TimePoint created_at;
};

class RuleStore {
 public:
  virtual ~RuleStore() = default;
  // Adds `v` as the version after `after` (the newest its writer saw; 0 for none) and
  // answers it numbered; 409 rules_changed when a newer one was added meanwhile.
  virtual StatusOr<RuleVersion> AddRuleVersion(const RuleVersion& v, int64_t after) = 0;
  virtual StatusOr<std::optional<RuleVersion>> LatestRuleVersion() = 0;
  // Newest first.
  virtual StatusOr<std::vector<RuleVersion>> ListRuleVersions(size_t limit) = 0;
};

}  // namespace tandem
