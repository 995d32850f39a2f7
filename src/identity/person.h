// A person: a human Tandem knows through identities, possibly merged into another.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "identity/identity.h"

namespace tandem {

struct Person {
  int64_t id = 0;
  std::string user_id;
  std::string email;
  std::optional<int64_t> merged_into;
  TimePoint created_at;
  TimePoint updated_at;
  std::vector<Identity> identities;
};

}  // namespace tandem
