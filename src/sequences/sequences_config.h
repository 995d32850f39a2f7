// [sequences] in tandem.toml: when steps are due and how often exits are looked for.
#pragma once

#include <chrono>

#include "sequences/step_schedule.h"

namespace tandem {

struct SequencesConfig {
  SendWindow window;                     // when steps are due, in the lead's time zone
  std::chrono::seconds sweep_every{60};  // how often exits are looked for between steps
  static constexpr int kMaxSteps = 50;
  static constexpr int kMaxWaitDays = 365;
};

}  // namespace tandem
