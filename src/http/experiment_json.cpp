#include "http/experiment_json.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/time_format.h"
#include "http/json_fields.h"

namespace tandem::http {

using nlohmann::json;

namespace {

json TimeOrNull(const std::optional<TimePoint>& t) {
  return t ? json(FormatIsoTime(*t)) : json(nullptr);
}

// A bound of an interval: null when it is unbounded (nothing known yet).
json Bound(double value) { return std::isfinite(value) ? json(value) : json(nullptr); }

json EffectJson(const Effect& e) {
  return {{"estimate", e.estimate},
          {"low", Bound(e.low)},
          {"high", Bound(e.high)},
          {"p_value", e.p_value}};
}

json RatioJson(const SampleRatio& r) {
  return {{"chi_square", r.chi_square}, {"p_value", r.p_value}, {"mismatch", r.mismatch}};
}

StatusOr<ExperimentVariant> ReadVariant(const json& j, size_t i) {
  const std::string where = fmt::format("variants[{}]", i);
  if (!j.is_object()) return InvalidField(where + " must be an object");
  ExperimentVariant v;
  for (const auto& [name, value] : j.items()) {
    if (name == "weight") {
      if (!value.is_number()) return InvalidField(where + ".weight must be a number");
      v.weight = value.get<double>();
    } else if (name == "key" || name == "subject" || name == "template") {
      if (!value.is_string())
        return InvalidField(fmt::format("{}.{} must be a string", where, name));
      (name == "key"       ? v.key
       : name == "subject" ? v.subject
                           : v.template_key) = value.get<std::string>();
    } else {
      return InvalidField(
          fmt::format("{}.{} is not a variant field (key, weight, subject, "
                      "template)",
                      where, name));
    }
  }
  return v;
}

template <typename T>
Status NumberField(const json& body, const char* name, T& out) {
  auto it = body.find(name);
  if (it == body.end()) return OkStatus();
  if constexpr (std::is_integral_v<T>) {
    if (!it->is_number_integer())
      return InvalidField(fmt::format("{} must be a whole number", name));
    const int64_t v = it->get<int64_t>();
    if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max()) {
      return InvalidField(fmt::format("{} is out of range", name));
    }
    out = static_cast<T>(v);
  } else {
    if (!it->is_number()) return InvalidField(fmt::format("{} must be a number", name));
    out = it->get<double>();
  }
  return OkStatus();
}

}  // namespace

json ExperimentJson(const Experiment& e) {
  json variants = json::array();
  for (const ExperimentVariant& v : e.variants) {
    json item = {{"key", v.key}, {"weight", v.weight}};
    if (e.kind == ExperimentKind::kEmail) {
      item["subject"] = v.subject.empty() ? json(nullptr) : json(v.subject);
      item["template"] = v.template_key.empty() ? json(nullptr) : json(v.template_key);
    }
    variants.push_back(std::move(item));
  }
  return {{"id", fmt::format("ex_{}", e.id)},
          {"key", e.key},
          {"version", e.version},
          {"name", e.name},
          {"kind", ExperimentKindName(e.kind)},
          {"broadcast_id", e.broadcast_id ? json(fmt::format("bc_{}", *e.broadcast_id)) : json()},
          {"sequence_id", e.sequence_id ? json(fmt::format("sq_{}", *e.sequence_id)) : json()},
          {"sequence_step", e.sequence_step ? json(*e.sequence_step) : json()},
          {"variants", variants},
          {"metric", ExperimentMetricName(e.metric)},
          {"window_days", e.window_days},
          {"alpha", e.alpha},
          {"minimum_lift", e.minimum_lift},
          {"baseline", e.baseline ? json(*e.baseline) : json()},
          {"minimum_per_arm", e.minimum_per_arm},
          {"test_share", e.test_share},
          {"state", ExperimentStateName(e.state)},
          {"created_by", e.created_by ? json(fmt::format("usr_{}", *e.created_by)) : json()},
          {"created_at", FormatIsoTime(e.created_at)},
          {"started_at", TimeOrNull(e.started_at)},
          {"stopped_at", TimeOrNull(e.stopped_at)}};
}

