#include "pipeline/sla_scheduler.h"

#include <spdlog/spdlog.h>

#include <set>

namespace tandem {

SlaScheduler::~SlaScheduler() { Stop(); }

namespace {

// Runs `fire` on each lead `due` lists, each in its own transaction, once per pass.
template <typename Due, typename Fire>
StatusOr<size_t> EachDue(LeadTxnSource& txns, Due due_leads, Fire fire) {
  constexpr size_t kBatch = 200;
  std::set<int64_t> seen;  // a lead is looked at once per pass, even if it stays due
  size_t fired = 0;
  for (;;) {
    TANDEM_ASSIGN_OR_RETURN(auto due, due_leads(kBatch + seen.size()));
    size_t fresh = 0;
    for (int64_t lead_id : due) {
      if (!seen.insert(lead_id).second) continue;
      ++fresh;
      TANDEM_ASSIGN_OR_RETURN(auto txn, txns.BeginLeadTxn());
      TANDEM_RETURN_IF_ERROR(fire(*txn, lead_id));
      TANDEM_RETURN_IF_ERROR(txn->Commit());
      ++fired;
    }
    if (fresh == 0 || due.size() < kBatch) break;
  }
  return fired;
}

}  // namespace

StatusOr<size_t> SlaScheduler::FireDue(TimePoint now) {
  TANDEM_ASSIGN_OR_RETURN(
      size_t timers,
      EachDue(
          txns_, [&](size_t limit) { return leads_.DueSlaLeads(now, limit); },
          [&](LeadTxn& txn, int64_t id) { return engine_.FireSlaTimer(txn, id, now); }));
  // Recycled leads whose revisit date came go back to sales.
  TANDEM_ASSIGN_OR_RETURN(
      size_t revisits,
      EachDue(
          txns_, [&](size_t limit) { return leads_.DueRevisits(now, limit); },
          [&](LeadTxn& txn, int64_t id) { return engine_.Revisit(txn, id, now); }));
  return timers + revisits;
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
