// Experiments, and the counts kept per experiment, day and arm as persons are assigned,
// exposed and reach their outcomes.
#include "store/sql/sql_experiments.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "store/sql/sql_analytics.h"
#include "store/sql/sql_store.h"

namespace tandem {

using nlohmann::json;
using sql::Statement;

namespace sql {
namespace {

int64_t DayOf(TimePoint t) { return UtcDayOf(ToUnixMillis(t)); }

constexpr const char* kColumns =
    "id, key, version, name, kind, broadcast_id, sequence_id, sequence_step, metric, "
    "window_days, state, body, created_by, created_at, started_at, stopped_at";

std::string Body(const Experiment& e) {
  json variants = json::array();
  for (const ExperimentVariant& v : e.variants) {
    variants.push_back({{"key", v.key},
                        {"weight", v.weight},
                        {"subject", v.subject},
                        {"template_key", v.template_key}});
  }
  json body = {{"variants", variants},
               {"alpha", e.alpha},
               {"minimum_lift", e.minimum_lift},
               {"minimum_per_arm", e.minimum_per_arm},
               {"test_share", e.test_share}};
  if (e.baseline) body["baseline"] = *e.baseline;
  return body.dump();
}

Status ReadBody(std::string_view text, Experiment& e) {
  const json body = json::parse(text, nullptr, false);
  if (!body.is_object() || !body.contains("variants")) {
    return Internal(fmt::format("experiments.body of experiment {} is not an experiment", e.id));
  }
  for (const json& v : body["variants"]) {
    e.variants.push_back({v.value("key", ""), v.value("weight", 0.0), v.value("subject", ""),
                          v.value("template_key", "")});
  }
  e.alpha = body.value("alpha", 0.05);
  e.minimum_lift = body.value("minimum_lift", 0.2);
  e.minimum_per_arm = body.value("minimum_per_arm", int64_t{100});
  e.test_share = body.value("test_share", 1.0);
  if (body.contains("baseline")) e.baseline = body["baseline"].get<double>();
  return OkStatus();
}

StatusOr<Experiment> ReadExperiment(const Statement& s) {
  Experiment e;
  e.id = s.Int(0);
  e.key = s.Text(1);
  e.version = static_cast<int>(s.Int(2));
  e.name = s.Text(3);
  TANDEM_ASSIGN_OR_RETURN(e.kind, ReadEnum(s, 4, "experiments.kind", &ParseExperimentKind));
  e.broadcast_id = s.NullableInt(5);
  e.sequence_id = s.NullableInt(6);
  if (!s.IsNull(7)) e.sequence_step = static_cast<int>(s.Int(7));
  TANDEM_ASSIGN_OR_RETURN(e.metric, ReadEnum(s, 8, "experiments.metric", &ParseExperimentMetric));
  e.window_days = static_cast<int>(s.Int(9));
  TANDEM_ASSIGN_OR_RETURN(e.state, ReadEnum(s, 10, "experiments.state", &ParseExperimentState));
  TANDEM_RETURN_IF_ERROR(ReadBody(s.TextView(11), e));
  e.created_by = s.NullableInt(12);
  e.created_at = FromUnixMillis(s.Int(13));
  e.started_at = OptionalTime(s, 14);
  e.stopped_at = OptionalTime(s, 15);
  return e;
}

StatusOr<std::vector<Experiment>> Experiments(Db& db, std::string_view where,
                                              const std::function<void(Statement&)>& bind) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt, db.Prepare(fmt::format("SELECT {} FROM experiments {}", kColumns, where)));
  bind(*stmt);
  return Collect<Experiment>(stmt, ReadExperiment);
}

// The first experiment `where` selects, if any.
StatusOr<std::optional<Experiment>> FirstExperiment(Db& db, std::string_view where,
                                                    const std::function<void(Statement&)>& bind) {
  TANDEM_ASSIGN_OR_RETURN(auto found, Experiments(db, where, bind));
  if (found.empty()) return std::optional<Experiment>();
  return std::optional<Experiment>(std::move(found.front()));
}

// A change to one day's counts of one arm.
struct DayDelta {
  int64_t assigned = 0;
  int64_t exposed = 0;
  int64_t conflicted = 0;
  int64_t primary_sum = 0;
  double primary_squares = 0;
  int64_t side[std::size(kSideMetrics)] = {};
};

Status AddToDay(Db& db, int64_t experiment_id, int64_t day, int64_t arm, const DayDelta& d) {
  static const std::string kSql =
      "INSERT INTO experiment_days (experiment_id, day, arm, assigned, exposed, conflicted, "
      "primary_sum, primary_squares, clicks, replies, unsubscribes, bounces, complaints) VALUES "
      "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (experiment_id, day, arm) DO UPDATE SET "
      "assigned = experiment_days.assigned + excluded.assigned, "
      "exposed = experiment_days.exposed + excluded.exposed, "
      "conflicted = experiment_days.conflicted + excluded.conflicted, "
      "primary_sum = experiment_days.primary_sum + excluded.primary_sum, "
      "primary_squares = experiment_days.primary_squares + excluded.primary_squares, "
      "clicks = experiment_days.clicks + excluded.clicks, "
      "replies = experiment_days.replies + excluded.replies, "
      "unsubscribes = experiment_days.unsubscribes + excluded.unsubscribes, "
      "bounces = experiment_days.bounces + excluded.bounces, "
      "complaints = experiment_days.complaints + excluded.complaints";
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt, db.Prepare(kSql));
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

// Takes back everything person counted in the experiment (their outcomes stay recorded,
// so they are never counted again).
Status TakeBack(Db& db, int64_t experiment_id, int64_t person_id, const PersonRow& row) {
  TANDEM_RETURN_IF_ERROR(
      AddToDay(db, experiment_id, UtcDayOf(row.assigned_at), row.arm, DayDelta{.assigned = -1}));
  if (row.exposed_at) {
    TANDEM_RETURN_IF_ERROR(
        AddToDay(db, experiment_id, UtcDayOf(*row.exposed_at), row.arm, DayDelta{.exposed = -1}));
  }
  TANDEM_ASSIGN_OR_RETURN(Statement * outcomes,
                          db.Prepare("SELECT metric, day, amount_cents FROM experiment_outcomes "
                                     "WHERE experiment_id = ? AND person_id = ?"));
  outcomes->Bind(1, experiment_id).Bind(2, person_id);
  struct Outcome {
    std::string metric;
    int64_t day;
    int64_t amount;
  };
  TANDEM_ASSIGN_OR_RETURN(auto rows, Collect<Outcome>(outcomes, [](const Statement& s) {
                            return Outcome{s.Text(0), s.Int(1), s.Int(2)};
                          }));
  for (const Outcome& o : rows) {
    DayDelta d;
    if (const auto side = ParseSideMetric(o.metric)) {
      d.side[static_cast<size_t>(*side)] = -1;
    } else {
      d.primary_sum = -o.amount;
      d.primary_squares = -static_cast<double>(o.amount) * static_cast<double>(o.amount);
    }
    TANDEM_RETURN_IF_ERROR(AddToDay(db, experiment_id, o.day, row.arm, d));
  }
  return OkStatus();
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

// Adds `amount` to the person's outcome `metric`; returns the amount before (nullopt: the
// person had none, and now has `amount`). A count's amount is 1 and is added once.
StatusOr<std::optional<int64_t>> AddOutcome(Db& db, int64_t experiment_id, int64_t person_id,
                                            std::string_view metric, int64_t day, int64_t amount,
                                            bool accumulate) {
  TANDEM_ASSIGN_OR_RETURN(Statement * find,
                          db.Prepare("SELECT amount_cents FROM experiment_outcomes WHERE "
                                     "experiment_id = ? AND person_id = ? AND metric = ?"));
  find->Bind(1, experiment_id).Bind(2, person_id).Bind(3, metric);
  TANDEM_ASSIGN_OR_RETURN(auto before,
                          First<int64_t>(find, [](const Statement& s) { return s.Int(0); }));
  if (before && !accumulate) return before;
  if (before) {
    TANDEM_ASSIGN_OR_RETURN(Statement * add,
                            db.Prepare("UPDATE experiment_outcomes SET amount_cents = "
                                       "amount_cents + ? WHERE experiment_id = ? AND person_id = "
                                       "? AND metric = ?"));
    add->Bind(1, amount).Bind(2, experiment_id).Bind(3, person_id).Bind(4, metric);
    TANDEM_RETURN_IF_ERROR(add->Run());
    return before;
  }
  TANDEM_ASSIGN_OR_RETURN(
      Statement * insert,
      db.Prepare("INSERT INTO experiment_outcomes (experiment_id, person_id, metric, day, "
                 "amount_cents) VALUES (?, ?, ?, ?, ?)"));
  insert->Bind(1, experiment_id).Bind(2, person_id).Bind(3, metric).Bind(4, day).Bind(5, amount);
  TANDEM_RETURN_IF_ERROR(insert->Run());
  return std::optional<int64_t>();
}

}  // namespace

StatusOr<std::optional<Experiment>> RunningExperiment(Db& db, const ExperimentTarget& t) {
  if (t.broadcast_id) {
    return FirstExperiment(db, "WHERE state = 'running' AND broadcast_id = ?",
                           [&](Statement& s) { s.Bind(1, *t.broadcast_id); });
  }
  if (t.sequence_id && t.sequence_step) {
    return FirstExperiment(
        db, "WHERE state = 'running' AND sequence_id = ? AND sequence_step = ?",
        [&](Statement& s) { s.Bind(1, *t.sequence_id).Bind(2, int64_t{*t.sequence_step}); });
  }
  return FirstExperiment(db, "WHERE state = 'running' AND kind = 'web' AND key = ?",
                         [&](Statement& s) { s.Bind(1, t.web_key); });
}

StatusOr<size_t> AssignPerson(Db& db, int64_t experiment_id, int64_t person_id, size_t arm,
                              TimePoint at) {
  TANDEM_ASSIGN_OR_RETURN(auto row, FindPerson(db, experiment_id, person_id));
  if (row) return static_cast<size_t>(row->arm);
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
      // The earlier assignment stays the person's; the later is taken back and goes.
      const bool mine_first = mine->assigned_at < theirs->assigned_at;
      PersonRow kept = mine_first ? *mine : *theirs;
      const PersonRow& later = mine_first ? *theirs : *mine;
      const int64_t later_person = mine_first ? into : from;
      if (!later.conflicted_at) TANDEM_RETURN_IF_ERROR(TakeBack(db, id, later_person, later));
      for (const char* sql : {"DELETE FROM experiment_persons WHERE experiment_id = ? AND "
                              "person_id = ?",
                              "DELETE FROM experiment_outcomes WHERE experiment_id = ? AND "
                              "person_id = ?"}) {
        TANDEM_ASSIGN_OR_RETURN(Statement * drop, db.Prepare(sql));
        drop->Bind(1, id).Bind(2, later_person);
        TANDEM_RETURN_IF_ERROR(drop->Run());
      }
      const int64_t kept_person = mine_first ? from : into;
      const bool both_exposed = kept.exposed_at && later.exposed_at;
      if (!kept.conflicted_at && (later.conflicted_at || (both_exposed && kept.arm != later.arm))) {
        TANDEM_RETURN_IF_ERROR(MarkConflicted(db, id, kept_person, kept, at));
      } else if (!kept.conflicted_at && !kept.exposed_at && later.exposed_at &&
                 kept.arm == later.arm) {
        // Exposed only as the other person: the exposure counts for the one who stays.
        TANDEM_ASSIGN_OR_RETURN(Statement * expose,
                                db.Prepare("UPDATE experiment_persons SET exposed_at = ? WHERE "
                                           "experiment_id = ? AND person_id = ?"));
        expose->Bind(1, *later.exposed_at).Bind(2, id).Bind(3, kept_person);
        TANDEM_RETURN_IF_ERROR(expose->Run());
        TANDEM_RETURN_IF_ERROR(
            AddToDay(db, id, UtcDayOf(*later.exposed_at), kept.arm, DayDelta{.exposed = 1}));
      }
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

namespace tandem {
namespace {

void BindRecord(Statement& s, const Experiment& e, const std::string& body) {
  s.Bind(1, e.key)
      .Bind(2, int64_t{e.version})
      .Bind(3, e.name)
      .Bind(4, ExperimentKindName(e.kind))
      .BindNullable(5, e.broadcast_id)
      .BindNullable(6, e.sequence_id)
      .BindNullable(7, e.sequence_step ? std::optional<int64_t>(*e.sequence_step) : std::nullopt)
      .Bind(8, ExperimentMetricName(e.metric))
      .Bind(9, int64_t{e.window_days})
      .Bind(10, ExperimentStateName(e.state))
      .Bind(11, body)
      .BindNullable(12, e.created_by)
      .Bind(13, ToUnixMillis(e.created_at))
      .BindNullable(14, sql::OptionalMillis(e.started_at))
      .BindNullable(15, sql::OptionalMillis(e.stopped_at));
}

// Conflict while another version of the experiment's key, or another experiment on its
// target, runs.
Status CheckNoneRunning(sql::Db& db, const Experiment& e) {
  TANDEM_ASSIGN_OR_RETURN(
      auto running,
      sql::Experiments(db,
                       "WHERE state = 'running' AND id <> ? AND (key = ? OR broadcast_id = ? OR "
                       "(sequence_id = ? AND sequence_step = ?))",
                       [&](Statement& s) {
                         s.Bind(1, e.id)
                             .Bind(2, e.key)
                             .BindNullable(3, e.broadcast_id)
                             .BindNullable(4, e.sequence_id)
                             .BindNullable(5, e.sequence_step
                                                  ? std::optional<int64_t>(*e.sequence_step)
                                                  : std::nullopt);
                       }));
  if (running.empty()) return OkStatus();
  const Experiment& other = running.front();
  return Conflict(
      "experiment_running",
      fmt::format("experiment \"{}\" version {} already runs on {}; stop it first", other.key,
                  other.version, other.key == e.key ? "this key" : "this email"));
}

}  // namespace

StatusOr<Experiment> SqlStore::CreateExperiment(const Experiment& experiment) {
  Experiment saved = experiment;
  const auto create = [&](sql::Db& db) -> Status {
    TANDEM_ASSIGN_OR_RETURN(
        auto taken, sql::Experiments(db, "WHERE key = ? AND version = ?", [&](Statement& s) {
          s.Bind(1, saved.key).Bind(2, int64_t{saved.version});
        }));
    if (!taken.empty()) {
      return Conflict(
          "experiment_exists",
          fmt::format("experiment \"{}\" version {} already exists", saved.key, saved.version));
    }
    TANDEM_ASSIGN_OR_RETURN(
        Statement * insert,
        db.Prepare("INSERT INTO experiments (key, version, name, kind, broadcast_id, sequence_id, "
                   "sequence_step, metric, window_days, state, body, created_by, created_at, "
                   "started_at, stopped_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                   "RETURNING id"));
    const std::string body = sql::Body(saved);
    BindRecord(*insert, saved, body);
    TANDEM_ASSIGN_OR_RETURN(saved.id, sql::InsertedId(*insert));
    return OkStatus();
  };
  TANDEM_RETURN_IF_ERROR(Write(create));
  return saved;
}

StatusOr<std::optional<Experiment>> SqlStore::GetExperiment(int64_t id) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  return sql::FirstExperiment(lease->db(), "WHERE id = ?", [&](Statement& s) { s.Bind(1, id); });
}

StatusOr<std::vector<Experiment>> SqlStore::ListExperiments() {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  return sql::Experiments(lease->db(), "ORDER BY id DESC", [](Statement&) {});
}

StatusOr<std::optional<Experiment>> SqlStore::LatestExperiment(std::string_view key) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  return sql::FirstExperiment(lease->db(), "WHERE key = ? ORDER BY version DESC",
                              [&](Statement& s) { s.Bind(1, key); });
}

StatusOr<bool> SqlStore::UpdateExperiment(const Experiment& experiment, ExperimentState expected) {
  bool updated = false;
  const auto update_row = [&](sql::Db& db) -> Status {
    if (experiment.state == ExperimentState::kRunning) {
      TANDEM_RETURN_IF_ERROR(CheckNoneRunning(db, experiment));
    }
    TANDEM_ASSIGN_OR_RETURN(
        Statement * update,
        db.Prepare("UPDATE experiments SET key = ?, version = ?, name = ?, kind = ?, broadcast_id "
                   "= ?, sequence_id = ?, sequence_step = ?, metric = ?, window_days = ?, state = "
                   "?, body = ?, created_by = ?, created_at = ?, started_at = ?, stopped_at = ? "
                   "WHERE id = ? AND state = ?"));
    const std::string body = sql::Body(experiment);
    BindRecord(*update, experiment, body);
    update->Bind(16, experiment.id).Bind(17, ExperimentStateName(expected));
    TANDEM_RETURN_IF_ERROR(update->Run());
    updated = db.Changes() == 1;
    return OkStatus();
  };
  TANDEM_RETURN_IF_ERROR(Write(update_row));
  return updated;
}

StatusOr<std::optional<Experiment>> SqlStore::FindRunningExperiment(
    const ExperimentTarget& target) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  return sql::RunningExperiment(lease->db(), target);
}

StatusOr<std::vector<Experiment>> SqlStore::RunningWebExperiments() {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  return sql::Experiments(lease->db(), "WHERE state = 'running' AND kind = 'web' ORDER BY key",
                          [](Statement&) {});
}

StatusOr<std::vector<ExperimentDay>> SqlStore::ExperimentDays(int64_t experiment_id) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare("SELECT day, arm, assigned, exposed, conflicted, primary_sum, "
                          "primary_squares, clicks, replies, unsubscribes, bounces, complaints "
                          "FROM experiment_days WHERE experiment_id = ? ORDER BY day, arm"));
  stmt->Bind(1, experiment_id);
  return sql::Collect<ExperimentDay>(stmt, [](const Statement& s) {
    ExperimentDay d;
    d.day = s.Int(0);
    d.arm = static_cast<size_t>(s.Int(1));
    d.assigned = s.Int(2);
    d.exposed = s.Int(3);
    d.conflicted = s.Int(4);
    d.primary_sum = s.Int(5);
    d.primary_squares = s.Double(6);
    for (size_t i = 0; i < std::size(d.side); ++i) d.side[i] = s.Int(7 + static_cast<int>(i));
    return d;
  });
}

}  // namespace tandem
