// Lifecycle: the stages a lead moves through, which moves are legal, and what each
// sales disposition (outcome) does to the stage. Pure.
//
//   subscriber → lead → mql → sal → sql → opportunity → customer
//   recycled: back to nurture with a reason and a revisit date
//   disqualified: out, with a reason
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/stage.h"
#include "core/status.h"

namespace tandem {

// The stages a lead may move to from `from`.
std::span<const Stage> AllowedNextStages(Stage from);
// OK, or a conflict whose message names the allowed moves.
Status CheckTransition(Stage from, Stage to);
// Whether the lead is being worked by sales (counts against its owner's capacity).
bool IsOpenForSales(Stage stage);

// POST /leads/{id}/outcome.
struct Outcome {
  std::string disposition;  // accepted|rejected|qualified|opportunity|won|lost|recycled
  std::string reason;
  std::optional<double> amount;
  std::optional<TimePoint> revisit_on;
};

struct OutcomePlan {
  Stage to = Stage::kLead;
  std::string reason;
  std::optional<TimePoint> revisit_on;
  bool release_owner = false;  // recycled and disqualified leads go back to marketing
};

// Validates an outcome against the lead's stage: missing or unknown reasons, a missing
// amount or revisit date are 422; a disposition the stage does not allow is 409.
StatusOr<OutcomePlan> PlanOutcome(Stage current, const Outcome& outcome, TimePoint now);

}  // namespace tandem
