// The counts kept per experiment, day and arm as persons are assigned, exposed and reach
// their outcomes, and what a merge of two persons makes of them.
#include "store/sql/sql_experiments.h"

#include <fmt/format.h>

#include <algorithm>

#include "store/sql/sql_analytics.h"
#include "store/sql/sql_store.h"

namespace tandem {

using sql::Statement;

namespace sql {
namespace {

int64_t DayOf(TimePoint t) { return UtcDayOf(ToUnixMillis(t)); }

struct DayDelta {
  int64_t assigned = 0;
  int64_t exposed = 0;
  int64_t conflicted = 0;
  int64_t primary_sum = 0;
  double primary_squares = 0;
  int64_t side[std::size(kSideMetrics)] = {};
};

// A day's sums of an experiment's arm grow by a delta (a row each); on PostgreSQL a
// batch's rows wait for its commit, summed per key and written in key order, so batches
// that run beside each other do not wait on each other's rows before then.
// What a row's sums grow by, in both of kAddToDay's statements.
#define TANDEM_ADD_DAY_SUMS                                                        \
  "assigned = experiment_days.assigned + excluded.assigned, "                      \
  "exposed = experiment_days.exposed + excluded.exposed, "                         \
  "conflicted = experiment_days.conflicted + excluded.conflicted, "                \
  "primary_sum = experiment_days.primary_sum + excluded.primary_sum, "             \
  "primary_squares = experiment_days.primary_squares + excluded.primary_squares, " \
  "clicks = experiment_days.clicks + excluded.clicks, "                            \
  "replies = experiment_days.replies + excluded.replies, "                         \
  "unsubscribes = experiment_days.unsubscribes + excluded.unsubscribes, "          \
  "bounces = experiment_days.bounces + excluded.bounces, "                         \
  "complaints = experiment_days.complaints + excluded.complaints"

constexpr BatchedWrite kAddToDay = {
    "INSERT INTO experiment_days (experiment_id, day, arm, assigned, exposed, conflicted, "
    "primary_sum, primary_squares, clicks, replies, unsubscribes, bounces, complaints) VALUES "
    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (experiment_id, day, arm) DO UPDATE "
    "SET " TANDEM_ADD_DAY_SUMS,
    "INSERT INTO experiment_days (experiment_id, day, arm, assigned, exposed, conflicted, "
    "primary_sum, primary_squares, clicks, replies, unsubscribes, bounces, complaints) SELECT e, "
    "d, a, SUM(x1), SUM(x2), SUM(x3), SUM(x4), SUM(x5), SUM(x6), SUM(x7), SUM(x8), SUM(x9), "
    "SUM(x10) FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], "
    "$6::bigint[], $7::bigint[], $8::float8[], $9::bigint[], $10::bigint[], $11::bigint[], "
    "$12::bigint[], $13::bigint[]) AS x(e, d, a, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10) GROUP "
    "BY e, d, a ORDER BY e, d, a ON CONFLICT (experiment_id, day, arm) DO UPDATE "
    "SET " TANDEM_ADD_DAY_SUMS,
    20};
#undef TANDEM_ADD_DAY_SUMS

Status AddToDay(Db& db, int64_t experiment_id, int64_t day, int64_t arm, const DayDelta& d) {
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt, db.PrepareBatched(kAddToDay));
  stmt->Bind(1, experiment_id)
      .Bind(2, day)
      .Bind(3, arm)
      .Bind(4, d.assigned)
      .Bind(5, d.exposed)
      .Bind(6, d.conflicted)
      .Bind(7, d.primary_sum)
      .Bind(8, d.primary_squares);
  for (size_t i = 0; i < std::size(d.side); ++i) stmt->Bind(9 + static_cast<int>(i), d.side[i]);
  return stmt->Run();
}

// Whether the experiment runs (assigns persons it has not met).
StatusOr<bool> Running(Db& db, int64_t experiment_id) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt, db.Prepare("SELECT 1 FROM experiments WHERE id = ? AND state = 'running'"));
  stmt->Bind(1, experiment_id);
  TANDEM_ASSIGN_OR_RETURN(auto found,
                          First<int64_t>(stmt, [](const Statement& s) { return s.Int(0); }));
  return found.has_value();
}

struct PersonRow {
  int64_t arm = 0;
  int64_t assigned_at = 0;
  std::optional<int64_t> exposed_at;
  std::optional<int64_t> conflicted_at;
};

