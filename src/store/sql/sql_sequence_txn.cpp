// What a sequence transaction writes, and the facts that end an enrolment.
#include <fmt/format.h>

#include "store/sql/sql_email_txn.h"
#include "store/sql/sql_sequences.h"

namespace tandem {
namespace sql {

StatusOr<std::optional<int64_t>> AddEnrolment(Db& db, const Enrolment& e) {
  // A lead already in the sequence meets the partial unique index: no row, no error.
  TANDEM_ASSIGN_OR_RETURN(
      Statement * insert,
      db.Prepare("INSERT INTO sequence_enrolments (sequence_id, lead_id, state, next_step, "
                 "due_at, paused_until, reason, detail, enrolled_by, enrolled_at, ended_at, "
                 "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING "
                 "RETURNING id"));
  insert->Bind(1, e.sequence_id)
      .Bind(2, e.lead_id)
      .Bind(3, EnrolmentStateName(e.state))
      .Bind(4, int64_t{e.next_step})
      .BindNullable(5, OptionalMillis(e.due_at))
      .BindNullable(6, OptionalMillis(e.paused_until))
      .Bind(7, e.reason)
      .Bind(8, e.detail)
      .BindNullable(9, e.enrolled_by)
      .Bind(10, ToUnixMillis(e.enrolled_at))
      .BindNullable(11, OptionalMillis(e.ended_at))
      .Bind(12, ToUnixMillis(e.updated_at));
  return First<int64_t>(insert, [](const Statement& s) { return s.Int(0); });
}

StatusOr<bool> MoveEnrolment(Db& db, const Enrolment& e, EnrolmentState expected_state,
                             int expected_step) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * update,
      db.Prepare("UPDATE sequence_enrolments SET state = ?, next_step = ?, due_at = ?, "
                 "paused_until = ?, reason = ?, detail = ?, ended_at = ?, updated_at = ? "
                 "WHERE id = ? AND state = ? AND next_step = ?"));
  update->Bind(1, EnrolmentStateName(e.state))
      .Bind(2, int64_t{e.next_step})
      .BindNullable(3, OptionalMillis(e.due_at))
      .BindNullable(4, OptionalMillis(e.paused_until))
      .Bind(5, e.reason)
      .Bind(6, e.detail)
      .BindNullable(7, OptionalMillis(e.ended_at))
      .Bind(8, ToUnixMillis(e.updated_at))
      .Bind(9, e.id)
      .Bind(10, EnrolmentStateName(expected_state))
      .Bind(11, int64_t{expected_step});
  TANDEM_RETURN_IF_ERROR(update->Run());
  return db.Changes() > 0;
}

StatusOr<int64_t> AddStepRun(Db& db, const StepRun& r) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * insert,
      db.Prepare("INSERT INTO sequence_step_runs (enrolment_id, lead_id, position, kind, outcome, "
                 "send_id, touch_id, assignee_id, reason, note, at, done_at) VALUES (?, ?, ?, ?, "
                 "?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"));
  insert->Bind(1, r.enrolment_id)
      .Bind(2, r.lead_id)
      .Bind(3, int64_t{r.position})
      .Bind(4, StepKindName(r.kind))
      .Bind(5, r.outcome)
      .BindNullable(6, r.send_id)
      .BindNullable(7, r.touch_id)
      .BindNullable(8, r.assignee_id)
      .Bind(9, r.reason)
      .Bind(10, r.note)
      .Bind(11, ToUnixMillis(r.at))
      .BindNullable(12, OptionalMillis(r.done_at));
  return InsertedId(*insert);
}

