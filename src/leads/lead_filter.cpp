#include "leads/lead_filter.h"

#include <fmt/format.h>

#include <charconv>

#include "core/query_string.h"
#include "core/text.h"
#include "core/time_format.h"
#include "leads/lead_json.h"

namespace tandem {
namespace {

using Params = LeadFilterValues;

Status Invalid(std::string message) {
  return InvalidArgument("invalid_parameter", std::move(message));
}

std::string Param(const Params& params, const char* name) {
  auto it = params.find(name);
  return it == params.end() ? "" : it->second;
}

// owner, stage, reason, priority, team, queued, source, form, q, sla.
Status ParseFilters(const Params& params, int64_t me, LeadQuery& q) {
  if (std::string owner = Param(params, "owner"); !owner.empty()) {
    if (owner == "me") {
      q.owner_id = me;
    } else if (owner == "none") {
      q.unassigned = true;
    } else if (auto id = ParseUserId(owner)) {
      q.owner_id = *id;
    } else {
      return Invalid(fmt::format("owner \"{}\" must be me, none or a user id (usr_12)", owner));
    }
  }
  // stage=mql or stage=mql,sal,sql: any of them.
  const std::string stages = Param(params, "stage");
  for (std::string_view rest = stages; !rest.empty();) {
    std::string stage(rest.substr(0, rest.find(',')));
    rest = rest.find(',') == std::string_view::npos ? "" : rest.substr(rest.find(',') + 1);
    auto parsed = ParseStage(stage);
    if (!parsed) return Invalid(fmt::format("stage \"{}\" is not a lifecycle stage", stage));
    q.stages.push_back(*parsed);
  }
  if (std::string priority = Param(params, "priority"); !priority.empty()) {
    if (priority != "hot" && priority != "mql") return Invalid("priority must be hot or mql");
    q.priority = priority;
  }
  q.team = Param(params, "team");
  q.stage_reason = std::string(TrimSpace(Param(params, "reason")));
  q.queued = Param(params, "queued") == "true";
  q.source = Param(params, "source");
  q.form = std::string(TrimSpace(Param(params, "form")));
  q.search = std::string(TrimSpace(Param(params, "q")));
  q.account = LowerAscii(TrimSpace(Param(params, "account")));
  if (std::string sla = Param(params, "sla"); !sla.empty()) {
    if (sla != "overdue") return Invalid(fmt::format("sla \"{}\" must be overdue", sla));
    q.sla_overdue = true;
  }
  return OkStatus();
}

// min_score, updated_since.
Status ParseBounds(const Params& params, LeadQuery& q) {
  if (std::string min = Param(params, "min_score"); !min.empty()) {
    double value = 0;
    auto [end, ec] = std::from_chars(min.data(), min.data() + min.size(), value);
    if (ec != std::errc() || end != min.data() + min.size()) {
      return Invalid(fmt::format("min_score \"{}\" is not a number", min));
    }
    q.min_score = value;
  }
  if (std::string since = Param(params, "updated_since"); !since.empty()) {
    auto t = ParseIsoTime(since);
    if (!t) return Invalid(fmt::format("updated_since \"{}\" is not an RFC 3339 time", since));
    q.updated_since = *t;
  }
  return OkStatus();
}

}  // namespace

const std::vector<std::string>& LeadFilterParams() {
  static const std::vector<std::string> kNames = {
      "owner",  "stage", "reason", "priority", "team",   "min_score", "updated_since",
      "source", "form",  "q",      "sla",      "queued", "account"};
  return kNames;
}

Status ParseLeadFilter(const LeadFilterValues& params, int64_t me, LeadQuery& query) {
  TANDEM_RETURN_IF_ERROR(ParseFilters(params, me, query));
  return ParseBounds(params, query);
}

StatusOr<LeadQuery> ParseSavedLeadFilter(std::string_view text, int64_t me) {
  const LeadFilterValues params = ParseQuery(text);
  const auto& known = LeadFilterParams();
  for (const auto& [name, value] : params) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return Invalid(
          fmt::format("unknown filter parameter \"{}\" (known: {})", name, fmt::join(known, ", ")));
    }
    for (unsigned char c : value) {
      if (c < 0x20 || c == 0x7f) {
        return Invalid(fmt::format("filter parameter \"{}\" holds a control character", name));
      }
    }
  }
  LeadQuery query;
  TANDEM_RETURN_IF_ERROR(ParseLeadFilter(params, me, query));
  return query;
}

}  // namespace tandem