StatusOr<std::optional<PersonRow>> FindPerson(Db& db, int64_t experiment_id, int64_t person_id) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("SELECT arm, assigned_at, exposed_at, conflicted_at FROM experiment_persons "
                 "WHERE experiment_id = ? AND person_id = ?"));
  stmt->Bind(1, experiment_id).Bind(2, person_id);
  return First<PersonRow>(stmt, [](const Statement& s) {
    return PersonRow{s.Int(0), s.Int(1), s.NullableInt(2), s.NullableInt(3)};
  });
}

// One thing a person counted for on one day: the primary metric (its name; for pipeline,
// what the day added to the person's amount) or a side metric.
struct Outcome {
  std::string metric;
  int64_t day = 0;
  int64_t amount = 0;
};

// The outcomes of one person, by metric and day.
StatusOr<std::vector<Outcome>> OutcomesOf(Db& db, int64_t experiment_id, int64_t person_id) {
  TANDEM_ASSIGN_OR_RETURN(Statement * outcomes,
                          db.Prepare("SELECT metric, day, amount_cents FROM experiment_outcomes "
                                     "WHERE experiment_id = ? AND person_id = ? ORDER BY metric, "
                                     "day"));
  outcomes->Bind(1, experiment_id).Bind(2, person_id);
  return Collect<Outcome>(outcomes, [](const Statement& s) {
    return Outcome{s.Text(0), s.Int(1), s.Int(2)};
  });
}

// Adds (sign 1) or takes back (sign -1) what one person's outcomes, in OutcomesOf's order,
// counted for `arm` on their days. A pipeline amount's square grows with the person's
// running amount, so each day's share of it is the square after the day less before.
Status CountOutcomes(Db& db, int64_t experiment_id, int64_t arm, const std::vector<Outcome>& rows,
                     int sign) {
  double running = 0;
  const std::string* metric = nullptr;
  for (const Outcome& o : rows) {
    if (metric == nullptr || *metric != o.metric) running = 0;
    metric = &o.metric;
    DayDelta d;
    if (const auto side = ParseSideMetric(o.metric)) {
      d.side[static_cast<size_t>(*side)] = sign;
    } else {
      const double after = running + static_cast<double>(o.amount);
      d.primary_sum = sign * o.amount;
      d.primary_squares = sign * (after * after - running * running);
      running = after;
    }
    TANDEM_RETURN_IF_ERROR(AddToDay(db, experiment_id, o.day, arm, d));
  }
  return OkStatus();
}

// Takes back everything person counted in the experiment (their outcomes stay recorded,
// so they are never counted again).
Status TakeBack(Db& db, int64_t experiment_id, int64_t person_id, const PersonRow& row) {
  TANDEM_RETURN_IF_ERROR(
      AddToDay(db, experiment_id, UtcDayOf(row.assigned_at), row.arm, DayDelta{.assigned = -1}));
  if (row.exposed_at) {
    TANDEM_RETURN_IF_ERROR(
        AddToDay(db, experiment_id, UtcDayOf(*row.exposed_at), row.arm, DayDelta{.exposed = -1}));
  }
  TANDEM_ASSIGN_OR_RETURN(auto rows, OutcomesOf(db, experiment_id, person_id));
  return CountOutcomes(db, experiment_id, row.arm, rows, -1);
}

Status InsertPerson(Db& db, int64_t experiment_id, int64_t person_id, const PersonRow& row) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("INSERT INTO experiment_persons (experiment_id, person_id, arm, assigned_at, "
                 "exposed_at, conflicted_at) VALUES (?, ?, ?, ?, ?, ?)"));
  stmt->Bind(1, experiment_id)
      .Bind(2, person_id)
      .Bind(3, row.arm)
      .Bind(4, row.assigned_at)
      .BindNullable(5, row.exposed_at)
      .BindNullable(6, row.conflicted_at);
  return stmt->Run();
}

Status MarkConflicted(Db& db, int64_t experiment_id, int64_t person_id, const PersonRow& row,
                      TimePoint at) {
  TANDEM_RETURN_IF_ERROR(TakeBack(db, experiment_id, person_id, row));
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt,
                          db.Prepare("UPDATE experiment_persons SET conflicted_at = ? WHERE "
                                     "experiment_id = ? AND person_id = ?"));
  stmt->Bind(1, ToUnixMillis(at)).Bind(2, experiment_id).Bind(3, person_id);
  TANDEM_RETURN_IF_ERROR(stmt->Run());
  return AddToDay(db, experiment_id, DayOf(at), row.arm, DayDelta{.conflicted = 1});
}

