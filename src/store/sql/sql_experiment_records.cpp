// Experiments as records: their rows (the variants and rules a JSON body) and the
// store's reads and writes of them; the running experiment on a target.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "store/sql/sql_experiments.h"
#include "store/sql/sql_store.h"

namespace tandem {

using nlohmann::json;
using sql::Statement;

namespace sql {
namespace {

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

// The variants and rules of a body; throws json::exception on a value of the wrong type.
void ReadRules(const json& body, Experiment& e) {
  for (const json& v : body["variants"]) {
    e.variants.push_back({v.value("key", ""), v.value("weight", 0.0), v.value("subject", ""),
                          v.value("template_key", "")});
  }
  e.alpha = body.value("alpha", 0.05);
  e.minimum_lift = body.value("minimum_lift", 0.2);
  e.minimum_per_arm = body.value("minimum_per_arm", int64_t{100});
  e.test_share = body.value("test_share", 1.0);
  if (body.contains("baseline") && body["baseline"].is_number()) {
    e.baseline = body["baseline"].get<double>();
  }
}

Status ReadBody(std::string_view text, Experiment& e) {
  const json body = json::parse(text, nullptr, false);
  if (!body.is_object() || !body.contains("variants") || !body["variants"].is_array()) {
    return Internal(fmt::format("experiments.body of experiment {} is not an experiment", e.id));
  }
  try {
    ReadRules(body, e);
  } catch (const json::exception& error) {
    return Internal(fmt::format("experiments.body of experiment {}: {}", e.id, error.what()));
  }
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
