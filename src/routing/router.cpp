#include "routing/router.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>

namespace tandem {

TeamChoice ChooseTeam(const RoutingConfig& config, const nlohmann::json& traits) {
  for (const RoutingRule& rule : config.rules) {
    bool all = std::all_of(rule.when.begin(), rule.when.end(),
                           [&](const Condition& c) { return c.Holds(traits); });
    if (all) return {rule.name, rule.team};
  }
  return {"default", ""};
}

std::string Unavailability(const RoutingCandidate& c) {
  if (!c.active) return "inactive";
  if (c.out_of_office) return "out_of_office";
  if (c.capacity <= 0 || c.open_leads >= c.capacity) {
    return fmt::format("at_capacity ({}/{})", c.open_leads, c.capacity);
  }
  return "";
}

RoundRobinPick PickRoundRobin(std::span<const RoutingCandidate> candidates, double virtual_time) {
  RoundRobinPick pick;
  pick.new_virtual_time = virtual_time;
  double best = std::numeric_limits<double>::infinity();
  double best_raw = best;
  for (size_t i = 0; i < candidates.size(); ++i) {
    const RoutingCandidate& c = candidates[i];
    std::string why = Unavailability(c);
    pick.notes.push_back({c.user_id, c.email, why.empty(), why});
    if (!why.empty()) continue;
    double raw = c.pass.value_or(virtual_time);
    double effective = std::max(raw, virtual_time);
    bool better = effective < best || (effective == best && raw < best_raw) ||
                  (effective == best && raw == best_raw && pick.chosen &&
                   c.user_id < candidates[*pick.chosen].user_id);
    if (!pick.chosen || better) {
      pick.chosen = i;
      best = effective;
      best_raw = raw;
    }
  }
  if (!pick.chosen) return pick;
  const RoutingCandidate& chosen = candidates[*pick.chosen];
  pick.new_virtual_time = best;
  pick.new_pass = best + 1.0 / chosen.capacity;
  for (CandidateNote& note : pick.notes) {
    if (note.eligible) note.why = note.user_id == chosen.user_id ? "chosen" : "later in turn";
  }
  return pick;
}

}  // namespace tandem