// Adds `amount` to the person's outcome `metric` on `day`; returns the amount before
// (nullopt: the person had none, and now has `amount`). A count's amount is 1 and is added
// once; a pipeline amount accumulates, day by day.
StatusOr<std::optional<int64_t>> AddOutcome(Db& db, int64_t experiment_id, int64_t person_id,
                                            std::string_view metric, int64_t day, int64_t amount,
                                            bool accumulate) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * find,
      db.Prepare("SELECT CAST(SUM(amount_cents) AS BIGINT) FROM experiment_outcomes WHERE "
                 "experiment_id = ? AND person_id = ? AND metric = ? "
                 "HAVING COUNT(*) > 0"));
  find->Bind(1, experiment_id).Bind(2, person_id).Bind(3, metric);
  TANDEM_ASSIGN_OR_RETURN(auto before,
                          First<int64_t>(find, [](const Statement& s) { return s.Int(0); }));
  if (before && !accumulate) return before;
  TANDEM_ASSIGN_OR_RETURN(
      Statement * insert,
      db.Prepare("INSERT INTO experiment_outcomes (experiment_id, person_id, metric, day, "
                 "amount_cents) VALUES (?, ?, ?, ?, ?) ON CONFLICT (experiment_id, person_id, "
                 "metric, day) DO UPDATE SET amount_cents = experiment_outcomes.amount_cents + "
                 "excluded.amount_cents"));
  insert->Bind(1, experiment_id).Bind(2, person_id).Bind(3, metric).Bind(4, day).Bind(5, amount);
  TANDEM_RETURN_IF_ERROR(insert->Run());
  return before;
}

}  // namespace

StatusOr<size_t> AssignPerson(Db& db, int64_t experiment_id, int64_t person_id, size_t arm,
                              TimePoint at) {
  TANDEM_ASSIGN_OR_RETURN(auto row, FindPerson(db, experiment_id, person_id));
  if (row) return static_cast<size_t>(row->arm);
  TANDEM_ASSIGN_OR_RETURN(bool running, Running(db, experiment_id));
  if (!running) return arm;  // stopped meanwhile: nobody new joins it
  const PersonRow fresh{static_cast<int64_t>(arm), ToUnixMillis(at), std::nullopt, std::nullopt};
  TANDEM_RETURN_IF_ERROR(InsertPerson(db, experiment_id, person_id, fresh));
  TANDEM_RETURN_IF_ERROR(
      AddToDay(db, experiment_id, DayOf(at), fresh.arm, DayDelta{.assigned = 1}));
  return arm;
}

StatusOr<bool> ExposePerson(Db& db, int64_t experiment_id, int64_t person_id, size_t arm,
                            TimePoint at) {
  TANDEM_ASSIGN_OR_RETURN(auto row, FindPerson(db, experiment_id, person_id));
  const int64_t arm_id = static_cast<int64_t>(arm);
  if (!row) {
    TANDEM_ASSIGN_OR_RETURN(bool running, Running(db, experiment_id));
    if (!running) return false;  // stopped: nobody new joins it
    const PersonRow fresh{arm_id, ToUnixMillis(at), ToUnixMillis(at), std::nullopt};
    TANDEM_RETURN_IF_ERROR(InsertPerson(db, experiment_id, person_id, fresh));
    TANDEM_RETURN_IF_ERROR(
        AddToDay(db, experiment_id, DayOf(at), arm_id, DayDelta{.assigned = 1, .exposed = 1}));
    return false;
  }
  if (row->conflicted_at) return true;
  if (row->arm != arm_id) {
    TANDEM_RETURN_IF_ERROR(MarkConflicted(db, experiment_id, person_id, *row, at));
    return true;
  }
  if (row->exposed_at) return false;
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt,
                          db.Prepare("UPDATE experiment_persons SET exposed_at = ? WHERE "
                                     "experiment_id = ? AND person_id = ?"));
  stmt->Bind(1, ToUnixMillis(at)).Bind(2, experiment_id).Bind(3, person_id);
  TANDEM_RETURN_IF_ERROR(stmt->Run());
  TANDEM_RETURN_IF_ERROR(AddToDay(db, experiment_id, DayOf(at), arm_id, DayDelta{.exposed = 1}));
  return false;
}

