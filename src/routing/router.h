// Router: who should own a lead. Pure decisions over plain values; the lead engine
// loads the candidates and persists the outcome.
//
// Round robin is stride scheduling: each rep carries a "pass"; the rep with the lowest
// pass gets the lead and its pass grows by 1/capacity, so over time each rep's share is
// proportional to its capacity. A rep who was away (out of office, at capacity, newly
// joined) re-enters at the team's current virtual time rather than at its old pass, so
// nobody is flooded on return and nobody is favoured by join order.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "rules/condition.h"

namespace tandem {

struct RoutingRule {
  std::string name;
  std::vector<Condition> when;  // all must hold, over the lead's traits
  std::string team;
  int line = 0;  // where the rule is in tandem.toml, for errors found later (unknown team)
};

struct RoutingConfig {
  std::vector<RoutingRule> rules;
  // Prefer the owner of another lead at the same account.
  bool account_match = true;
  // Team tried when the chosen team has nobody available; empty: straight to the queue.
  std::string fallback_team;
  int fallback_line = 0;
};

// The team a lead goes to: the first rule that holds; with no rule holding (or no
// rules), every active sales rep (team "", rule "default").
struct TeamChoice {
  std::string rule;
  std::string team;
};
TeamChoice ChooseTeam(const RoutingConfig& config, const nlohmann::json& traits);

struct RoutingCandidate {
  int64_t user_id = 0;
  std::string email;
  int capacity = 0;
  int open_leads = 0;
  bool active = true;
  bool out_of_office = false;
  std::optional<double> pass;  // absent: never took part in this team's rotation
};

struct CandidateNote {
  int64_t user_id = 0;
  std::string email;
  bool eligible = false;
  std::string why;  // "chosen", "out_of_office", "at_capacity (20/20)", "inactive", "later in turn"
};

struct RoundRobinPick {
  std::optional<size_t> chosen;  // index into the candidates
  double new_pass = 0;           // the chosen rep's pass after this lead
  double new_virtual_time = 0;   // the team's virtual time after this lead
  std::vector<CandidateNote> notes;
};

// Picks the next rep. Ties go to the rep with the lower pass before re-entry, then the
// lower user id.
RoundRobinPick PickRoundRobin(std::span<const RoutingCandidate> candidates, double virtual_time);

// Why a candidate cannot take a lead now ("" when it can).
std::string Unavailability(const RoutingCandidate& candidate);

}  // namespace tandem