json ResultJson(const Experiment& e, const ExperimentResult& r) {
  const Verdict& v = r.verdict;
  json arms = json::array();
  for (size_t i = 0; i < r.arms.size(); ++i) {
    const ArmTotals& t = r.arms[i];
    json side = json::object();
    for (const SideMetric m : kSideMetrics)
      side[SideMetricName(m)] = t.side[static_cast<size_t>(m)];
    json arm = {
        {"variant", e.variants[i].key},
        {"assigned", t.assigned},
        {"exposed", t.exposed},
        {"conflicted", t.conflicted},
        {"primary", t.primary_sum},
        {"primary_mean", t.exposed > 0 ? static_cast<double>(t.primary_sum) / t.exposed : 0.0},
        {"outcomes", side}};
    if (i > 0) {
      const VariantVerdict& vv = v.variants[i - 1];
      arm["effect"] = EffectJson(vv.sequential);
      arm["fixed_horizon"] = EffectJson(vv.fixed_horizon);
      arm["secondary"] = {{"clicks", EffectJson(r.secondary[i - 1][0])},
                          {"replies", EffectJson(r.secondary[i - 1][1])}};
      arm["guardrail_breached"] = vv.guardrail_breached
                                      ? json(SideMetricName(kGuardrails[*vv.guardrail_breached]))
                                      : json(nullptr);
    }
    arms.push_back(std::move(arm));
  }
  json history = json::array();
  for (const LookEffects& look : v.history) {
    json effects = json::array();
    for (const Effect& effect : look.effects) effects.push_back(EffectJson(effect));
    history.push_back({{"at", FormatIsoTime(look.at)}, {"effects", effects}});
  }
  json out = {{"experiment", ExperimentJson(e)},
              {"decision", DecisionName(v.decision)},
              {"winner", v.winner ? json(e.variants[*v.winner].key) : json(nullptr)},
              {"arms", arms},
              {"sample_ratio",
               {{"assigned", RatioJson(v.assigned_ratio)},
                {"exposed", RatioJson(v.exposed_ratio)},
                {"cause", MismatchCauseName(v.mismatch)}}},
              {"history", history},
              {"tau", r.tau},
              {"sample_size", r.sample_size ? json{{"fixed_horizon", r.sample_size->fixed_horizon},
                                                   {"sequential", r.sample_size->sequential}}
                                            : json(nullptr)}};
  json warnings = json::array();
  int64_t reached = 0;
  for (const ArmTotals& t : r.arms) reached += t.primary_sum;
  if (reached == 0) {
    warnings.push_back(
        fmt::format("no exposed person has reached {} yet: the result has no data "
                    "for its metric",
                    ExperimentMetricName(e.metric)));
  }
  out["warnings"] = warnings;
  return out;
}

Status ReadExperimentBody(const json& body, Experiment& e, bool with_key) {
  static const std::vector<std::string> kFields = {"key",
                                                   "name",
                                                   "kind",
                                                   "broadcast_id",
                                                   "sequence_id",
                                                   "sequence_step",
                                                   "variants",
                                                   "metric",
                                                   "window_days",
                                                   "alpha",
                                                   "minimum_lift",
                                                   "baseline",
                                                   "minimum_per_arm",
                                                   "test_share"};
  if (!body.is_object()) return InvalidArgument("invalid_body", "the body must be a JSON object");
  for (const auto& [key, _] : body.items()) {
    if (std::find(kFields.begin(), kFields.end(), key) == kFields.end() ||
        (key == "key" && !with_key)) {
      return InvalidField(fmt::format("{} is not an experiment field one may set here ({})", key,
                                      fmt::join(kFields, ", ")));
    }
  }
  for (auto [name, out] : {std::pair{"key", &e.key}, {"name", &e.name}}) {
    auto it = body.find(name);
    if (it == body.end()) continue;
    if (!it->is_string()) return InvalidField(fmt::format("{} must be a string", name));
    *out = it->get<std::string>();
  }
  TANDEM_RETURN_IF_ERROR(EnumField(body, "kind", &ParseExperimentKind, "email, web", e.kind));
  TANDEM_RETURN_IF_ERROR(EnumField(body, "metric", &ParseExperimentMetric,
                                   "mql, sal, sql, opportunity, won, pipeline", e.metric));
  TANDEM_RETURN_IF_ERROR(RefField(body, "broadcast_id", "bc_", e.broadcast_id));
  TANDEM_RETURN_IF_ERROR(RefField(body, "sequence_id", "sq_", e.sequence_id));
  if (auto it = body.find("sequence_step"); it != body.end()) {
    if (it->is_null()) {
      e.sequence_step.reset();
    } else {
      int step = 0;
      TANDEM_RETURN_IF_ERROR(NumberField(body, "sequence_step", step));
      e.sequence_step = step;
    }
  }
  TANDEM_RETURN_IF_ERROR(NumberField(body, "window_days", e.window_days));
  TANDEM_RETURN_IF_ERROR(NumberField(body, "alpha", e.alpha));
  TANDEM_RETURN_IF_ERROR(NumberField(body, "minimum_lift", e.minimum_lift));
  TANDEM_RETURN_IF_ERROR(NumberField(body, "minimum_per_arm", e.minimum_per_arm));
  TANDEM_RETURN_IF_ERROR(NumberField(body, "test_share", e.test_share));
  if (auto it = body.find("baseline"); it != body.end()) {
    if (it->is_null()) {
      e.baseline.reset();
    } else {
      double baseline = 0;
      TANDEM_RETURN_IF_ERROR(NumberField(body, "baseline", baseline));
      e.baseline = baseline;
    }
  }
  if (auto it = body.find("variants"); it != body.end()) {
    if (!it->is_array()) return InvalidField("variants must be an array, the control first");
    e.variants.clear();
    for (size_t i = 0; i < it->size(); ++i) {
      TANDEM_ASSIGN_OR_RETURN(ExperimentVariant v, ReadVariant((*it)[i], i));
      e.variants.push_back(std::move(v));
    }
  }
  return OkStatus();
}

}  // namespace tandem::http
