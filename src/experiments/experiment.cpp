#include "experiments/experiment.h"

#include <cmath>
#include <set>

#include <fmt/format.h>

#include "core/enum_names.h"

namespace tandem {
namespace {

constexpr EnumNames<ExperimentKind, 2> kKinds{{
    {ExperimentKind::kEmail, "email"},
    {ExperimentKind::kWeb, "web"},
}};
constexpr EnumNames<ExperimentMetric, 6> kMetrics{{
    {ExperimentMetric::kMql, "mql"},
    {ExperimentMetric::kSal, "sal"},
    {ExperimentMetric::kSql, "sql"},
    {ExperimentMetric::kOpportunity, "opportunity"},
    {ExperimentMetric::kWon, "won"},
    {ExperimentMetric::kPipeline, "pipeline"},
}};
constexpr EnumNames<ExperimentState, 3> kStates{{
    {ExperimentState::kDraft, "draft"},
    {ExperimentState::kRunning, "running"},
    {ExperimentState::kStopped, "stopped"},
}};
constexpr EnumNames<SideMetric, 5> kSides{{
    {SideMetric::kClicks, "clicks"},
    {SideMetric::kReplies, "replies"},
    {SideMetric::kUnsubscribes, "unsubscribes"},
    {SideMetric::kBounces, "bounces"},
    {SideMetric::kComplaints, "complaints"},
}};

constexpr size_t kMaxVariants = 10;
constexpr size_t kMaxKey = 64;
constexpr size_t kMaxName = 200;
constexpr size_t kMaxSubject = 998;  // a header line's limit (RFC 5322)

bool IsKey(std::string_view key) {
  if (key.empty() || key.size() > kMaxKey) return false;
  for (const char c : key) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
      return false;
    }
  }
  return true;
}

Status Invalid(std::string code, std::string message) {
  return InvalidArgument(std::move(code), std::move(message));
}

Status ValidateTarget(const Experiment& e) {
  const bool broadcast = e.broadcast_id.has_value();
  const bool step = e.sequence_id.has_value() || e.sequence_step.has_value();
  if (e.kind == ExperimentKind::kWeb) {
    if (broadcast || step) {
      return Invalid("invalid_target", "a web experiment varies a page, not a broadcast or step");
    }
    return OkStatus();
  }
  if (broadcast == step) {
    return Invalid("invalid_target",
                   "an email experiment needs a broadcast_id or a sequence_id with its "
                   "sequence_step, and not both");
  }
  if (step && (!e.sequence_id || !e.sequence_step || *e.sequence_step < 1)) {
    return Invalid("invalid_target", "sequence_step must be a step number from 1");
  }
  return OkStatus();
}

Status ValidateVariant(const Experiment& e, size_t i, std::set<std::string>& keys) {
  const ExperimentVariant& v = e.variants[i];
  const std::string where = "variants[" + std::to_string(i) + "]";
  if (!IsKey(v.key)) {
    return Invalid("invalid_variant",
                   where + ".key must be 1-64 characters of a-z, 0-9, '_' and '-'");
  }
  if (!keys.insert(v.key).second) {
    return Invalid("invalid_variant", where + ".key \"" + v.key + "\" is used twice");
  }
  if (!(std::isfinite(v.weight) && v.weight > 0 && v.weight < 1)) {
    return Invalid("invalid_weights", where + ".weight must be above 0 and below 1");
  }
  if (e.kind == ExperimentKind::kWeb && (!v.subject.empty() || !v.template_key.empty())) {
    return Invalid("invalid_variant", where + ": a web variant has no subject or template");
  }
  if (v.subject.size() > kMaxSubject || v.subject.find_first_of("\r\n") != std::string::npos) {
    return Invalid("invalid_variant", where + ".subject must be one line of at most 998 bytes");
  }
  if (!v.template_key.empty() && !IsKey(v.template_key)) {
    return Invalid("invalid_variant", where + ".template_key is not a template key");
  }
  return OkStatus();
}

uint32_t Fnv1a(std::string_view text, uint32_t hash) {
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 16777619u;
  }
  return hash;
}

uint32_t Mix(uint32_t h) {  // MurmurHash3's fmix32
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

}  // namespace

std::string_view ExperimentKindName(ExperimentKind kind) { return NameOf(kKinds, kind); }
std::optional<ExperimentKind> ParseExperimentKind(std::string_view name) {
  return ParseName(kKinds, name);
}
std::string_view ExperimentMetricName(ExperimentMetric metric) { return NameOf(kMetrics, metric); }
std::optional<ExperimentMetric> ParseExperimentMetric(std::string_view name) {
  return ParseName(kMetrics, name);
}
std::string_view ExperimentStateName(ExperimentState state) { return NameOf(kStates, state); }
std::optional<ExperimentState> ParseExperimentState(std::string_view name) {
  return ParseName(kStates, name);
}
std::string_view SideMetricName(SideMetric metric) { return NameOf(kSides, metric); }
std::optional<SideMetric> ParseSideMetric(std::string_view name) { return ParseName(kSides, name); }

