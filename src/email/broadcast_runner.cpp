// The runner: takes each sending broadcast's next recipients as the sender drains them.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/bulk_reads.h"
#include "core/random.h"
#include "email/broadcast_steps.h"
#include "email/broadcasts.h"
#include "email/experiment_arms.h"
#include "leads/lead_filter.h"
#include "metrics/metrics.h"

namespace tandem {
using namespace broadcast_steps;

StatusOr<size_t> BroadcastRunner::RunDue() {
  const TimePoint now = clock_.Now();
  EmailStore& store = service_.stores().email;
  TANDEM_ASSIGN_OR_RETURN(auto due, store.BroadcastsToRun(now));
  size_t taken = 0;
  for (Broadcast& b : due) {
    if (b.state == BroadcastState::kScheduled) {
      Broadcast started = b;
      started.state = BroadcastState::kSending;
      started.started_at = now;
      started.updated_at = now;
      TANDEM_ASSIGN_OR_RETURN(bool ok,
                              store.UpdateBroadcast(started, {BroadcastState::kScheduled}));
      if (!ok) continue;  // paused or cancelled meanwhile
      b = started;
    }
    auto step = Step(b, now);
    if (!step.ok()) {
      spdlog::error("broadcast bc_{}: {}", b.id, step.status().message());
      continue;
    }
    taken += *step;
  }
  return taken;
}

StatusOr<size_t> BroadcastRunner::Step(const Broadcast& b, TimePoint now) {
  const BulkReads bulk;  // every recipient is read once: keep none of it mapped
  EmailStore& store = service_.stores().email;
  TANDEM_ASSIGN_OR_RETURN(int64_t waiting, store.CountWaitingSends(b.id));
  if (waiting >= kAhead) return 0;
  TANDEM_ASSIGN_OR_RETURN(BroadcastTemplate tmpl, TemplateOf(service_, b));
  TANDEM_ASSIGN_OR_RETURN(auto leads, NextRecipients(service_, b, b.next_lead_id, kBatch, now));
  if (leads.empty()) {
    if (waiting > 0) return 0;
    Broadcast done = b;
    done.state = BroadcastState::kDone;
    done.finished_at = now;
    done.updated_at = now;
    TANDEM_ASSIGN_OR_RETURN(bool finished, store.UpdateBroadcast(done, {BroadcastState::kSending}));
    if (finished) spdlog::info("broadcast bc_{} is done", b.id);
    return 0;
  }
  // Rendered and checked before the transaction, which then only gates and writes.
  TANDEM_ASSIGN_OR_RETURN(
      EmailArms arms, EmailArmsFor(service_, ExperimentTarget{.broadcast_id = b.id}, tmpl.source));
  TANDEM_ASSIGN_OR_RETURN(std::vector<Composition> composed,
                          ComposeArmed(service_, leads, arms, tmpl.source, tmpl.compiled));
  std::vector<std::string> refusals;
  TANDEM_ASSIGN_OR_RETURN(auto txn, store.BeginEmailTxn());
  // First, under the write lock: the batch is this runner's alone (rolled back if not).
  TANDEM_ASSIGN_OR_RETURN(bool mine,
                          txn->AdvanceBroadcastCursor(b.id, b.next_lead_id, leads.back().id, now));
  if (!mine) return 0;
  const AdmitAs as{.kind = SendKind::kBroadcast,
                   .actor = Actor{},
                   .user_id = b.created_by,
                   .broadcast_id = b.id};
  for (size_t i = 0; i < leads.size(); ++i) {
    TANDEM_ASSIGN_OR_RETURN(Admission a, service_.AdmitInTxn(*txn, leads[i], composed[i], as, now));
    refusals.insert(refusals.end(), a.refused.begin(), a.refused.end());
  }
  TANDEM_RETURN_IF_ERROR(txn->Commit());
  for (const std::string& code : refusals) metrics_.email_refused.Increment({code});
  return leads.size();
}

}  // namespace tandem
