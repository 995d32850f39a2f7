#include "leads/rescore.h"

#include <algorithm>

namespace tandem {
namespace {

constexpr size_t kLeadsPerTxn = 100;

}  // namespace

StatusOr<size_t> RescoreEveryLead(LeadListing& leads, LeadTxnSource& txns, const LeadEngine& engine,
                                  const Clock& clock) {
  TANDEM_ASSIGN_OR_RETURN(auto ids, leads.ListLeadIds());
  for (size_t start = 0; start < ids.size(); start += kLeadsPerTxn) {
    TANDEM_ASSIGN_OR_RETURN(auto txn, txns.BeginLeadTxn());
    const TimePoint now = clock.Now();
    for (size_t i = start; i < std::min(ids.size(), start + kLeadsPerTxn); ++i) {
      Status s = engine.Rescore(*txn, ids[i], now);
      // A lead folded into another since the listing is gone; nothing to do.
      if (!s.ok() && s.code() != StatusCode::kNotFound) return s;
    }
    TANDEM_RETURN_IF_ERROR(txn->Commit());
  }
  return ids.size();
}

}  // namespace tandem
