// Sequences and their steps, enrolments and step runs.
#include "store/sql/sql_sequences.h"

#include <fmt/format.h>

#include "store/sql/sql_store.h"

namespace tandem {

using sql::Statement;

namespace sql {

const char* const kEnrolmentColumns =
    "id, sequence_id, lead_id, state, next_step, due_at, paused_until, reason, detail, "
    "enrolled_by, enrolled_at, ended_at, updated_at";

StatusOr<Enrolment> ReadEnrolment(const Statement& s) {
  Enrolment e;
  e.id = s.Int(0);
  e.sequence_id = s.Int(1);
  e.lead_id = s.Int(2);
  TANDEM_ASSIGN_OR_RETURN(e.state,
                          ReadEnum(s, 3, "sequence_enrolments.state", &ParseEnrolmentState));
  e.next_step = static_cast<int>(s.Int(4));
  e.due_at = OptionalTime(s, 5);
  e.paused_until = OptionalTime(s, 6);
  e.reason = s.Text(7);
  e.detail = s.Text(8);
  e.enrolled_by = s.NullableInt(9);
  e.enrolled_at = FromUnixMillis(s.Int(10));
  e.ended_at = OptionalTime(s, 11);
  e.updated_at = FromUnixMillis(s.Int(12));
  return e;
}

}  // namespace sql

namespace {

constexpr const char* kSequenceColumns =
    "id, name, kind, owner_id, filter_id, on_refused, state, enrolled_through, created_by, "
    "created_at, updated_at";

StatusOr<Sequence> ReadSequence(const Statement& s) {
  Sequence q;
  q.id = s.Int(0);
  q.name = s.Text(1);
  TANDEM_ASSIGN_OR_RETURN(q.kind, sql::ReadEnum(s, 2, "sequences.kind", &ParseSequenceKind));
  q.owner_id = s.NullableInt(3);
  q.filter_id = s.NullableInt(4);
  TANDEM_ASSIGN_OR_RETURN(q.on_refused,
                          sql::ReadEnum(s, 5, "sequences.on_refused", &ParseOnRefused));
  TANDEM_ASSIGN_OR_RETURN(q.state, sql::ReadEnum(s, 6, "sequences.state", &ParseSequenceState));
  q.enrolled_through = sql::OptionalTime(s, 7);
  q.created_by = s.NullableInt(8);
  q.created_at = FromUnixMillis(s.Int(9));
  q.updated_at = FromUnixMillis(s.Int(10));
  return q;
}

StatusOr<SequenceStep> ReadStep(const Statement& s) {
  SequenceStep step;
  TANDEM_ASSIGN_OR_RETURN(step.kind, sql::ReadEnum(s, 0, "sequence_steps.kind", &ParseStepKind));
  step.wait_days = static_cast<int>(s.Int(1));
  step.template_key = s.Text(2);
  step.note = s.Text(3);
  return step;
}

Status ReadSteps(sql::Db& db, Sequence& q) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("SELECT kind, wait_days, template_key, note FROM sequence_steps WHERE "
                 "sequence_id = ? ORDER BY position"));
  stmt->Bind(1, q.id);
  TANDEM_ASSIGN_OR_RETURN(q.steps, sql::Collect<SequenceStep>(stmt, ReadStep));
  return OkStatus();
}

constexpr const char* kStepRunColumns =
    "r.id, r.enrolment_id, r.lead_id, r.position, r.kind, r.outcome, r.send_id, r.touch_id, "
    "r.assignee_id, r.reason, r.note, r.at, r.done_at, "
    "COALESCE((SELECT m.uid FROM email_sends m WHERE m.id = r.send_id), '')";

StatusOr<StepRun> ReadStepRun(const Statement& s) {
  StepRun r;
  r.id = s.Int(0);
  r.enrolment_id = s.Int(1);
  r.lead_id = s.Int(2);
  r.position = static_cast<int>(s.Int(3));
  TANDEM_ASSIGN_OR_RETURN(r.kind, sql::ReadEnum(s, 4, "sequence_step_runs.kind", &ParseStepKind));
  r.outcome = s.Text(5);
  r.send_id = s.NullableInt(6);
  r.touch_id = s.NullableInt(7);
  r.assignee_id = s.NullableInt(8);
  r.reason = s.Text(9);
  r.note = s.Text(10);
  r.at = FromUnixMillis(s.Int(11));
  r.done_at = sql::OptionalTime(s, 12);
  r.send_uid = s.Text(13);
  return r;
}

