#include "pipeline/sla_scheduler.h"

#include <spdlog/spdlog.h>

#include <set>

namespace tandem {

SlaScheduler::~SlaScheduler() { Stop(); }

StatusOr<size_t> SlaScheduler::FireDue(TimePoint now) {
  constexpr size_t kBatch = 200;
  std::set<int64_t> seen;  // a lead is looked at once per pass, even if it stays due
  size_t fired = 0;
  for (;;) {
    TANDEM_ASSIGN_OR_RETURN(auto due, leads_.DueSlaLeads(now, kBatch + seen.size()));
    size_t fresh = 0;
    for (int64_t lead_id : due) {
      if (!seen.insert(lead_id).second) continue;
      ++fresh;
      TANDEM_ASSIGN_OR_RETURN(auto txn, txns_.BeginLeadTxn());
      TANDEM_RETURN_IF_ERROR(engine_.FireSlaTimer(*txn, lead_id, now));
      TANDEM_RETURN_IF_ERROR(txn->Commit());
      ++fired;
    }
    if (fresh == 0 || due.size() < kBatch) break;
  }
  return fired;
}

void SlaScheduler::Start(std::chrono::milliseconds period) {
  if (thread_.joinable()) return;
  thread_ = std::thread([this, period] {
    while (signal_.WaitForWork(period)) {
      auto fired = FireDue(clock_.Now());
      if (!fired.ok()) spdlog::error("sla timers: {}", fired.status().ToString());
    }
  });
}

void SlaScheduler::Stop() {
  signal_.RequestStop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace tandem
