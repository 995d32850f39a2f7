// The follow-up SLA policy: how long an owner has for the first contact, by priority.
#pragma once

#include <array>
#include <string>

namespace tandem {

// A time allowance: `minutes` of business time plus `days` whole business days (each
// the length of the owner's working day).
struct SlaTarget {
  double minutes = 0;
  double days = 0;
};

struct SlaConfig {
  SlaTarget hot = {15, 0};
  SlaTarget mql = {0, 1};
  SlaTarget other = {0, 2};  // leads assigned without a priority
  double warning_at = 0.5;   // the owner is reminded when this share of the time has passed
  std::string on_breach = "reassign";  // reassign | notify
  std::array<bool, 7> business_days = {false, true, true, true, true, true, false};  // Sunday first
  int check_interval_s = 15;  // how often the timers are looked at
};

}  // namespace tandem