Status WriteSequence(sql::Db& db, Sequence& q) {
  TANDEM_ASSIGN_OR_RETURN(Statement * taken,
                          db.Prepare("SELECT id FROM sequences WHERE name = ? AND id <> ?"));
  taken->Bind(1, q.name).Bind(2, q.id);
  TANDEM_ASSIGN_OR_RETURN(auto other,
                          sql::First<int64_t>(taken, [](const Statement& s) { return s.Int(0); }));
  if (other) {
    return Conflict("name_taken", fmt::format("a sequence named \"{}\" already exists", q.name));
  }
  auto bind = [&](Statement& s) {
    s.Bind(1, q.name)
        .Bind(2, SequenceKindName(q.kind))
        .BindNullable(3, q.owner_id)
        .BindNullable(4, q.filter_id)
        .Bind(5, OnRefusedName(q.on_refused))
        .Bind(6, SequenceStateName(q.state))
        .BindNullable(7, sql::OptionalMillis(q.enrolled_through))
        .BindNullable(8, q.created_by)
        .Bind(9, ToUnixMillis(q.created_at))
        .Bind(10, ToUnixMillis(q.updated_at));
  };
  if (q.id == 0) {
    TANDEM_ASSIGN_OR_RETURN(
        Statement * insert,
        db.Prepare("INSERT INTO sequences (name, kind, owner_id, filter_id, on_refused, state, "
                   "enrolled_through, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, "
                   "?, ?, ?, ?, ?) RETURNING id"));
    bind(*insert);
    TANDEM_ASSIGN_OR_RETURN(q.id, sql::InsertedId(*insert));
  } else {
    TANDEM_ASSIGN_OR_RETURN(
        Statement * update,
        db.Prepare("UPDATE sequences SET name = ?, kind = ?, owner_id = ?, filter_id = ?, "
                   "on_refused = ?, state = ?, enrolled_through = ?, created_by = ?, created_at "
                   "= ?, updated_at = ? WHERE id = ?"));
    bind(*update);
    update->Bind(11, q.id);
    TANDEM_RETURN_IF_ERROR(update->Run());
    if (db.Changes() == 0) {
      return NotFound("not_found", fmt::format("sequence sq_{} does not exist", q.id));
    }
    TANDEM_ASSIGN_OR_RETURN(Statement * clear,
                            db.Prepare("DELETE FROM sequence_steps WHERE sequence_id = ?"));
    clear->Bind(1, q.id);
    TANDEM_RETURN_IF_ERROR(clear->Run());
  }
  for (size_t i = 0; i < q.steps.size(); ++i) {
    TANDEM_ASSIGN_OR_RETURN(
        Statement * step,
        db.Prepare("INSERT INTO sequence_steps (sequence_id, position, kind, wait_days, "
                   "template_key, note) VALUES (?, ?, ?, ?, ?, ?)"));
    const SequenceStep& s = q.steps[i];
    step->Bind(1, q.id)
        .Bind(2, static_cast<int64_t>(i))
        .Bind(3, StepKindName(s.kind))
        .Bind(4, int64_t{s.wait_days})
        .Bind(5, s.template_key)
        .Bind(6, s.note);
    TANDEM_RETURN_IF_ERROR(step->Run());
  }
  return OkStatus();
}

}  // namespace

StatusOr<Sequence> SqlStore::PutSequence(const Sequence& sequence) {
  Sequence saved = sequence;
  TANDEM_RETURN_IF_ERROR(Write([&](sql::Db& db) { return WriteSequence(db, saved); }));
  return saved;
}

StatusOr<std::optional<Sequence>> SqlStore::GetSequence(int64_t id) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare(fmt::format("SELECT {} FROM sequences WHERE id = ?", kSequenceColumns)));
  stmt->Bind(1, id);
  TANDEM_ASSIGN_OR_RETURN(auto rows, sql::Collect<Sequence>(stmt, ReadSequence));
  if (rows.empty()) return std::optional<Sequence>();
  TANDEM_RETURN_IF_ERROR(ReadSteps(lease->db(), rows.front()));
  return std::optional<Sequence>(std::move(rows.front()));
}

StatusOr<std::vector<Sequence>> SqlStore::ListSequences() {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare(fmt::format("SELECT {} FROM sequences ORDER BY name", kSequenceColumns)));
  TANDEM_ASSIGN_OR_RETURN(auto rows, sql::Collect<Sequence>(stmt, ReadSequence));
  for (Sequence& q : rows) TANDEM_RETURN_IF_ERROR(ReadSteps(lease->db(), q));
  return rows;
}