Stage MetricStage(ExperimentMetric metric) {
  switch (metric) {
    case ExperimentMetric::kMql:
      return Stage::kMql;
    case ExperimentMetric::kSal:
      return Stage::kSal;
    case ExperimentMetric::kSql:
      return Stage::kSql;
    case ExperimentMetric::kOpportunity:
    case ExperimentMetric::kPipeline:
      return Stage::kOpportunity;
    case ExperimentMetric::kWon:
      return Stage::kCustomer;
  }
  return Stage::kMql;
}

bool ReachesMetric(ExperimentMetric metric, Stage to) {
  if (metric == ExperimentMetric::kPipeline) return to == Stage::kOpportunity;
  return FunnelRank(to) >= FunnelRank(MetricStage(metric));
}

std::vector<double> Experiment::Weights() const {
  std::vector<double> weights;
  for (const ExperimentVariant& v : variants) weights.push_back(v.weight);
  return weights;
}

std::optional<size_t> Experiment::VariantIndex(std::string_view variant_key) const {
  for (size_t i = 0; i < variants.size(); ++i) {
    if (variants[i].key == variant_key) return i;
  }
  return std::nullopt;
}

Status ValidateExperiment(const Experiment& e) {
  if (!IsKey(e.key)) {
    return Invalid("invalid_key", "key must be 1-64 characters of a-z, 0-9, '_' and '-'");
  }
  if (e.name.empty() || e.name.size() > kMaxName ||
      e.name.find_first_of("\r\n") != std::string::npos) {
    return Invalid("invalid_name", "name must be one line of 1-200 bytes");
  }
  TANDEM_RETURN_IF_ERROR(ValidateTarget(e));
  if (e.variants.size() < 2 || e.variants.size() > kMaxVariants) {
    return Invalid("invalid_variants", "an experiment has 2 to 10 variants, the control first");
  }
  std::set<std::string> keys;
  double total = 0;
  for (size_t i = 0; i < e.variants.size(); ++i) {
    TANDEM_RETURN_IF_ERROR(ValidateVariant(e, i, keys));
    total += e.variants[i].weight;
  }
  if (std::fabs(total - 1.0) > 1e-9) {
    return Invalid("invalid_weights",
                   fmt::format("the variants' weights sum to {:g}, not 1", total));
  }
  if (e.window_days < 1 || e.window_days > 365) {
    return Invalid("invalid_window", "window_days must be 1-365");
  }
  if (!(e.alpha > 0 && e.alpha <= 0.2)) {
    return Invalid("invalid_alpha", "alpha must be above 0 and at most 0.2");
  }
  if (!(e.minimum_lift > 0 && e.minimum_lift <= 10)) {
    return Invalid("invalid_minimum_lift", "minimum_lift must be above 0 and at most 10");
  }
  // Finite and bounded: an amount's baseline in cents up to 10^12 keeps every variance
  // the statistics square finite.
  constexpr double kMaxBaseline = 1e12;
  if (e.baseline &&
      !(std::isfinite(*e.baseline) && *e.baseline > 0 && *e.baseline <= kMaxBaseline &&
        (e.metric == ExperimentMetric::kPipeline || *e.baseline * (1 + e.minimum_lift) < 1))) {
    return Invalid("invalid_baseline",
                   "baseline must be above 0, at most 10^12 (cents) and, for a rate, below 1 "
                   "with the lift added");
  }
  if (!(e.test_share > 0 && e.test_share <= 1) || (e.test_share < 1 && !e.broadcast_id)) {
    return Invalid("invalid_test_share",
                   "test_share must be above 0 and at most 1, and below 1 only on a broadcast");
  }
  if (e.minimum_per_arm < 10 || e.minimum_per_arm > 10'000'000) {
    return Invalid("invalid_minimum_per_arm", "minimum_per_arm must be 10-10000000");
  }
  return OkStatus();
}

Status CheckRevisable(const Experiment& e) {
  if (e.state == ExperimentState::kDraft) return OkStatus();
  return Conflict("experiment_started",
                  "experiment \"" + e.key + "\" version " + std::to_string(e.version) + " is " +
                      std::string(ExperimentStateName(e.state)) +
                      ": its variants no longer change; make a new version instead");
}

bool InTestShare(const Experiment& e, std::string_view person) {
  if (e.test_share >= 1) return true;
  return AssignArm(e.key + ".test-share", e.version, {e.test_share, 1 - e.test_share}, person) == 0;
}

size_t AssignArm(std::string_view key, int version, const std::vector<double>& weights,
                 std::string_view person) {
  uint32_t hash = Fnv1a(key, 2166136261u);
  hash = Fnv1a(".", hash);
  hash = Fnv1a(std::to_string(version), hash);
  hash = Fnv1a(":", hash);
  hash = Mix(Fnv1a(person, hash));
  const double point = static_cast<double>(hash) / 4294967296.0;
  double edge = 0;
  for (size_t i = 0; i + 1 < weights.size(); ++i) {
    edge += weights[i];
    if (point < edge) return i;
  }
  return weights.size() - 1;
}

}  // namespace tandem
