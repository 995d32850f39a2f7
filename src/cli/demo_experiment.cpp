#include "cli/demo_experiment.h"

#include <nlohmann/json.hpp>

#include "experiments/experiment_service.h"

namespace tandem {

StatusOr<Experiment> StartDemoExperiment(ExperimentStore& store, TimePoint started) {
  Experiment draft;
  draft.key = "pricing-headline";
  draft.name = "Pricing page headline";
  draft.kind = ExperimentKind::kWeb;
  draft.variants = {{"control", 0.5, "", ""}, {"outcome", 0.5, "", ""}};
  draft.metric = ExperimentMetric::kMql;
  draft.window_days = 30;
  draft.minimum_per_arm = 30;  // a small site: a first look after a day or two
  const ExperimentService experiments(store);
  TANDEM_ASSIGN_OR_RETURN(Experiment created, experiments.Create(draft, std::nullopt, started));
  return experiments.Start(created.id, started);
}

std::string WithDemoExposure(const Experiment& experiment, const std::string& message) {
  nlohmann::json m = nlohmann::json::parse(message, nullptr, /*allow_exceptions=*/false);
  if (!m.is_object() || m.value("type", "") != "page") return message;
  const nlohmann::json& properties = m.value("properties", nlohmann::json::object());
  if (!properties.is_object() || properties.value("path", "") != "/pricing") return message;
  std::string person = m.value("userId", "");
  if (person.empty()) person = m.value("anonymousId", "");
  if (person.empty()) return message;
  const size_t arm = AssignArm(experiment.key, experiment.version, experiment.Weights(), person);
  m["context"]["experiments"] =
      nlohmann::json::array({{{"key", experiment.key},
                              {"version", experiment.version},
                              {"variant", experiment.variants[arm].key}}});
  return m.dump();
}

}  // namespace tandem