Status SqlStore::SetEnrolledThrough(int64_t sequence_id, TimePoint through) {
  return Write([&](sql::Db& db) -> Status {
    TANDEM_ASSIGN_OR_RETURN(Statement * stmt,
                            db.Prepare("UPDATE sequences SET enrolled_through = ? WHERE id = ?"));
    stmt->Bind(1, ToUnixMillis(through)).Bind(2, sequence_id);
    return stmt->Run();
  });
}

StatusOr<std::optional<Enrolment>> SqlStore::GetEnrolment(int64_t id) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt, lease->db().Prepare(fmt::format(
                                                "SELECT {} FROM sequence_enrolments WHERE id = ?",
                                                sql::kEnrolmentColumns)));
  stmt->Bind(1, id);
  TANDEM_ASSIGN_OR_RETURN(auto rows, sql::Collect<Enrolment>(stmt, sql::ReadEnrolment));
  if (rows.empty()) return std::optional<Enrolment>();
  return std::optional<Enrolment>(std::move(rows.front()));
}

StatusOr<std::vector<Enrolment>> SqlStore::ListEnrolments(const EnrolmentQuery& q) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  std::vector<std::string> where;
  std::vector<std::variant<int64_t, std::string>> binds;
  if (q.sequence_id) where.push_back("sequence_id = ?"), binds.emplace_back(*q.sequence_id);
  if (q.lead_id) where.push_back("lead_id = ?"), binds.emplace_back(*q.lead_id);
  if (q.state) {
    where.push_back("state = ?"), binds.emplace_back(std::string(EnrolmentStateName(*q.state)));
  }
  if (q.before_id > 0) where.push_back("id < ?"), binds.emplace_back(q.before_id);
  std::string sql = fmt::format("SELECT {} FROM sequence_enrolments", sql::kEnrolmentColumns);
  if (!where.empty()) sql += fmt::format(" WHERE {}", fmt::join(where, " AND "));
  sql += " ORDER BY id DESC LIMIT ?";
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt, lease->db().Prepare(sql));
  int i = 1;
  for (const auto& b : binds) {
    std::visit([&](const auto& v) { stmt->Bind(i++, v); }, b);
  }
  stmt->Bind(i, static_cast<int64_t>(q.limit));
  return sql::Collect<Enrolment>(stmt, sql::ReadEnrolment);
}

StatusOr<std::map<std::string, int64_t>> SqlStore::CountEnrolments(int64_t sequence_id) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare("SELECT state, COUNT(*) FROM sequence_enrolments WHERE sequence_id = ? "
                          "GROUP BY state"));
  stmt->Bind(1, sequence_id);
  TANDEM_ASSIGN_OR_RETURN(
      auto rows, (sql::Collect<std::pair<std::string, int64_t>>(stmt, [](const Statement& s) {
        return std::make_pair(s.Text(0), s.Int(1));
      })));
  return std::map<std::string, int64_t>(rows.begin(), rows.end());
}

StatusOr<std::vector<Enrolment>> SqlStore::DueEnrolments(TimePoint now, size_t limit) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare(fmt::format(
          "SELECT {} FROM sequence_enrolments e WHERE e.state = 'active' AND e.due_at <= ? AND "
          "EXISTS (SELECT 1 FROM sequences q WHERE q.id = e.sequence_id AND q.state <> 'paused') "
          "ORDER BY e.due_at, e.id LIMIT ?",
          sql::kEnrolmentColumns)));
  stmt->Bind(1, ToUnixMillis(now)).Bind(2, static_cast<int64_t>(limit));
  return sql::Collect<Enrolment>(stmt, sql::ReadEnrolment);
}

StatusOr<std::vector<int64_t>> SqlStore::OpenEnrolmentIds(int64_t after_id, size_t limit) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare("SELECT id FROM sequence_enrolments WHERE state IN ('active', 'paused') "
                          "AND id > ? ORDER BY id LIMIT ?"));
  stmt->Bind(1, after_id).Bind(2, static_cast<int64_t>(limit));
  return sql::Collect<int64_t>(stmt, [](const Statement& s) { return s.Int(0); });
}

StatusOr<std::vector<Enrolment>> SqlStore::PausesOver(TimePoint now, size_t limit) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt,
                          lease->db().Prepare(fmt::format(
                              "SELECT {} FROM sequence_enrolments WHERE state = 'paused' AND "
                              "paused_until <= ? ORDER BY paused_until, id LIMIT ?",
                              sql::kEnrolmentColumns)));
  stmt->Bind(1, ToUnixMillis(now)).Bind(2, static_cast<int64_t>(limit));
  return sql::Collect<Enrolment>(stmt, sql::ReadEnrolment);
}

