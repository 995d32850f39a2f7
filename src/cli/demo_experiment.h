// The demo workspace's web experiment: two headlines on the pricing page, served by the
// snippet (web/demo/pricing.html shows them), judged on MQLs. The demo's history carries
// each pricing-page visitor's exposure as the snippet sends it, on the page view.
#pragma once

#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "experiments/experiment.h"

namespace tandem {

class ExperimentStore;

// Creates the experiment and starts it at `started` (before the demo's history).
StatusOr<Experiment> StartDemoExperiment(ExperimentStore& store, TimePoint started);

// `message` (a Segment message as JSON) with the experiment's exposure added to its
// context when it is a view of the pricing page: the variant the snippet would show the
// visitor (by their user id, else their anonymous id). Any other message as it was.
std::string WithDemoExposure(const Experiment& experiment, const std::string& message);

}  // namespace tandem