Status NoteStageReached(Db& db, int64_t person_id, Stage stage, TimePoint at,
                        std::optional<int64_t> amount_cents) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("SELECT p.experiment_id, p.arm, p.exposed_at, x.metric, x.window_days FROM "
                 "experiment_persons p JOIN experiments x ON x.id = p.experiment_id WHERE "
                 "p.person_id = ? AND p.exposed_at IS NOT NULL AND p.conflicted_at IS NULL AND "
                 "p.exposed_at <= ?"));
  const int64_t at_ms = ToUnixMillis(at);
  stmt->Bind(1, person_id).Bind(2, at_ms);
  struct Exposure {
    int64_t experiment_id;
    int64_t arm;
    int64_t exposed_at;
    std::string metric;
    int64_t window_days;
  };
  TANDEM_ASSIGN_OR_RETURN(auto exposures, Collect<Exposure>(stmt, [](const Statement& s) {
                            return Exposure{s.Int(0), s.Int(1), s.Int(2), s.Text(3), s.Int(4)};
                          }));
  for (const Exposure& x : exposures) {
    const std::optional<ExperimentMetric> metric = ParseExperimentMetric(x.metric);
    if (!metric) return UnknownColumnValue("experiments.metric", x.metric);
    if (!ReachesMetric(*metric, stage) || at_ms >= x.exposed_at + x.window_days * kDayMillis) {
      continue;
    }
    const bool pipeline = *metric == ExperimentMetric::kPipeline;
    const int64_t amount = pipeline ? std::max<int64_t>(0, amount_cents.value_or(0)) : 1;
    TANDEM_ASSIGN_OR_RETURN(auto before, AddOutcome(db, x.experiment_id, person_id, x.metric,
                                                    DayOf(at), amount, pipeline));
    if (before && !pipeline) continue;  // counted once
    const double old_total = static_cast<double>(before.value_or(0));
    const double new_total = old_total + static_cast<double>(amount);
    DayDelta d;
    d.primary_sum = amount;
    d.primary_squares = new_total * new_total - old_total * old_total;
    TANDEM_RETURN_IF_ERROR(AddToDay(db, x.experiment_id, DayOf(at), x.arm, d));
  }
  return OkStatus();
}

Status NoteSideOutcome(Db& db, int64_t person_id, SideMetric metric, TimePoint at) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("SELECT p.experiment_id, p.arm FROM experiment_persons p JOIN experiments x ON "
                 "x.id = p.experiment_id WHERE p.person_id = ? AND p.exposed_at IS NOT NULL AND "
                 "p.conflicted_at IS NULL AND p.exposed_at <= ? AND ? < p.exposed_at + "
                 "x.window_days * 86400000"));
  const int64_t at_ms = ToUnixMillis(at);
  stmt->Bind(1, person_id).Bind(2, at_ms).Bind(3, at_ms);
  using ExperimentArm = std::pair<int64_t, int64_t>;
  const auto read = [](const Statement& s) { return ExperimentArm(s.Int(0), s.Int(1)); };
  TANDEM_ASSIGN_OR_RETURN(auto exposures, Collect<ExperimentArm>(stmt, read));
  for (const auto& [experiment_id, arm] : exposures) {
    TANDEM_ASSIGN_OR_RETURN(auto before, AddOutcome(db, experiment_id, person_id,
                                                    SideMetricName(metric), DayOf(at), 1, false));
    if (before) continue;  // counted once
    DayDelta d;
    d.side[static_cast<size_t>(metric)] = 1;
    TANDEM_RETURN_IF_ERROR(AddToDay(db, experiment_id, DayOf(at), arm, d));
  }
  return OkStatus();
}

