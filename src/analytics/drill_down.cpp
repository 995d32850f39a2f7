#include "analytics/drill_down.h"

#include <fmt/format.h>

#include <charconv>

#include "analytics/speed_to_lead.h"

namespace tandem {
namespace {

Status Bad(std::string message) { return InvalidArgument("invalid_parameter", std::move(message)); }

StatusOr<int64_t> Number(std::string_view name, std::string_view text, int64_t min, int64_t max) {
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return Bad(fmt::format("{}=\"{}\" is not a whole number from {} to {}", name, text, min, max));
  }
  return value;
}

StatusOr<Stage> StageParam(ReportKind report, std::string_view text) {
  std::optional<Stage> stage = ParseStage(text);
  if (report == ReportKind::kAttribution) {
    if (stage != Stage::kOpportunity && stage != Stage::kCustomer) {
      return Bad(fmt::format("stage=\"{}\" is not opportunity or customer", text));
    }
  } else if (!stage || stage == Stage::kSubscriber || stage == Stage::kRecycled ||
             stage == Stage::kDisqualified) {
    return Bad(
        fmt::format("stage=\"{}\" is not one of lead, mql, sal, sql, opportunity, customer", text));
  }
  return *stage;
}

}  // namespace

StatusOr<DrillDown> ParseDrillDown(
    ReportKind report, FunnelQuery scope,
    const std::function<std::optional<std::string_view>(std::string_view)>& param) {
  DrillDown drill;
  drill.report = report;
  drill.scope = std::move(scope);
  if (auto group = param("group")) {
    if (drill.scope.by == Dimension::kNone) return Bad("group needs by: the dimension it is of");
    drill.group = std::string(*group);
  }
  auto refuse = [&](std::string_view name, std::string_view which) -> Status {
    if (param(name)) {
      return Bad(fmt::format("{} is not a figure of this report (only {})", name, which));
    }
    return OkStatus();
  };
  const bool stages = report == ReportKind::kFunnel || report == ReportKind::kAttribution;
  if (auto stage = param("stage"); stage && stages) {
    TANDEM_ASSIGN_OR_RETURN(drill.stage, StageParam(report, *stage));
  }
  if (!stages) TANDEM_RETURN_IF_ERROR(refuse("stage", "funnel and attribution"));
  if (report == ReportKind::kOutcomes) {
    if (auto outcome = param("outcome")) {
      if (*outcome != "rejected" && *outcome != "lost" && *outcome != "recycled" &&
          *outcome != "disqualified") {
        return Bad(fmt::format(
            "outcome=\"{}\" is not one of rejected, lost, recycled, disqualified", *outcome));
      }
      drill.outcome = std::string(*outcome);
    }
    if (auto reason = param("reason")) drill.reason = std::string(*reason);
  } else {
    TANDEM_RETURN_IF_ERROR(refuse("outcome", "outcomes"));
    TANDEM_RETURN_IF_ERROR(refuse("reason", "outcomes"));
  }
  if (auto bucket = param("bucket"); bucket && report == ReportKind::kSpeedToLead) {
    for (size_t i = 0; i < kSpeedBuckets.size(); ++i) {
      if (*bucket == kSpeedBuckets[i]) drill.bucket = i;
    }
    if (!drill.bucket) {
      return Bad(fmt::format(
          "bucket=\"{}\" is not one of under_5_min, 5_to_60_min, 1_to_24_h, over_24_h, never",
          *bucket));
    }
  }
  if (report != ReportKind::kSpeedToLead) TANDEM_RETURN_IF_ERROR(refuse("bucket", "speed to lead"));
  if (auto limit = param("limit")) {
    TANDEM_ASSIGN_OR_RETURN(int64_t n, Number("limit", *limit, 1, 200));
    drill.limit = static_cast<size_t>(n);
  }
  if (auto cursor = param("cursor"); cursor && !cursor->empty()) {
    auto after = Number("cursor", *cursor, 0, INT64_MAX);
    if (!after.ok()) return Bad("cursor is not a next_cursor this report gave");
    drill.after = *after;
  }
  return drill;
}

std::string DrillCursor(int64_t lead_id) { return std::to_string(lead_id); }

AttributionDrill::AttributionDrill(DrillDown drill, AttributionQuery query)
    : drill_(std::move(drill)), query_(std::move(query)) {}

void AttributionDrill::Add(const Deal& deal) {
  if (deal.lead_id <= drill_.after) return;
  if (drill_.stage && deal.stage != *drill_.stage) return;
  int64_t micros = 0, cents = 0;
  for (const Credit& c : CreditDeal(deal, query_)) {
    if (drill_.group && GroupOfTouch(deal, c.touch, query_.scope.by) != *drill_.group) continue;
    micros += c.micros;
    cents += c.cents;
  }
  // A group's figure counts the deals that gave it any credit (AttributionBuilder).
  if (drill_.group && micros == 0 && cents == 0) return;
  DrillCredit& lead = leads_[deal.lead_id];
  lead.lead_id = deal.lead_id;
  lead.micros += micros;
  lead.cents += cents;
  // Only the page and one more are kept: a lead dropped here has an id above all kept,
  // and the kept ids only get smaller.
  if (leads_.size() > drill_.limit + 1) leads_.erase(std::prev(leads_.end()));
}

std::vector<DrillCredit> AttributionDrill::Page(bool* more) const {
  std::vector<DrillCredit> page;
  for (const auto& [id, credit] : leads_) {
    if (page.size() == drill_.limit) break;
    page.push_back(credit);
  }
  *more = leads_.size() > drill_.limit;
  return page;
}

}  // namespace tandem
