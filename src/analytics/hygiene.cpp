#include "analytics/hygiene.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "core/time_format.h"
#include "leads/lead_json.h"

namespace tandem {
namespace {

// The q-quantile of sorted values (nearest rank).
double Quantile(const std::vector<double>& sorted, double q) {
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size(), std::max<size_t>(rank, 1)) - 1];
}

struct Tally {
  SlaStats stats;
  std::vector<double> minutes;

  void Add(const AssignmentRecord& a, TimePoint now) {
    ++stats.assigned;
    if (a.first_touch_at) {
      minutes.push_back(
          std::chrono::duration<double, std::ratio<60>>(*a.first_touch_at - a.started_at).count());
    }
    if (a.first_touch_at && *a.first_touch_at <= *a.sla_due_at) {
      ++stats.met;
    } else if (a.sla_breached_at || (a.first_touch_at && *a.first_touch_at > *a.sla_due_at) ||
               (!a.ended_at && *a.sla_due_at <= now)) {
      ++stats.breached;
    } else if (!a.ended_at) {
      ++stats.pending;
    }
  }

  SlaStats Finish() {
    if (stats.met + stats.breached > 0) {
      stats.compliance =
          static_cast<double>(stats.met) / static_cast<double>(stats.met + stats.breached);
    }
    if (!minutes.empty()) {
      std::sort(minutes.begin(), minutes.end());
      stats.median_minutes_to_first_touch = Quantile(minutes, 0.5);
      stats.p90_minutes_to_first_touch = Quantile(minutes, 0.9);
    }
    return stats;
  }
};

nlohmann::json OrNull(const std::optional<double>& v, int digits) {
  if (!v) return nullptr;
  double scale = std::pow(10.0, digits);
  return std::round(*v * scale) / scale;
}

nlohmann::json StatsToJson(const SlaStats& s) {
  return {{"key", s.key},
          {"name", s.name},
          {"assigned", s.assigned},
          {"met", s.met},
          {"breached", s.breached},
          {"pending", s.pending},
          {"compliance", OrNull(s.compliance, 4)},
          {"median_minutes_to_first_touch", OrNull(s.median_minutes_to_first_touch, 1)},
          {"p90_minutes_to_first_touch", OrNull(s.p90_minutes_to_first_touch, 1)}};
}

