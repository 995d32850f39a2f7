// Experiments over HTTP:
//   GET  /api/v1/experiments                      every version of every experiment, newest first
//   POST /api/v1/experiments                      a new draft
//   GET  /api/v1/experiments/{experiment_id}      one
//   PUT  /api/v1/experiments/{experiment_id}      change a draft
//   POST /api/v1/experiments/{experiment_id}/versions  a new draft version of a started one
//   POST /api/v1/experiments/{experiment_id}/start|stop
//   GET  /api/v1/experiments/{experiment_id}/results   effect, interval, decision, checks
//   GET  /api/v1/experiments-sample-size           the calculator
//
// Managers, marketing and admins read; marketing and admins change.
#pragma once

#include "core/clock.h"
#include "http/router.h"
#include "store/store.h"

namespace tandem::http {

// An email experiment's target exists and still sends: a broadcast not done or
// cancelled, or a sequence's email step (422 invalid_target otherwise).
Status CheckExperimentTarget(Store& store, const Experiment& experiment);

// Everything must outlive the router.
void RegisterExperimentRoutes(Router& router, Store& store, const Clock& clock);

}  // namespace tandem::http