StatusOr<std::map<int64_t, EnrolmentHistory>> SqlStore::EnrolmentHistories(
    int64_t sequence_id, std::span<const int64_t> lead_ids) {
  std::map<int64_t, EnrolmentHistory> out;
  if (lead_ids.empty()) return out;
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  const std::string places = sql::IdPlaces(lead_ids.size());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare(fmt::format(
          "SELECT l.id, (SELECT COUNT(*) FROM sequence_enrolments e WHERE e.sequence_id = ? AND "
          "e.lead_id = l.id AND e.state IN ('active', 'paused')), (SELECT MAX(e.ended_at) FROM "
          "sequence_enrolments e WHERE e.sequence_id = ? AND e.lead_id = l.id), (SELECT "
          "MAX(st.at) FROM stage_transitions st WHERE st.lead_id = l.id) FROM leads l WHERE "
          "l.id IN ({})",
          places)));
  stmt->Bind(1, sequence_id).Bind(2, sequence_id);
  sql::BindIds(*stmt, 3, lead_ids);
  TANDEM_ASSIGN_OR_RETURN(
      auto rows, (sql::Collect<std::pair<int64_t, EnrolmentHistory>>(stmt, [](const Statement& s) {
        EnrolmentHistory h;
        h.open = s.Int(1) > 0;
        h.last_ended = sql::OptionalTime(s, 2);
        h.stage_entered = sql::OptionalTime(s, 3);
        return std::make_pair(s.Int(0), h);
      })));
  return std::map<int64_t, EnrolmentHistory>(rows.begin(), rows.end());
}

StatusOr<std::vector<StepRun>> SqlStore::ListStepRuns(int64_t enrolment_id) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt,
                          lease->db().Prepare(fmt::format(
                              "SELECT {} FROM sequence_step_runs r WHERE r.enrolment_id = ? "
                              "ORDER BY r.id",
                              kStepRunColumns)));
  stmt->Bind(1, enrolment_id);
  return sql::Collect<StepRun>(stmt, ReadStepRun);
}

StatusOr<std::vector<StepTask>> SqlStore::ListTasks(std::optional<int64_t> assignee_id,
                                                    bool open_only, size_t limit) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  std::string sql = fmt::format(
      "SELECT {}, q.name FROM sequence_step_runs r JOIN sequence_enrolments e ON e.id = "
      "r.enrolment_id JOIN sequences q ON q.id = e.sequence_id WHERE r.assignee_id IS NOT NULL "
      "AND r.outcome = 'reminded'",
      kStepRunColumns);
  if (assignee_id) sql += " AND r.assignee_id = ?";
  if (open_only) sql += " AND r.done_at IS NULL";
  sql += " ORDER BY r.id DESC LIMIT ?";
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt, lease->db().Prepare(sql));
  int i = 1;
  if (assignee_id) stmt->Bind(i++, *assignee_id);
  stmt->Bind(i, static_cast<int64_t>(limit));
  return sql::Collect<StepTask>(stmt, [](const Statement& s) -> StatusOr<StepTask> {
    TANDEM_ASSIGN_OR_RETURN(StepRun run, ReadStepRun(s));
    return StepTask{std::move(run), s.Text(14)};
  });
}

StatusOr<std::optional<StepRun>> SqlStore::GetStepRun(int64_t id) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare(
          fmt::format("SELECT {} FROM sequence_step_runs r WHERE r.id = ?", kStepRunColumns)));
  stmt->Bind(1, id);
  TANDEM_ASSIGN_OR_RETURN(auto rows, sql::Collect<StepRun>(stmt, ReadStepRun));
  if (rows.empty()) return std::optional<StepRun>();
  return std::optional<StepRun>(std::move(rows.front()));
}

StatusOr<bool> SqlStore::MarkStepDone(int64_t id, TimePoint at) {
  bool done = false;
  const Status written = Write([&](sql::Db& db) -> Status {
    TANDEM_ASSIGN_OR_RETURN(
        Statement * stmt,
        db.Prepare("UPDATE sequence_step_runs SET done_at = ? WHERE id = ? AND done_at IS NULL"));
    stmt->Bind(1, ToUnixMillis(at)).Bind(2, id);
    TANDEM_RETURN_IF_ERROR(stmt->Run());
    done = db.Changes() > 0;
    return OkStatus();
  });
  TANDEM_RETURN_IF_ERROR(written);
  return done;
}

}  // namespace tandem