std::string Label(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

StatusOr<HygieneReport> BuildHygieneReport(HygieneSources from, TimePoint since, TimePoint now) {
  HygieneReport report;
  report.since = since;
  TANDEM_ASSIGN_OR_RETURN(report.never_touched, from.leads.CountNeverTouchedLeads());
  TANDEM_ASSIGN_OR_RETURN(report.refusals, from.refusals.CountRefusals(since));
  TANDEM_ASSIGN_OR_RETURN(auto assignments, from.leads.AssignmentsSince(since));
  TANDEM_ASSIGN_OR_RETURN(auto users, from.users.ListUsers());
  std::map<int64_t, const UserRecord*> by_id;
  for (const UserRecord& u : users) by_id[u.id] = &u;
  Tally all;
  all.stats.key = all.stats.name = "all";
  std::map<int64_t, Tally> reps;
  std::map<std::string, Tally> teams;
  for (const AssignmentRecord& a : assignments) {
    all.Add(a, now);
    Tally& rep = reps[a.user_id];
    rep.stats.key = UserIdText(a.user_id);
    auto user = by_id.find(a.user_id);
    if (user != by_id.end()) {
      rep.stats.name = user->second->name.empty() ? user->second->email : user->second->name;
    }
    rep.Add(a, now);
    std::string team = user != by_id.end() ? user->second->team : "";
    Tally& t = teams[team.empty() ? "(no team)" : team];
    t.stats.key = t.stats.name = team.empty() ? "(no team)" : team;
    t.Add(a, now);
  }
  report.overall = all.Finish();
  for (auto& [id, tally] : reps) report.by_rep.push_back(tally.Finish());
  for (auto& [name, tally] : teams) report.by_team.push_back(tally.Finish());
  return report;
}

nlohmann::json HygieneToJson(const HygieneReport& r) {
  nlohmann::json reps = nlohmann::json::array();
  for (const SlaStats& s : r.by_rep) reps.push_back(StatsToJson(s));
  nlohmann::json teams = nlohmann::json::array();
  for (const SlaStats& s : r.by_team) teams.push_back(StatsToJson(s));
  nlohmann::json by_reason = nlohmann::json::object();
  for (const auto& [code, count] : r.refusals.by_code) by_reason[code] = count;
  return {{"since", FormatIsoTime(r.since)},
          {"never_touched_mqls", r.never_touched},
          {"sla", {{"overall", StatsToJson(r.overall)}, {"by_rep", reps}, {"by_team", teams}}},
          {"refusals",
           {{"total", r.refusals.total},
            {"by_reason", by_reason},
            {"concurrent_attempts_stopped", r.refusals.concurrent}}}};
}

std::string HygieneToPrometheus(const HygieneReport& r) {
  std::string out;
  out +=
      "# HELP tandem_leads_never_touched Leads that reached MQL, are open for sales and were never "
      "contacted.\n# TYPE tandem_leads_never_touched gauge\n";
  out += fmt::format("tandem_leads_never_touched {}\n", r.never_touched);
  out +=
      "# HELP tandem_sla_assignments Assignments of the last 30 days by SLA state, per team.\n"
      "# TYPE tandem_sla_assignments gauge\n";
  for (const SlaStats& s : r.by_team) {
    for (auto [state, n] : {std::pair<const char*, int64_t>{"met", s.met},
                            {"breached", s.breached},
                            {"pending", s.pending}}) {
      out += fmt::format("tandem_sla_assignments{{team=\"{}\",state=\"{}\"}} {}\n", Label(s.key),
                         state, n);
    }
  }
  out +=
      "# HELP tandem_sla_compliance_ratio Share of decided SLAs of the last 30 days met in time.\n"
      "# TYPE tandem_sla_compliance_ratio gauge\n";
  for (const SlaStats& s : r.by_rep) {
    if (s.compliance) {
      out += fmt::format("tandem_sla_compliance_ratio{{rep=\"{}\"}} {:.4f}\n", Label(s.key),
                         *s.compliance);
    }
  }
  if (r.overall.compliance) {
    out +=
        fmt::format("tandem_sla_compliance_ratio{{rep=\"all\"}} {:.4f}\n", *r.overall.compliance);
  }
  out +=
      "# HELP tandem_first_touch_minutes Minutes from assignment to first touch (last 30 days).\n"
      "# TYPE tandem_first_touch_minutes gauge\n";
  if (r.overall.median_minutes_to_first_touch) {
    out += fmt::format("tandem_first_touch_minutes{{quantile=\"0.5\"}} {:.1f}\n",
                       *r.overall.median_minutes_to_first_touch);
    out += fmt::format("tandem_first_touch_minutes{{quantile=\"0.9\"}} {:.1f}\n",
                       *r.overall.p90_minutes_to_first_touch);
  }
  out +=
      "# HELP tandem_touch_refusals Touches the contact gate refused, by reason.\n"
      "# TYPE tandem_touch_refusals gauge\n";
  for (const auto& [code, count] : r.refusals.by_code) {
    out += fmt::format("tandem_touch_refusals{{reason=\"{}\"}} {}\n", Label(code), count);
  }
  out +=
      "# HELP tandem_touch_concurrent_stopped Contact attempts stopped because another had just "
      "been recorded.\n# TYPE tandem_touch_concurrent_stopped gauge\n";
  out += fmt::format("tandem_touch_concurrent_stopped {}\n", r.refusals.concurrent);
  return out;
}

}  // namespace tandem
