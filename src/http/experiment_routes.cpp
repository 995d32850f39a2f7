#include "http/experiment_routes.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>

#include "auth/permissions.h"
#include "experiments/experiment_service.h"
#include "http/api_common.h"
#include "http/api_schemas.h"
#include "http/experiment_json.h"
#include "http/query_params.h"
#include "sequences/sequence_records.h"

namespace tandem::http {
namespace {

using nlohmann::json;
namespace s = schema;

json VariantSchema() {
  return s::Object({{"key", s::String("[a-z0-9_-], 1-64 characters; the first is the control")},
                    {"weight", s::Number("the share of persons; the weights sum to 1")},
                    {"subject", s::NullableString("email: the subject this variant sends")},
                    {"template", s::NullableString("email: the template this variant sends")}},
                   {"key", "weight"});
}

json ExperimentSchema() {
  return s::Object(
      {{"id", s::String("ex_<n>")},
       {"key", s::String("[a-z0-9_-]; the snippet's tandem.variant(key)")},
       {"version", s::Integer()},
       {"name", s::String()},
       {"kind", s::Enum({"email", "web"})},
       {"broadcast_id", s::NullableString("email: bc_<n>")},
       {"sequence_id", s::NullableString("email: sq_<n>")},
       {"sequence_step", s::Integer("email: the step, from 1")},
       {"variants", s::ArrayOf(VariantSchema())},
       {"metric", s::Enum({"mql", "sal", "sql", "opportunity", "won", "pipeline"})},
       {"window_days", s::Integer("outcomes count within this many days of the exposure")},
       {"alpha", s::Number("the false-winner rate allowed, however often looked at")},
       {"minimum_lift", s::Number("the smallest relative lift worth finding")},
       {"baseline", s::Number("the control's expected rate (or amount per person)")},
       {"minimum_per_arm", s::Integer("exposed persons per arm before any decision")},
       {"state", s::Enum({"draft", "running", "stopped"})}});
}

RouteSpec Spec(std::string method, std::string path, std::string summary, json response) {
  RouteSpec spec{.method = std::move(method),
                 .path = std::move(path),
                 .summary = std::move(summary),
                 .tag = "experiments"};
  spec.response = std::move(response);
  if (spec.path.find("{experiment_id}") != std::string::npos) {
    spec.path_params["experiment_id"] = "ex_<n>";
  }
  return spec;
}

}  // namespace

Status CheckExperimentTarget(Store& store, const Experiment& e) {
  if (e.kind != ExperimentKind::kEmail) return OkStatus();
  if (e.broadcast_id) {
    TANDEM_ASSIGN_OR_RETURN(auto b, store.GetBroadcast(*e.broadcast_id));
    if (!b)
      return Unprocessable("invalid_target",
                           fmt::format("broadcast bc_{} does not exist", *e.broadcast_id));
    if (b->state == BroadcastState::kDone || b->state == BroadcastState::kCancelled) {
      return Unprocessable("invalid_target", fmt::format("broadcast bc_{} is {}: it sends no more",
                                                         b->id, BroadcastStateName(b->state)));
    }
    return OkStatus();
  }
  if (!e.sequence_id || !e.sequence_step) return OkStatus();  // ValidateExperiment says why
  TANDEM_ASSIGN_OR_RETURN(auto q, store.GetSequence(*e.sequence_id));
  if (!q)
    return Unprocessable("invalid_target",
                         fmt::format("sequence sq_{} does not exist", *e.sequence_id));
  const size_t step = static_cast<size_t>(*e.sequence_step);
  if (step < 1 || step > q->steps.size() || q->steps[step - 1].kind != StepKind::kEmail) {
    return Unprocessable("invalid_target",
                         fmt::format("sequence sq_{} has no email step {}", q->id, step));
  }
  return OkStatus();
}

namespace {

Response Changed(const StatusOr<Experiment>& e, unsigned status) {
  if (!e.ok()) return ErrorResponse(e.status());
  return Json(status, ExperimentJson(*e));
}

StatusOr<int64_t> ExperimentId(const HttpRequest& r) {
  return PathId(r, "experiment_id", "ex_", "experiment");
}

Response Write(Store& store, const Clock& clock, const HttpRequest& r, const UserRecord& u,
               bool create, bool version) {
  if (Status st = Require(u, Permission::kRunExperiments, "run experiments"); !st.ok()) {
    return ErrorResponse(st);
  }
  auto body = ParseBody(r);
  if (!body.ok()) return ErrorResponse(body.status());
  const ExperimentService service(store);
  Experiment e;
  int64_t id = 0;
  if (!create) {
    auto found = ExperimentId(r);
    if (!found.ok()) return ErrorResponse(found.status());
    id = *found;
    auto before = service.GetOr404(id);
    if (!before.ok()) return ErrorResponse(before.status());
    e = std::move(*before);
  }
  if (Status read = ReadExperimentBody(*body, e, create); !read.ok()) return ErrorResponse(read);
  if (Status target = CheckExperimentTarget(store, e); !target.ok()) return ErrorResponse(target);
  if (create) return Changed(service.Create(std::move(e), u.id, clock.Now()), 201);
  if (version) return Changed(service.NewVersion(id, std::move(e), u.id, clock.Now()), 201);
  return Changed(service.Change(id, std::move(e)), 200);
}

Response Read(Store& store, const HttpRequest& r, const UserRecord& u, bool results) {
  if (Status st = Require(u, Permission::kViewReports, "read experiments"); !st.ok()) {
    return ErrorResponse(st);
  }
  auto id = ExperimentId(r);
  if (!id.ok()) return ErrorResponse(id.status());
  const ExperimentService service(store);
  auto e = service.GetOr404(*id);
  if (!e.ok()) return ErrorResponse(e.status());
  if (!results) return Json(200, ExperimentJson(*e));
  auto result = service.Results(*e);
  if (!result.ok()) return ErrorResponse(result.status());
  return Json(200, ResultJson(*e, *result));
}

Response SampleSize(const HttpRequest& r, const UserRecord& u) {
  if (Status st = Require(u, Permission::kViewReports, "plan experiments"); !st.ok()) {
    return ErrorResponse(st);
  }
  SamplePlan plan;
  const auto params = ParseQuery(r.query());
  auto number = [&](const char* name, double& out) -> Status {
    const auto text = FindParam(params, name);
    if (!text) return OkStatus();
    char* end = nullptr;
    const std::string copy(*text);
    out = std::strtod(copy.c_str(), &end);
    if (copy.empty() || *end != '\0' || !std::isfinite(out)) {
      return InvalidArgument("invalid_parameter", fmt::format("{} must be a number", name));
    }
    return OkStatus();
  };
  for (auto [name, out] : {std::pair{"baseline", &plan.baseline},
                           {"minimum_lift", &plan.minimum_lift},
                           {"alpha", &plan.alpha},
                           {"power", &plan.power},
                           {"standard_deviation", &plan.standard_deviation}}) {
    if (Status st = number(name, *out); !st.ok()) return ErrorResponse(st);
  }
  double variants = 2;
  if (Status st = number("variants", variants); !st.ok()) return ErrorResponse(st);
  if (variants < 2 || variants > 10 || variants != std::floor(variants)) {
    return ErrorResponse(InvalidArgument("invalid_parameter", "variants must be 2 to 10"));
  }
  plan.weights.assign(static_cast<size_t>(variants), 1.0 / variants);
  const auto metric = FindParam(params, "metric");
  plan.binary = !(metric && *metric == "pipeline");
  auto sizes = PlanSampleSize(plan);
  if (!sizes.ok()) return ErrorResponse(sizes.status());
  return Json(200,
              {{"fixed_horizon", sizes->fixed_horizon},
               {"sequential", sizes->sequential},
               {"per_variant_fixed_horizon", sizes->fixed_horizon / static_cast<int64_t>(variants)},
               {"per_variant_sequential", sizes->sequential / static_cast<int64_t>(variants)}});
}

void RegisterExperimentActions(Router& router, Store& store, const Clock& clock);

}  // namespace

void RegisterExperimentRoutes(Router& router, Store& store, const Clock& clock) {
  auto authed = [&store, &clock](auto body) { return Authed(store, clock, body); };
  router.Add(Spec("GET", "/api/v1/experiments", "Every version of every experiment, newest first",
                  s::PageOf(ExperimentSchema())),
             authed([&store](const HttpRequest&, const UserRecord& u) {
               if (Status st = Require(u, Permission::kViewReports, "read experiments"); !st.ok()) {
                 return ErrorResponse(st);
               }
               auto all = store.ListExperiments();
               if (!all.ok()) return ErrorResponse(all.status());
               json out = {{"items", json::array()}, {"next_cursor", nullptr}};
               for (const Experiment& e : *all) out["items"].push_back(ExperimentJson(e));
               return Json(200, out);
             }));
  RouteSpec create =
      Spec("POST", "/api/v1/experiments", "A new draft experiment", ExperimentSchema());
  create.request_body = ExperimentSchema();
  create.status = 201;
  create.errors = {400, 403, 409, 422};
  router.Add(std::move(create), authed([&store, &clock](const HttpRequest& r, const UserRecord& u) {
               return Write(store, clock, r, u, true, false);
             }));
  RouteSpec get =
      Spec("GET", "/api/v1/experiments/{experiment_id}", "An experiment", ExperimentSchema());
  get.errors = {403, 404};
  router.Add(std::move(get), authed([&store](const HttpRequest& r, const UserRecord& u) {
               return Read(store, r, u, false);
             }));
  RouteSpec put = Spec("PUT", "/api/v1/experiments/{experiment_id}",
                       "Change a draft (fields absent stay); a started one needs a new version",
                       ExperimentSchema());
  put.request_body = ExperimentSchema();
  put.errors = {400, 403, 404, 409, 422};
  router.Add(std::move(put), authed([&store, &clock](const HttpRequest& r, const UserRecord& u) {
               return Write(store, clock, r, u, false, false);
             }));
  RouteSpec version = Spec("POST", "/api/v1/experiments/{experiment_id}/versions",
                           "A new draft version with the body's changes; its persons are "
                           "assigned afresh",
                           ExperimentSchema());
  version.request_body = ExperimentSchema();
  version.status = 201;
  version.errors = {400, 403, 404, 409, 422};
  router.Add(std::move(version),
             authed([&store, &clock](const HttpRequest& r, const UserRecord& u) {
               return Write(store, clock, r, u, false, true);
             }));
  RegisterExperimentActions(router, store, clock);
}

namespace {

void RegisterExperimentActions(Router& router, Store& store, const Clock& clock) {
  auto authed = [&store, &clock](auto body) { return Authed(store, clock, body); };
  for (const bool start : {true, false}) {
    RouteSpec spec = Spec("POST",
                          start ? "/api/v1/experiments/{experiment_id}/start"
                                : "/api/v1/experiments/{experiment_id}/stop",
                          start ? "Start a draft: persons are assigned and counted from now"
                                : "Stop: no one new is assigned; the exposed count to the "
                                  "end of their window",
                          ExperimentSchema());
    spec.errors = {403, 404, 409, 422};
    router.Add(
        std::move(spec), authed([&store, &clock, start](const HttpRequest& r, const UserRecord& u) {
          if (Status st = Require(u, Permission::kRunExperiments, "run experiments"); !st.ok()) {
            return ErrorResponse(st);
          }
          auto id = ExperimentId(r);
          if (!id.ok()) return ErrorResponse(id.status());
          const ExperimentService service(store);
          if (start) {
            auto e = service.GetOr404(*id);
            if (!e.ok()) return ErrorResponse(e.status());
            if (Status target = CheckExperimentTarget(store, *e); !target.ok()) {
              return ErrorResponse(target);
            }
          }
          return Changed(start ? service.Start(*id, clock.Now()) : service.Stop(*id, clock.Now()),
                         200);
        }));
  }
  RouteSpec results = Spec("GET", "/api/v1/experiments/{experiment_id}/results",
                           "Counts per arm, each variant's effect with its always-valid "
                           "interval over time, the fixed-horizon test, the sample-ratio "
                           "checks, the guardrails and the decision",
                           s::AnyObject("the result"));
  results.errors = {403, 404};
  router.Add(std::move(results), authed([&store](const HttpRequest& r, const UserRecord& u) {
               return Read(store, r, u, true);
             }));
  RouteSpec size = Spec("GET", "/api/v1/experiments-sample-size",
                        "Persons needed to find a lift with a power, for the fixed-horizon and "
                        "the sequential test",
                        s::AnyObject("persons in all arms, and per variant"));
  size.query = {{"baseline", "the control's rate (or amount per person)", s::Number()},
                {"minimum_lift", "relative, default 0.2", s::Number()},
                {"alpha", "default 0.05", s::Number()},
                {"power", "default 0.8", s::Number()},
                {"variants", "2 to 10, equal shares (default 2)", s::Integer()},
                {"metric", "pipeline for an amount (then standard_deviation)", s::String()},
                {"standard_deviation", "an amount's, per person", s::Number()}};
  size.errors = {400, 403};
  router.Add(std::move(size),
             authed([](const HttpRequest& r, const UserRecord& u) { return SampleSize(r, u); }));
}

}  // namespace

}  // namespace tandem::http
