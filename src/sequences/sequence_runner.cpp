#include "sequences/sequence_runner.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "core/bulk_reads.h"
#include "email/experiment_arms.h"
#include "leads/lead_filter.h"

namespace tandem {

using nlohmann::json;

namespace {

// A rule looks again at leads changed this long before it last looked: a lead written
// by a transaction that began before the look but committed after it.
constexpr auto kRuleOverlap = std::chrono::minutes(1);

Actor AutomationOf(const Sequence& s) {
  return Actor{std::nullopt, "sequence:" + SequenceRef(s.id)};
}

}  // namespace

// The due steps of one round and what they need, read before the transaction.
struct SequenceRunner::Batch {
  std::map<int64_t, Sequence> sequences;
  std::map<int64_t, LeadRecord> leads;
  std::map<int64_t, Composition> compositions;  // by enrolment: its email step's message
  std::map<int64_t, std::optional<UserRecord>> users;
  std::vector<std::string> refusals;

  StatusOr<std::optional<UserRecord>> User(AuthStore& store, std::optional<int64_t> id) {
    if (!id) return std::optional<UserRecord>();
    auto it = users.find(*id);
    if (it != users.end()) return it->second;
    TANDEM_ASSIGN_OR_RETURN(auto user, store.GetUser(*id));
    users.emplace(*id, user);
    return user;
  }
};

StatusOr<size_t> SequenceRunner::RunDue() {
  const TimePoint now = clock_.Now();
  size_t work = 0;
  if (!last_sweep_ || now - *last_sweep_ >= service_.config().sweep_every) {
    TANDEM_ASSIGN_OR_RETURN(auto sequences, service_.store().ListSequences());
    for (const Sequence& s : sequences) {
      if (s.state != SequenceState::kActive || !s.filter_id) continue;
      auto enrolled = EnrolByRule(s, now);
      if (!enrolled.ok()) {
        spdlog::error("sequence {}: {}", SequenceRef(s.id), enrolled.status().message());
        continue;
      }
      work += *enrolled;
    }
    TANDEM_ASSIGN_OR_RETURN(size_t moved, Sweep(now));
    last_sweep_ = now;
    work += moved;
  }
  TANDEM_ASSIGN_OR_RETURN(size_t steps, RunSteps(now));
  return work + steps;
}

StatusOr<size_t> SequenceRunner::EnrolByRule(const Sequence& s, TimePoint now) {
  const EmailReadStores& stores = service_.email().stores();
  TANDEM_ASSIGN_OR_RETURN(auto filter, stores.email.GetFilter(*s.filter_id));
  if (!filter)
    return Unprocessable("invalid_field", fmt::format("its filter flt_{} is gone", *s.filter_id));
  TANDEM_ASSIGN_OR_RETURN(LeadQuery query,
                          ParseSavedLeadFilter(filter->query, s.created_by.value_or(0)));
  query.sort = LeadQuery::Sort::kId;
  query.limit = kRuleBatch;
  query.score_at = now;
  query.half_life_days = service_.email().engine().scoring()->half_life_days;
  if (s.enrolled_through) query.updated_since = *s.enrolled_through - kRuleOverlap;
  const BulkReads bulk;
  size_t enrolled = 0;
  for (int64_t after = 0;;) {
    query.after = LeadQuery::After{.is_null = false, .key = 0, .id = after};
    TANDEM_ASSIGN_OR_RETURN(auto leads, stores.listing.ListLeads(query));
    if (leads.empty()) break;
    std::vector<int64_t> ids;
    for (const LeadRecord& lead : leads) ids.push_back(lead.id);
    TANDEM_ASSIGN_OR_RETURN(auto histories, service_.store().EnrolmentHistories(s.id, ids));
    TANDEM_ASSIGN_OR_RETURN(auto txn, service_.store().BeginSequenceTxn());
    for (const LeadRecord& lead : leads) {
      const EnrolmentHistory& h = histories[lead.id];
      // Once per lead, unless it left and has since come into its stage again (recycled
      // once more, say).
      if (h.open) continue;
      if (h.last_ended && !(h.stage_entered && *h.stage_entered > *h.last_ended)) continue;
      TANDEM_ASSIGN_OR_RETURN(auto e, service_.EnrolInTxn(*txn, s, lead, std::nullopt, now));
      if (e) ++enrolled;
    }
    TANDEM_RETURN_IF_ERROR(txn->Commit());
    after = leads.back().id;
    if (leads.size() < kRuleBatch) break;
  }
  TANDEM_RETURN_IF_ERROR(service_.store().SetEnrolledThrough(s.id, now));
  if (enrolled > 0)
    spdlog::info("sequence {}: its rule enrolled {} leads", SequenceRef(s.id), enrolled);
  return enrolled;
}

StatusOr<bool> SequenceRunner::ApplyFact(SequenceTxn& txn, const Sequence& s, const Enrolment& e,
                                         const ExitFact& fact, TimePoint now) const {
  Enrolment to = e;
  to.updated_at = now;
  to.reason = fact.reason;
  to.detail = fact.detail;
  if (fact.reason == "out_of_office") {
    if (e.state != EnrolmentState::kActive) return false;  // paused already: left as it is
    to.state = EnrolmentState::kPaused;
    to.paused_until = fact.at;
    return service_.MoveInTxn(txn, s, e, to, "sequence_paused", AutomationOf(s));
  }
  to.state = EnrolmentState::kExited;
  to.due_at.reset();
  to.paused_until.reset();
  to.ended_at = now;
  return service_.MoveInTxn(txn, s, e, to, "sequence_exited", AutomationOf(s));
}

StatusOr<size_t> SequenceRunner::Sweep(TimePoint now) {
  SequenceStore& store = service_.store();
  size_t moved = 0;
  std::map<int64_t, Sequence> sequences;
  auto sequence_of = [&](int64_t id) -> StatusOr<const Sequence*> {
    auto it = sequences.find(id);
    if (it == sequences.end()) {
      TANDEM_ASSIGN_OR_RETURN(Sequence s, service_.GetOr404(id));
      it = sequences.emplace(id, std::move(s)).first;
    }
    return &it->second;
  };
  for (int64_t after = 0;;) {
    TANDEM_ASSIGN_OR_RETURN(auto ids, store.OpenEnrolmentIds(after, kSweepBatch));
    if (ids.empty()) break;
    after = ids.back();
    TANDEM_ASSIGN_OR_RETURN(auto txn, store.BeginSequenceTxn());
    TANDEM_ASSIGN_OR_RETURN(auto facts, txn->FindExitFacts(ids, now));
    if (facts.empty()) continue;
    for (const auto& [id, fact] : facts) {
      TANDEM_ASSIGN_OR_RETURN(auto e, store.GetEnrolment(id));
      if (!e || !IsOpen(e->state)) continue;
      TANDEM_ASSIGN_OR_RETURN(const Sequence* s, sequence_of(e->sequence_id));
      TANDEM_ASSIGN_OR_RETURN(bool applied, ApplyFact(*txn, *s, *e, fact, now));
      moved += applied ? 1 : 0;
    }
    TANDEM_RETURN_IF_ERROR(txn->Commit());
    if (ids.size() < kSweepBatch) break;
  }
  // Back from out of office: the next step is due from now, in the window.
  TANDEM_ASSIGN_OR_RETURN(auto over, store.PausesOver(now, kSweepBatch));
  if (over.empty()) return moved;
  TANDEM_ASSIGN_OR_RETURN(auto txn, store.BeginSequenceTxn());
  for (const Enrolment& e : over) {
    TANDEM_ASSIGN_OR_RETURN(const Sequence* s, sequence_of(e.sequence_id));
    TANDEM_ASSIGN_OR_RETURN(auto lead, txn->GetLead(e.lead_id));
    if (!lead) continue;
    Enrolment to = e;
    to.state = EnrolmentState::kActive;
    to.detail = fmt::format("back from {}", e.reason);
    to.reason.clear();
    to.paused_until.reset();
    to.updated_at = now;
    TANDEM_ASSIGN_OR_RETURN(to.due_at, service_.DueFor(*txn, *lead, now, 0));
    TANDEM_ASSIGN_OR_RETURN(
        bool applied, service_.MoveInTxn(*txn, *s, e, to, "sequence_resumed", AutomationOf(*s)));
    moved += applied ? 1 : 0;
  }
  TANDEM_RETURN_IF_ERROR(txn->Commit());
  return moved;
}

StatusOr<size_t> SequenceRunner::RunSteps(TimePoint now) {
  SequenceStore& store = service_.store();
  const EmailService& email = service_.email();
  // As fast as the sender drains them: a few batches of email wait at most.
  TANDEM_ASSIGN_OR_RETURN(int64_t waiting,
                          email.stores().email.CountWaitingSendsOf(SendKind::kSequence));
  if (waiting >= kAhead) return 0;
  TANDEM_ASSIGN_OR_RETURN(auto due, store.DueEnrolments(now, kBatch));
  if (due.empty()) return 0;
  const BulkReads bulk;
  Batch batch;
  // Read and render before the transaction, which then only looks again, gates and writes.
  // Each due email step's enrolments (an experiment may run on the step).
  std::map<std::pair<int64_t, int>, std::vector<const Enrolment*>> by_step;
  for (const Enrolment& e : due) {
    if (!batch.sequences.contains(e.sequence_id)) {
      TANDEM_ASSIGN_OR_RETURN(Sequence s, service_.GetOr404(e.sequence_id));
      batch.sequences.emplace(e.sequence_id, std::move(s));
    }
    TANDEM_ASSIGN_OR_RETURN(auto lead, email.stores().leads.GetLead(e.lead_id));
    if (!lead) continue;
    batch.leads.emplace(e.lead_id, std::move(*lead));
    const Sequence& s = batch.sequences.at(e.sequence_id);
    if (e.next_step < static_cast<int>(s.steps.size()) &&
        s.steps[e.next_step].kind == StepKind::kEmail) {
      by_step[{e.sequence_id, e.next_step}].push_back(&e);
    }
  }
  for (const auto& [step, enrolments] : by_step) {
    ComposeRequest request;
    request.template_key = batch.sequences.at(step.first).steps[step.second].template_key;
    auto source = email.Resolve(request);
    if (!source.ok()) continue;  // gone or broken: each step is refused with the reason below
    TANDEM_ASSIGN_OR_RETURN(CompiledTemplate compiled, CompileStoredTemplate(*source));
    const ExperimentTarget target{.sequence_id = step.first, .sequence_step = step.second + 1};
    auto arms = EmailArmsFor(email, target, *source);
    if (!arms.ok()) {
      // A variant that cannot be sent stops the step's experiment, not the sequence.
      spdlog::error("sequence sq_{} step {}: {}", step.first, step.second + 1,
                    arms.status().message());
      arms = EmailArms{};
    }
    std::vector<LeadRecord> leads;
    for (const Enrolment* e : enrolments) leads.push_back(batch.leads.at(e->lead_id));
    TANDEM_ASSIGN_OR_RETURN(auto composed, ComposeArmed(email, leads, *arms, *source, compiled));
    for (size_t i = 0; i < enrolments.size(); ++i) {
      batch.compositions.emplace(enrolments[i]->id, std::move(composed[i]));
    }
  }
  TANDEM_ASSIGN_OR_RETURN(auto txn, store.BeginSequenceTxn());
  std::vector<int64_t> ids;
  for (const Enrolment& e : due) ids.push_back(e.id);
  TANDEM_ASSIGN_OR_RETURN(auto facts, txn->FindExitFacts(ids, now));
  for (const Enrolment& e : due) {
    const Sequence& s = batch.sequences.at(e.sequence_id);
    if (auto fact = facts.find(e.id); fact != facts.end()) {
      TANDEM_RETURN_IF_ERROR(ApplyFact(*txn, s, e, fact->second, now).status());
      continue;
    }
    if (!batch.leads.contains(e.lead_id)) {
      ExitFact gone{.enrolment_id = e.id, .reason = "lead_gone", .detail = "", .at = now};
      TANDEM_RETURN_IF_ERROR(ApplyFact(*txn, s, e, gone, now).status());
      continue;
    }
    TANDEM_RETURN_IF_ERROR(RunStep(*txn, batch, e, now));
  }
  TANDEM_RETURN_IF_ERROR(txn->Commit());
  for (const std::string& code : batch.refusals) metrics_.email_refused.Increment({code});
  return due.size();
}

Status SequenceRunner::RunStep(SequenceTxn& txn, Batch& batch, const Enrolment& e,
                               TimePoint now) const {
  const Sequence& s = batch.sequences.at(e.sequence_id);
  const LeadRecord& lead = batch.leads.at(e.lead_id);
  const int steps = static_cast<int>(s.steps.size());
  // First, the move past this step: the step is this runner's alone (skipped if not).
  Enrolment next = e;
  next.updated_at = now;
  next.next_step = e.next_step + 1;
  if (next.next_step >= steps) {
    next.state = EnrolmentState::kFinished;
    next.due_at.reset();
    next.ended_at = now;
  } else {
    TANDEM_ASSIGN_OR_RETURN(next.due_at,
                            service_.DueFor(txn, lead, now, s.steps[next.next_step].wait_days));
  }
  if (e.next_step >= steps) {  // the steps were cut below it
    TANDEM_RETURN_IF_ERROR(txn.MoveEnrolment(next, e.state, e.next_step).status());
    return OkStatus();
  }
  TANDEM_ASSIGN_OR_RETURN(bool mine, txn.MoveEnrolment(next, e.state, e.next_step));
  if (!mine) return OkStatus();
  const SequenceStep& step = s.steps[e.next_step];
  StepRun run;
  if (step.kind == StepKind::kEmail) {
    TANDEM_ASSIGN_OR_RETURN(run, RunEmail(txn, batch, s, e, lead, now));
  } else {
    TANDEM_ASSIGN_OR_RETURN(run, RunReminder(txn, batch, s, step, lead, now));
  }
  run.enrolment_id = e.id;
  run.lead_id = e.lead_id;
  run.position = e.next_step;
  run.kind = step.kind;
  run.at = now;
  TANDEM_ASSIGN_OR_RETURN(run.id, txn.AddStepRun(run));
  json data = {{"sequence_id", SequenceRef(s.id)},
               {"sequence", s.name},
               {"enrolment_id", EnrolmentRef(e.id)},
               {"step", e.next_step + 1},
               {"kind", StepKindName(step.kind)},
               {"outcome", run.outcome},
               {"note", run.note}};
  if (!run.reason.empty()) data["reason"] = run.reason;
  if (run.assignee_id) data["assignee_id"] = fmt::format("usr_{}", *run.assignee_id);
  LeadLogEntry entry{.id = 0,
                     .lead_id = lead.id,
                     .at = now,
                     .kind = "sequence_step",
                     .actor = AutomationOf(s).Name(),
                     .data = data.dump()};
  TANDEM_RETURN_IF_ERROR(txn.AppendLog(entry));
  if (run.outcome != "refused" || s.on_refused != OnRefused::kPause) return OkStatus();
  // Paused at the refused step: resuming tries it again.
  Enrolment paused = next;
  paused.state = EnrolmentState::kPaused;
  paused.next_step = e.next_step;
  paused.reason = "refused";
  paused.detail = run.reason;
  paused.ended_at.reset();
  return service_.MoveInTxn(txn, s, next, paused, "sequence_paused", AutomationOf(s)).status();
}

StatusOr<StepRun> SequenceRunner::RunEmail(SequenceTxn& txn, Batch& batch, const Sequence& s,
                                           const Enrolment& e, const LeadRecord& lead,
                                           TimePoint now) const {
  StepRun run;
  auto composed = batch.compositions.find(e.id);
  if (composed == batch.compositions.end()) {
    run.outcome = "refused";
    run.reason = "template_invalid";
    run.note = s.steps[e.next_step].template_key;
    return run;
  }
  const EmailService& email = service_.email();
  if (!CheckSendable(email.config(), email.public_url(), composed->second.source.purpose).ok()) {
    // No sender address, or (marketing) no public URL for the unsubscribe link.
    run.outcome = "refused";
    run.reason = "email_not_configured";
    run.note = composed->second.source.subject;
    return run;
  }
  AdmitAs as{.kind = SendKind::kSequence,
             .actor = AutomationOf(s),
             .user_id = std::nullopt,
             .broadcast_id = std::nullopt};
  if (s.kind == SequenceKind::kOneToOne) {
    // The rep's own outreach: the gate sees the rep, who must own the lead still.
    TANDEM_ASSIGN_OR_RETURN(auto rep, batch.User(service_.email().stores().users, s.owner_id));
    as.actor = Actor{rep, ""};
    as.user_id = s.owner_id;
  }
  const Composition& c = composed->second;
  TANDEM_ASSIGN_OR_RETURN(Admission a, service_.email().AdmitInTxn(txn, lead, c, as, now));
  run.outcome = a.refused.empty() ? "queued" : "refused";
  run.reason = fmt::format("{}", fmt::join(a.refused, ","));
  if (a.send) run.send_id = a.send->id;
  if (a.touch) run.touch_id = a.touch->id;
  run.note = a.send ? a.send->subject : c.source.subject;
  batch.refusals.insert(batch.refusals.end(), a.refused.begin(), a.refused.end());
  return run;
}

StatusOr<StepRun> SequenceRunner::RunReminder(SequenceTxn& txn, Batch& batch, const Sequence& s,
                                              const SequenceStep& step, const LeadRecord& lead,
                                              TimePoint now) const {
  StepRun run;
  run.note = step.note;
  // For the lead's owner; a lead nobody owns: the sequence's rep, else who made it.
  std::optional<int64_t> id = lead.owner_id ? lead.owner_id
                              : s.owner_id  ? s.owner_id
                                            : s.created_by;
  TANDEM_ASSIGN_OR_RETURN(auto assignee, batch.User(service_.email().stores().users, id));
  if (!assignee || !assignee->active) {
    run.outcome = "refused";
    run.reason = "no_assignee";
    return run;
  }
  run.assignee_id = assignee->id;
  if (step.kind == StepKind::kCall) {
    TouchInput call;
    call.channel = Channel::kCall;
    call.purpose = Purpose::kPhone;
    call.note = step.note;
    TANDEM_ASSIGN_OR_RETURN(ContactDecision d, service_.email().engine().CheckContact(
                                                   txn, lead.id, Actor{assignee, ""}, call, now));
    if (!d.allowed) {
      run.outcome = "refused";
      run.reason = fmt::format("{}", fmt::join(GateCodes(d), ","));
      return run;
    }
  }
  run.outcome = "reminded";
  return run;
}

}  // namespace tandem
