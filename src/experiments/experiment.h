// An experiment: variants of an email (its subject or template, in a broadcast or a
// sequence step) or of a web page (served by the snippet's tandem.variant(key)), each
// person given one variant for good, judged on what sales did with the leads.
//
// - Assignment is a hash of the experiment (its key and version) and the person, so it
//   needs no lookup and the browser snippet computes the same (AssignArm). The store
//   keeps each person's first exposure: a later exposure of the same stitched person to
//   another variant (two devices before they were stitched) marks the person as
//   conflicted, excluded from the counts and reported.
// - Exposure: for email, a message the relay accepted after the gate let it through (a
//   refused recipient is assigned, never exposed); for the web, the page view that
//   carried the variant.
// - The primary metric is reached within window_days after the exposure: the person's
//   lead moved to MQL, SAL, SQL, opportunity or customer (won), or, for pipeline, the
//   amounts of its moves to opportunity in the window, summed per person.
// - A started experiment's variants never change: a revision is a new version, whose
//   persons are assigned afresh.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/stage.h"
#include "core/status.h"

namespace tandem {

enum class ExperimentKind { kEmail, kWeb };
std::string_view ExperimentKindName(ExperimentKind kind);
std::optional<ExperimentKind> ParseExperimentKind(std::string_view name);

enum class ExperimentMetric { kMql, kSal, kSql, kOpportunity, kWon, kPipeline };
std::string_view ExperimentMetricName(ExperimentMetric metric);
std::optional<ExperimentMetric> ParseExperimentMetric(std::string_view name);
// The stage whose reaching the metric counts (pipeline: opportunity, with its amount).
Stage MetricStage(ExperimentMetric metric);

// Whether a lead's move to `to` reaches the metric: a move at or beyond its stage in the
// funnel (FunnelRank) for the counts; a move to opportunity for pipeline.
bool ReachesMetric(ExperimentMetric metric, Stage to);

// draft: variants may change; running: assigns and counts; stopped: assigns no one new,
// still counts the outcomes of those exposed within their windows.
enum class ExperimentState { kDraft, kRunning, kStopped };
std::string_view ExperimentStateName(ExperimentState state);
std::optional<ExperimentState> ParseExperimentState(std::string_view name);

// The outcomes counted beside the primary: secondary (clicks, replies: more is better)
// and guardrails (unsubscribes, bounces, complaints: more is worse). Opens are never
// counted: mail privacy proxies open everything.
enum class SideMetric { kClicks, kReplies, kUnsubscribes, kBounces, kComplaints };
inline constexpr SideMetric kSideMetrics[] = {SideMetric::kClicks, SideMetric::kReplies,
                                              SideMetric::kUnsubscribes, SideMetric::kBounces,
                                              SideMetric::kComplaints};
inline constexpr SideMetric kGuardrails[] = {SideMetric::kUnsubscribes, SideMetric::kBounces,
                                             SideMetric::kComplaints};
std::string_view SideMetricName(SideMetric metric);
std::optional<SideMetric> ParseSideMetric(std::string_view name);

struct ExperimentVariant {
  std::string key;    // [a-z0-9_-], 1-64 characters; what the snippet answers
  double weight = 0;  // the share of persons assigned to it; the weights sum to 1
  // Email: what this variant sends instead of the broadcast's or the step's own ("":
  // the same). The first variant is the control.
  std::string subject;
  std::string template_key;
};

struct Experiment {
  int64_t id = 0;
  std::string key;  // [a-z0-9_-], 1-64 characters; unique with the version
  int version = 1;
  std::string name;
  ExperimentKind kind = ExperimentKind::kEmail;
  // Email: the broadcast, or the sequence and its step (1-based), the variants vary.
  std::optional<int64_t> broadcast_id;
  std::optional<int64_t> sequence_id;
  std::optional<int> sequence_step;
  std::vector<ExperimentVariant> variants;  // control first
  ExperimentMetric metric = ExperimentMetric::kMql;
  int window_days = 30;
  double alpha = 0.05;
  double minimum_lift = 0.2;  // the smallest relative lift worth finding
  // The control's expected mean of the primary (a rate; cents per person for pipeline);
  // none: the pooled mean at the first look where every arm had its minimum.
  std::optional<double> baseline;
  int64_t minimum_per_arm = 100;
  // A broadcast's experiment may go to this share of its recipients first (0 < share <= 1;
  // 1: all of them); the rest get the winning arm once the verdict names one (see
  // RestArm), or the control once the experiment stops without one.
  double test_share = 1.0;
  ExperimentState state = ExperimentState::kDraft;
  std::optional<int64_t> created_by;
  TimePoint created_at;
  std::optional<TimePoint> started_at;
  std::optional<TimePoint> stopped_at;

  std::vector<double> Weights() const;
  // The variant's index by key, or nullopt.
  std::optional<size_t> VariantIndex(std::string_view key) const;
};

// InvalidArgument naming the field (and the variant) when the experiment is not one
// that may be kept: a bad key or name, fewer than 2 or more than 10 variants, duplicate
// variant keys, weights outside (0, 1) or not summing to 1, a window outside 1-365 days,
// alpha outside (0, 0.2], an email experiment without exactly one target or a web one
// with any, a variant's subject or template on a web experiment, a subject with a line
// break.
Status ValidateExperiment(const Experiment& experiment);

// Whether a broadcast's recipient is in the experiment's test share (always, at 1): a
// hash of the experiment and the person, apart from the arm's.
bool InTestShare(const Experiment& experiment, std::string_view person);

// Conflict ("experiment_started") unless the experiment is a draft: its variants and
// rules may change only before it starts (a revision is a new version).
Status CheckRevisable(const Experiment& experiment);

// The arm `person` falls in: FNV-1a (32-bit) of "<key>.<version>:<person>", mixed by
// MurmurHash3's finalizer, as a fraction of 2^32 through the cumulative weights. For
// email `person` is the stitched person's id in decimal; the snippet uses the visitor's
// user id, else anonymous id.
size_t AssignArm(std::string_view key, int version, const std::vector<double>& weights,
                 std::string_view person);

}  // namespace tandem
