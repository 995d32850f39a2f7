// Rescoring every lead under the current scoring rules, and knowing when it is due.
#pragma once

#include <concepts>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "leads/lead_engine.h"
#include "leads/lead_store.h"

namespace tandem {

// The setting that holds the hash of the scoring policy the stored scores follow.
inline constexpr std::string_view kScoringPolicySetting = "scoring_policy";

// Recomputes every lead (LeadEngine::Rescore), a batch of leads per transaction so
// ingest is not held up. Returns how many leads.
StatusOr<size_t> RescoreEveryLead(LeadListing& leads, LeadTxnSource& txns, const LeadEngine& engine,
                                  const Clock& clock);

// A store that lists leads, begins their transactions and keeps named settings.
template <typename S>
concept RescoreStore = std::derived_from<S, LeadListing> && std::derived_from<S, LeadTxnSource> &&
    requires(S& s, std::string_view name) {
  { s.GetSetting(name) } -> std::same_as<StatusOr<std::optional<std::string>>>;
  { s.PutSetting(name, name) } -> std::same_as<Status>;
};

// RescoreEveryLead, then records the policy's hash. Returns how many leads.
// Rules put in force meanwhile leave the recorded hash behind theirs, so the next
// check rescores again.
template <RescoreStore S>
StatusOr<size_t> RescoreAll(S& store, const LeadEngine& engine, const Clock& clock) {
  const std::string policy = ScoringPolicyHash(*engine.scoring());
  TANDEM_ASSIGN_OR_RETURN(size_t leads, RescoreEveryLead(store, store, engine, clock));
  TANDEM_RETURN_IF_ERROR(store.PutSetting(kScoringPolicySetting, policy));
  return leads;
}

// Whether the stored scores were computed under another scoring policy.
template <RescoreStore S>
StatusOr<bool> RescoreNeeded(S& store, const LeadEngine& engine) {
  TANDEM_ASSIGN_OR_RETURN(auto stored, store.GetSetting(kScoringPolicySetting));
  std::string current = ScoringPolicyHash(*engine.scoring());
  if (stored) return *stored != current;
  // A new database: its (zero) leads are scored under the current policy.
  TANDEM_ASSIGN_OR_RETURN(int64_t leads, store.CountLeads());
  if (leads != 0) return true;
  TANDEM_RETURN_IF_ERROR(store.PutSetting(kScoringPolicySetting, current));
  return false;
}

// Before an engine of a command (the demo, an import) processes events outside the
// server: leads scored under other rules are rescored first, and a new database records
// the rules it is scored under, so the server's next start has nothing to rescore.
// Returns how many leads it rescored.
template <typename S>
StatusOr<size_t> RescoreIfNeeded(S& store, const LeadEngine& engine, const Clock& clock) {
  TANDEM_ASSIGN_OR_RETURN(bool needed, RescoreNeeded(store, engine));
  if (!needed) return size_t{0};
  return RescoreAll(store, engine, clock);
}

}  // namespace tandem
