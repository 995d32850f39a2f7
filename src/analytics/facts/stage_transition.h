// A lead's move from one lifecycle stage to another, as the analytics reports count
// it. Written in the transaction that moves the lead, beside its stage_changed log
// entry and with the same values; never changed afterwards, except that it follows its
// lead when two leads fold into one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/stage.h"

namespace tandem {

struct StageTransition {
  int64_t id = 0;  // set by the store
  int64_t lead_id = 0;
  Stage from = Stage::kLead;
  Stage to = Stage::kLead;
  TimePoint at;
  std::optional<int64_t> by_user_id;  // the user who moved it; none: the system did
  // What moved it: "manual", "outcome: won", "score: fit … >= …", "hand-raise: …".
  std::string cause;
  std::string reason;  // the reason given (a rejection, a loss, a recycling), or ""
  // The amount recorded with an opportunity or a win, in cents; none otherwise.
  std::optional<int64_t> amount_cents;

  bool operator==(const StageTransition&) const = default;
};

}  // namespace tandem
