// Experiments as the API shows them (ids ex_<n>), their results, and an experiment read
// from a request body.
#pragma once

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "experiments/experiment.h"
#include "experiments/results.h"

namespace tandem::http {

nlohmann::json ExperimentJson(const Experiment& e);
nlohmann::json ResultJson(const Experiment& e, const ExperimentResult& result);

// The fields of an experiment's body into `e`: 422 naming the field that is wrong.
// Fields absent keep `e`'s; key only when `with_key` (a new experiment's).
Status ReadExperimentBody(const nlohmann::json& body, Experiment& e, bool with_key);

}  // namespace tandem::http
