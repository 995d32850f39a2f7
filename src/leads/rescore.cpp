#include "leads/rescore.h"

namespace tandem {
namespace {

constexpr std::string_view kPolicySetting = "scoring_policy";
constexpr size_t kLeadsPerTxn = 100;

}  // namespace

StatusOr<size_t> RescoreAll(Store& store, const LeadEngine& engine, const Clock& clock) {
  TANDEM_ASSIGN_OR_RETURN(auto ids, store.ListLeadIds());
  for (size_t start = 0; start < ids.size(); start += kLeadsPerTxn) {
    TANDEM_ASSIGN_OR_RETURN(auto txn, store.BeginLeadTxn());
    const TimePoint now = clock.Now();
    for (size_t i = start; i < std::min(ids.size(), start + kLeadsPerTxn); ++i) {
      Status s = engine.Rescore(*txn, ids[i], now);
      // A lead folded into another since the listing is gone; nothing to do.
      if (!s.ok() && s.code() != StatusCode::kNotFound) return s;
    }
    TANDEM_RETURN_IF_ERROR(txn->Commit());
  }
  TANDEM_RETURN_IF_ERROR(store.PutSetting(kPolicySetting, ScoringPolicyHash(engine.scoring())));
  return ids.size();
}

StatusOr<bool> RescoreNeeded(Store& store, const LeadEngine& engine) {
  TANDEM_ASSIGN_OR_RETURN(auto stored, store.GetSetting(kPolicySetting));
  std::string current = ScoringPolicyHash(engine.scoring());
  if (!stored) {
    // A new database: its (zero) leads are scored under the current policy.
    TANDEM_ASSIGN_OR_RETURN(int64_t leads, store.CountLeads());
    if (leads == 0) {
      TANDEM_RETURN_IF_ERROR(store.PutSetting(kPolicySetting, current));
      return false;
    }
    return true;
  }
  return *stored != current;
}

}  // namespace tandem