namespace {

// Two persons of one experiment becoming one (`from` into `into`, before the rows move):
// the earlier assignment stays the person's, the later goes with what it counted. Exposed
// to two arms between them, the person is conflicted (once); exposed to one, they count
// once, with the outcomes of either.
Status MergeRows(Db& db, int64_t id, int64_t from, const PersonRow& mine, int64_t into,
                 const PersonRow& theirs, TimePoint at) {
  const bool mine_first = mine.assigned_at < theirs.assigned_at;
  PersonRow kept = mine_first ? mine : theirs;
  const PersonRow& later = mine_first ? theirs : mine;
  const int64_t later_person = mine_first ? into : from;
  const int64_t kept_person = mine_first ? from : into;
  if (later.conflicted_at) {
    TANDEM_RETURN_IF_ERROR(
        AddToDay(db, id, UtcDayOf(*later.conflicted_at), later.arm, DayDelta{.conflicted = -1}));
  } else {
    TANDEM_RETURN_IF_ERROR(TakeBack(db, id, later_person, later));
  }
  TANDEM_ASSIGN_OR_RETURN(auto moved, OutcomesOf(db, id, later_person));
  for (const char* sql : {"DELETE FROM experiment_persons WHERE experiment_id = ? AND "
                          "person_id = ?",
                          "DELETE FROM experiment_outcomes WHERE experiment_id = ? AND "
                          "person_id = ?"}) {
    TANDEM_ASSIGN_OR_RETURN(Statement * drop, db.Prepare(sql));
    drop->Bind(1, id).Bind(2, later_person);
    TANDEM_RETURN_IF_ERROR(drop->Run());
  }
  if (kept.conflicted_at) return OkStatus();
  const bool saw_other_arm = later.exposed_at && kept.arm != later.arm;
  if (later.conflicted_at || saw_other_arm) return MarkConflicted(db, id, kept_person, kept, at);
  if (!later.exposed_at) return OkStatus();
  if (!kept.exposed_at) {
    // Exposed only as the other person: the exposure counts for the one who stays.
    TANDEM_ASSIGN_OR_RETURN(Statement * expose,
                            db.Prepare("UPDATE experiment_persons SET exposed_at = ? WHERE "
                                       "experiment_id = ? AND person_id = ?"));
    expose->Bind(1, *later.exposed_at).Bind(2, id).Bind(3, kept_person);
    TANDEM_RETURN_IF_ERROR(expose->Run());
    TANDEM_RETURN_IF_ERROR(
        AddToDay(db, id, UtcDayOf(*later.exposed_at), kept.arm, DayDelta{.exposed = 1}));
  }
  // The other's outcomes the person did not have count for them, on their own days.
  TANDEM_ASSIGN_OR_RETURN(auto own, OutcomesOf(db, id, kept_person));
  std::vector<Outcome> taken;
  for (const Outcome& o : moved) {
    const bool had =
        std::any_of(own.begin(), own.end(), [&](const Outcome& k) { return k.metric == o.metric; });
    if (had) continue;
    TANDEM_ASSIGN_OR_RETURN(
        Statement * insert,
        db.Prepare("INSERT INTO experiment_outcomes (experiment_id, person_id, metric, day, "
                   "amount_cents) VALUES (?, ?, ?, ?, ?)"));
    insert->Bind(1, id).Bind(2, kept_person).Bind(3, o.metric).Bind(4, o.day).Bind(5, o.amount);
    TANDEM_RETURN_IF_ERROR(insert->Run());
    taken.push_back(o);
  }
  return CountOutcomes(db, id, kept.arm, taken, 1);
}

}  // namespace

Status MergeExperimentPersons(Db& db, int64_t from, int64_t into, TimePoint at) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * ids,
      db.Prepare("SELECT experiment_id FROM experiment_persons WHERE person_id = ?"));
  ids->Bind(1, from);
  TANDEM_ASSIGN_OR_RETURN(auto experiments,
                          Collect<int64_t>(ids, [](const Statement& s) { return s.Int(0); }));
  for (const int64_t id : experiments) {
    TANDEM_ASSIGN_OR_RETURN(auto mine, FindPerson(db, id, from));
    TANDEM_ASSIGN_OR_RETURN(auto theirs, FindPerson(db, id, into));
    if (mine && theirs) {
      TANDEM_RETURN_IF_ERROR(MergeRows(db, id, from, *mine, into, *theirs, at));
    }
    for (const char* sql : {"UPDATE experiment_persons SET person_id = ? WHERE experiment_id = ? "
                            "AND person_id = ?",
                            "UPDATE experiment_outcomes SET person_id = ? WHERE experiment_id = "
                            "? AND person_id = ?"}) {
      TANDEM_ASSIGN_OR_RETURN(Statement * move, db.Prepare(sql));
      move->Bind(1, into).Bind(2, id).Bind(3, from);
      TANDEM_RETURN_IF_ERROR(move->Run());
    }
  }
  return OkStatus();
}

}  // namespace sql
}  // namespace tandem
