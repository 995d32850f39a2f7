// experiment_bench: an experiment's result with 1,000,000 exposed persons, from the counts
// kept per day and arm, against a rescan of the raw exposures and outcomes in the same run.
//
//   history  1,000,000 persons exposed to a two-arm web experiment over 90 days through
//            ExperimentWrites (ExposePerson, in transactions of 10,000), with about 6% of
//            them reaching MQL within the 30-day window (NoteStageReached) and 0.2% exposed
//            to both arms (conflicted), in a SQLite file in a temporary directory.
//   result   ExperimentService::Results (the kept counts read, judged, with the interval
//            over every day): p50 and p99 of 50 runs.
//   rescan   the same per-arm counts by SQL over experiment_persons and
//            experiment_outcomes, p50 of 5 runs: rescan / result.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <random>

#include "app/open_store.h"
#include "experiments/experiment_service.h"
#include "store/sqlite/sqlite_db.h"
#include "store/store.h"
#include "testing/temp_dir.h"

namespace tandem {
namespace {

using Steady = std::chrono::steady_clock;
constexpr int64_t kDay = 86'400'000;

double Ms(Steady::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

template <typename T>
T Must(StatusOr<T> value, std::string_view what) {
  if (!value.ok()) {
    fmt::print(stderr, "experiment_bench: {}: {}\n", what, value.status().ToString());
    std::exit(1);
  }
  return std::move(value).value();
}

void Must(const Status& status, std::string_view what) {
  if (!status.ok()) {
    fmt::print(stderr, "experiment_bench: {}: {}\n", what, status.ToString());
    std::exit(1);
  }
}

double Percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(p * values.size()))];
}

Experiment MakeExperiment(Store& store) {
  Experiment e;
  e.key = "pricing-headline";
  e.name = "Pricing headline";
  e.kind = ExperimentKind::kWeb;
  e.variants = {{"a", 0.5, "", ""}, {"b", 0.5, "", ""}};
  e.metric = ExperimentMetric::kMql;
  e.window_days = 30;
  e.created_at = FromUnixMillis(0);
  const ExperimentService service(store);
  e = Must(service.Create(e, std::nullopt, FromUnixMillis(0)), "create");
  return Must(service.Start(e.id, FromUnixMillis(0)), "start");
}

void MakeHistory(Store& store, const Experiment& e, int64_t persons) {
  std::mt19937_64 random(2026);
  const int64_t start = 20'000 * kDay;
  constexpr int64_t kBatch = 10'000;
  for (int64_t first = 1; first <= persons; first += kBatch) {
    auto txn = Must(store.BeginLeadTxn(), "begin");
    for (int64_t p = first; p < std::min(persons + 1, first + kBatch); ++p) {
      const int64_t at = start + (p - 1) * 90 * kDay / persons;
      const size_t arm = AssignArm(e.key, e.version, e.Weights(), std::to_string(p));
      Must(txn->ExposePerson(e.id, p, arm, FromUnixMillis(at)).status(), "expose");
      const double lift = arm == 1 ? 1.1 : 1.0;
      if (std::uniform_real_distribution<>(0, 1)(random) < 0.06 * lift) {
        const int64_t later = at + static_cast<int64_t>(random() % (25 * kDay));
        Must(txn->NoteStageReached(p, Stage::kMql, FromUnixMillis(later), std::nullopt), "mql");
      }
      if (random() % 500 == 0) {
        Must(txn->ExposePerson(e.id, p, 1 - arm, FromUnixMillis(at + kDay)).status(), "conflict");
      }
    }
    Must(txn->Commit(), "commit");
  }
}

int Run() {
  const int64_t persons = std::getenv("TANDEM_BENCH_EXPERIMENT_PERSONS")
                              ? std::atoll(std::getenv("TANDEM_BENCH_EXPERIMENT_PERSONS"))
                              : 1'000'000;
  testing::TempDir dir;
  const std::string path = (dir.path() / "experiment.db").string();
  StoreOptions options;
  options.synchronous_full = false;
  auto store = Must(OpenStore("sqlite:" + path, options), "open");
  const Experiment e = MakeExperiment(*store);
  const Steady::time_point made = Steady::now();
  MakeHistory(*store, e, persons);
  fmt::print("experiment_bench: {} persons exposed over 90 days in {:.1f} s\n", persons,
             Ms(Steady::now() - made) / 1000);

  const ExperimentService service(*store);
  std::vector<double> runs;
  ExperimentResult result;
  for (int i = 0; i < 50; ++i) {
    const Steady::time_point t0 = Steady::now();
    result = Must(service.Results(e), "results");
    runs.push_back(Ms(Steady::now() - t0));
  }
  auto db = Must(sqlite::Database::Open(path), "raw connection");
  std::vector<double> rescans;
  std::array<int64_t, 2> exposed{};
  std::array<int64_t, 2> reached{};
  for (int i = 0; i < 5; ++i) {
    const Steady::time_point t0 = Steady::now();
    auto stmt = Must(
        db->Prepare("SELECT p.arm, count(*), (SELECT count(*) FROM experiment_outcomes o JOIN "
                    "experiment_persons q ON q.experiment_id = o.experiment_id AND q.person_id = "
                    "o.person_id WHERE o.experiment_id = ?1 AND q.arm = p.arm AND "
                    "q.conflicted_at IS NULL AND o.metric = 'mql') FROM experiment_persons p "
                    "WHERE p.experiment_id = ?1 AND p.exposed_at IS NOT NULL AND "
                    "p.conflicted_at IS NULL GROUP BY p.arm ORDER BY p.arm"),
        "rescan");
    stmt->Bind(1, e.id);
    while (Must(stmt->Step(), "rescan")) {
      exposed[static_cast<size_t>(stmt->Int(0))] = stmt->Int(1);
      reached[static_cast<size_t>(stmt->Int(0))] = stmt->Int(2);
    }
    stmt->Reset();
    rescans.push_back(Ms(Steady::now() - t0));
  }
  for (size_t arm = 0; arm < 2; ++arm) {
    if (result.arms[arm].exposed != exposed[arm] || result.arms[arm].primary_sum != reached[arm]) {
      fmt::print(stderr, "experiment_bench: arm {}: kept {}/{}, rescanned {}/{}\n", arm,
                 result.arms[arm].exposed, result.arms[arm].primary_sum, exposed[arm],
                 reached[arm]);
      return 1;
    }
  }
  const double p50 = Percentile(runs, 0.5);
  fmt::print(
      "experiment_bench: result p50 {:.2f} ms, p99 {:.2f} ms (target p99 <= 50 ms); "
      "rescan p50 {:.1f} ms = {:.0f}x; {} looks; decision: {}\n",
      p50, Percentile(runs, 0.99), Percentile(rescans, 0.5), Percentile(rescans, 0.5) / p50,
      result.verdict.history.size(), DecisionName(result.verdict.decision));
  return 0;
}

}  // namespace
}  // namespace tandem

int main() { return tandem::Run(); }
