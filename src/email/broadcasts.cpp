#include "email/broadcasts.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/bulk_reads.h"
#include "core/random.h"
#include "core/text.h"
#include "email/broadcast_steps.h"
#include "leads/lead_filter.h"
#include "metrics/metrics.h"

namespace tandem {
namespace broadcast_steps {

StatusOr<std::vector<LeadRecord>> NextRecipients(const EmailService& service, const Broadcast& b,
                                                 int64_t after_id, size_t limit, TimePoint now) {
  TANDEM_ASSIGN_OR_RETURN(LeadQuery query,
                          ParseSavedLeadFilter(b.filter_query, b.created_by.value_or(0)));
  query.sort = LeadQuery::Sort::kId;
  query.after = LeadQuery::After{.is_null = false, .key = 0, .id = after_id};
  query.limit = limit;
  query.score_at = now;
  query.half_life_days = service.engine().scoring()->half_life_days;
  return service.stores().listing.ListLeads(query);
}

StatusOr<BroadcastTemplate> TemplateOf(const EmailService& service, const Broadcast& b) {
  ComposeRequest request;
  request.template_key = b.template_key;
  request.version = b.template_version;
  TANDEM_ASSIGN_OR_RETURN(StoredTemplate source, service.Resolve(request));
  TANDEM_ASSIGN_OR_RETURN(CompiledTemplate compiled, CompileStoredTemplate(source));
  return BroadcastTemplate{std::move(source), std::move(compiled)};
}

}  // namespace broadcast_steps

using namespace broadcast_steps;

StatusOr<Broadcast> GetBroadcastOr404(EmailStore& store, int64_t id) {
  TANDEM_ASSIGN_OR_RETURN(auto found, store.GetBroadcast(id));
  if (!found) return NotFound("not_found", fmt::format("broadcast bc_{} does not exist", id));
  return std::move(*found);
}

StatusOr<Broadcast> DraftBroadcast(const EmailService& service, Broadcast draft, TimePoint now) {
  if (TrimSpace(draft.name).empty() || draft.name.size() > 200) {
    return Unprocessable("invalid_field", "name must be 1 to 200 characters");
  }
  ComposeRequest request;
  request.template_key = draft.template_key;
  if (draft.template_version > 0) request.version = draft.template_version;
  auto source = service.Resolve(request);
  if (!source.ok()) return Unprocessable("invalid_field", source.status().message());
  if (source->purpose != Purpose::kEmailMarketing) {
    return Unprocessable("invalid_field",
                         fmt::format("template \"{}\" is for {}; a broadcast sends a "
                                     "email_marketing template",
                                     source->key, PurposeName(source->purpose)));
  }
  TANDEM_RETURN_IF_ERROR(CheckStoredTemplate(*source));
  draft.template_version = source->version;
  TANDEM_ASSIGN_OR_RETURN(auto filter, service.stores().email.GetFilter(draft.filter_id));
  if (!filter) {
    return Unprocessable("invalid_field",
                         fmt::format("lead filter flt_{} does not exist", draft.filter_id));
  }
  TANDEM_RETURN_IF_ERROR(ParseSavedLeadFilter(filter->query, 0).status());
  draft.filter_query = filter->query;
  draft.state = BroadcastState::kDraft;
  draft.next_lead_id = 0;
  draft.created_at = now;
  draft.updated_at = now;
  return service.stores().email.CreateBroadcast(draft);
}

namespace {

// Moves broadcast `id` to a state from one of `from`, changed by `change`.
StatusOr<Broadcast> Transition(EmailStore& store, int64_t id, std::vector<BroadcastState> from,
                               std::string_view action,
                               const std::function<void(Broadcast&)>& change, TimePoint now) {
  TANDEM_ASSIGN_OR_RETURN(Broadcast b, GetBroadcastOr404(store, id));
  if (std::find(from.begin(), from.end(), b.state) == from.end()) {
    return Conflict("invalid_state", fmt::format("broadcast bc_{} is {}; it cannot {}", id,
                                                 BroadcastStateName(b.state), action));
  }
  const BroadcastState was = b.state;
  change(b);
  b.updated_at = now;
  TANDEM_ASSIGN_OR_RETURN(bool updated, store.UpdateBroadcast(b, {was}));
  if (!updated) {
    return Conflict("invalid_state",
                    fmt::format("broadcast bc_{} changed meanwhile; read it and try again", id));
  }
  return b;
}

}  // namespace

StatusOr<Broadcast> ScheduleBroadcast(EmailStore& store, int64_t id, TimePoint at, TimePoint now) {
  return Transition(
      store, id, {BroadcastState::kDraft, BroadcastState::kPaused}, "be scheduled",
      [&](Broadcast& b) {
        b.scheduled_at = at;
        b.state = at <= now ? BroadcastState::kSending : BroadcastState::kScheduled;
        if (b.state == BroadcastState::kSending && !b.started_at) b.started_at = now;
      },
      now);
}

StatusOr<Broadcast> PauseBroadcast(EmailStore& store, int64_t id, TimePoint now) {
  return Transition(
      store, id, {BroadcastState::kScheduled, BroadcastState::kSending}, "be paused",
      [](Broadcast& b) { b.state = BroadcastState::kPaused; }, now);
}

StatusOr<Broadcast> ResumeBroadcast(EmailStore& store, int64_t id, TimePoint now) {
  return Transition(
      store, id, {BroadcastState::kPaused}, "be resumed",
      [&](Broadcast& b) {
        // Paused before its time: it waits for that time again.
        const bool early = b.scheduled_at && *b.scheduled_at > now && !b.started_at;
        b.state = early ? BroadcastState::kScheduled : BroadcastState::kSending;
        if (!early && !b.started_at) b.started_at = now;
      },
      now);
}

StatusOr<Broadcast> CancelBroadcast(EmailStore& store, int64_t id, TimePoint now) {
  TANDEM_ASSIGN_OR_RETURN(Broadcast b, Transition(
                                           store, id,
                                           {BroadcastState::kDraft, BroadcastState::kScheduled,
                                            BroadcastState::kSending, BroadcastState::kPaused},
                                           "be cancelled",
                                           [&](Broadcast& c) {
                                             c.state = BroadcastState::kCancelled;
                                             c.finished_at = now;
                                           },
                                           now));
  TANDEM_RETURN_IF_ERROR(store.CancelBroadcastSends(id, now).status());
  return b;
}

StatusOr<AudienceCount> CountAudience(const EmailService& service, const Broadcast& broadcast,
                                      TimePoint now) {
  TANDEM_ASSIGN_OR_RETURN(BroadcastTemplate tmpl, TemplateOf(service, broadcast));
  const BulkReads bulk;  // every recipient is read once: keep none of it mapped
  AudienceCount count;
  for (int64_t after = 0;;) {
    TANDEM_ASSIGN_OR_RETURN(
        auto leads, NextRecipients(service, broadcast, after, BroadcastRunner::kBatch, now));
    if (leads.empty()) break;
    after = leads.back().id;
    TANDEM_ASSIGN_OR_RETURN(std::vector<Composition> composed,
                            service.ComposeEach(leads, tmpl.source, tmpl.compiled));
    TANDEM_ASSIGN_OR_RETURN(auto txn, service.stores().email.BeginEmailTxn());
    for (size_t i = 0; i < leads.size(); ++i) {
      const LeadRecord& lead = leads[i];
      const Composition& c = composed[i];
      ++count.leads;
      std::vector<std::string> codes = c.BlockingCodes();
      TANDEM_ASSIGN_OR_RETURN(auto compliance,
                              service.Compliance(*txn, lead, Purpose::kEmailMarketing));
      for (const ContactReason& r : compliance) codes.push_back(r.code);
      if (codes.empty()) {
        TANDEM_ASSIGN_OR_RETURN(ContactDecision d, service.engine().CheckContact(
                                                       *txn, lead.id, Actor{}, EmailTouch(c), now));
        if (!d.allowed) codes = GateCodes(d);
      }
      if (codes.empty()) {
        ++count.included;
        continue;
      }
      ++count.excluded;
      for (const std::string& code : codes) ++count.excluded_by_reason[code];
    }
  }  // each transaction rolls back: nothing is recorded
  return count;
}

}  // namespace tandem