namespace {

// Each branch: (enrolment, reason, at, detail) for the enrolments in `{ids}`. The lead's
// own doing since the enrolment began, then the out-of-office window open now.
constexpr const char* kExitFactsSql = R"(
SELECT e.id, 'replied', m.received_at, m.uid FROM sequence_enrolments e
  JOIN inbound_messages m ON m.lead_id = e.lead_id AND m.kind = 'reply'
   AND m.status = 'applied' AND m.received_at > e.enrolled_at
  WHERE e.id IN ({ids})
UNION ALL
SELECT e.id, CASE WHEN t.channel = 'meeting' THEN 'meeting' ELSE 'sales_touch' END, t.at,
       t.channel || ':' || CAST(t.id AS TEXT) FROM sequence_enrolments e
  JOIN touches t ON t.lead_id = e.lead_id AND t.at > e.enrolled_at
   AND (t.channel = 'meeting' OR (t.user_id IS NOT NULL AND t.purpose <> 'email_marketing'))
   AND NOT EXISTS (SELECT 1 FROM sequence_step_runs r WHERE r.touch_id = t.id)
  WHERE e.id IN ({ids})
UNION ALL
SELECT e.id, 'stage_changed', st.at, st.to_stage FROM sequence_enrolments e
  JOIN stage_transitions st ON st.lead_id = e.lead_id AND st.at > e.enrolled_at
  WHERE e.id IN ({ids})
UNION ALL
SELECT e.id, 'unsubscribed', p.unsubscribed_at, '' FROM sequence_enrolments e
  JOIN contact_prefs p ON p.lead_id = e.lead_id AND p.unsubscribed_at IS NOT NULL
  WHERE e.id IN ({ids})
UNION ALL
SELECT e.id, 'bounced', s.updated_at, s.uid FROM sequence_enrolments e
  JOIN email_sends s ON s.lead_id = e.lead_id AND s.status = 'bounced'
   AND s.updated_at > e.enrolled_at
  WHERE e.id IN ({ids})
UNION ALL
SELECT e.id, 'out_of_office', p.ooo_until, '' FROM sequence_enrolments e
  JOIN contact_prefs p ON p.lead_id = e.lead_id AND p.ooo_until > ?
   AND (p.ooo_from IS NULL OR p.ooo_from <= ?)
  WHERE e.id IN ({ids}))";

}  // namespace

StatusOr<std::map<int64_t, ExitFact>> FindExitFacts(Db& db, std::span<const int64_t> ids,
                                                    TimePoint now) {
  std::map<int64_t, ExitFact> out;
  if (ids.empty()) return out;
  const std::string places = IdPlaces(ids.size());
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt,
                          db.Prepare(fmt::format(kExitFactsSql, fmt::arg("ids", places))));
  int next = 1;
  for (int branch = 0; branch < 5; ++branch) next = BindIds(*stmt, next, ids);
  stmt->Bind(next, ToUnixMillis(now)).Bind(next + 1, ToUnixMillis(now));
  next = BindIds(*stmt, next + 2, ids);
  TANDEM_ASSIGN_OR_RETURN(auto facts, Collect<ExitFact>(stmt, [](const Statement& s) {
                            return ExitFact{.enrolment_id = s.Int(0),
                                            .reason = s.Text(1),
                                            .detail = s.Text(3),
                                            .at = FromUnixMillis(s.Int(2))};
                          }));
  // The earliest of what the lead did ends it; out of office only pauses, so it counts
  // only where nothing ended it.
  for (ExitFact& f : facts) {
    auto [it, inserted] = out.try_emplace(f.enrolment_id, f);
    if (inserted) continue;
    ExitFact& kept = it->second;
    const bool f_ends = f.reason != "out_of_office";
    const bool kept_ends = kept.reason != "out_of_office";
    if ((f_ends && !kept_ends) || (f_ends == kept_ends && f.at < kept.at)) kept = std::move(f);
  }
  return out;
}

}  // namespace sql

namespace {

// A lead transaction that can queue email and move enrolments.
class SqlSequenceTxn final : public sql::SqlEmailOps<SequenceTxn> {
 public:
  using SqlEmailOps::SqlEmailOps;

  StatusOr<std::optional<int64_t>> AddEnrolment(const Enrolment& enrolment) override {
    return sql::AddEnrolment(db(), enrolment);
  }
  StatusOr<bool> MoveEnrolment(const Enrolment& enrolment, EnrolmentState expected_state,
                               int expected_step) override {
    return sql::MoveEnrolment(db(), enrolment, expected_state, expected_step);
  }
  StatusOr<int64_t> AddStepRun(const StepRun& run) override { return sql::AddStepRun(db(), run); }
  StatusOr<std::map<int64_t, ExitFact>> FindExitFacts(std::span<const int64_t> ids,
                                                      TimePoint now) override {
    return sql::FindExitFacts(db(), ids, now);
  }
};

}  // namespace

StatusOr<std::unique_ptr<SequenceTxn>> SqlStore::BeginSequenceTxn() {
  TANDEM_ASSIGN_OR_RETURN(auto scope, BeginWrite(sql::WriteKind::kDefault));
  return std::unique_ptr<SequenceTxn>(std::make_unique<SqlSequenceTxn>(std::move(scope)));
}

}  // namespace tandem
