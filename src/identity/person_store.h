// What identity resolution asks of the store, outside the pipeline's transaction.
#pragma once

#include <cstdint>
#include <optional>

#include "core/status.h"
#include "identity/identity.h"
#include "identity/person.h"

namespace tandem {

class PersonReads {
 public:
  virtual ~PersonReads() = default;
  // The person an identity points to, following merges to the surviving person.
  virtual StatusOr<std::optional<int64_t>> FindPersonByIdentity(const Identity& identity) = 0;
  virtual StatusOr<std::optional<Person>> GetPerson(int64_t person_id) = 0;
};

}  // namespace tandem
