#include "leads/rules_dry_run.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

namespace tandem {
namespace {

constexpr size_t kLeadsPerTxn = 100;

bool Qualified(double fit, double engagement, const ScoringConfig& scoring) {
  return fit >= scoring.mql_fit && engagement >= scoring.mql_engagement;
}

bool NotYetQualified(Stage stage) { return stage == Stage::kSubscriber || stage == Stage::kLead; }

// Whether two scores differ as the lists show them (one decimal).
bool Differs(double a, double b) { return std::fabs(a - b) >= 0.05; }

}  // namespace

StatusOr<RulesDryRun> DryRunRules(LeadListing& leads, LeadTxnSource& txns, const LeadEngine& live,
                                  const LeadEngine& candidate, TimePoint now, size_t limit) {
  RulesDryRun out;
  TANDEM_ASSIGN_OR_RETURN(std::vector<int64_t> ids, leads.ListLeadIds());
  std::sort(ids.begin(), ids.end());
  out.leads = ids.size();
  if (ids.size() > limit) ids.erase(ids.begin(), ids.end() - static_cast<ptrdiff_t>(limit));
  const auto old_rules = live.rules();
  const auto new_rules = candidate.rules();
  const bool rescore =
      ScoringPolicyHash(old_rules->scoring) != ScoringPolicyHash(new_rules->scoring);
  for (size_t start = 0; start < ids.size(); start += kLeadsPerTxn) {
    // Rolled back when it goes out of scope: the new scores are never kept.
    TANDEM_ASSIGN_OR_RETURN(auto txn, txns.BeginLeadTxn());
    for (size_t i = start; i < std::min(ids.size(), start + kLeadsPerTxn); ++i) {
      TANDEM_ASSIGN_OR_RETURN(auto lead, txn->GetLead(ids[i]));
      if (!lead) continue;  // folded into another since the listing, or erased
      ++out.examined;
      RuleChange change;
      change.lead = *lead;
      change.fit_before = lead->fit;
      change.engagement_before =
          EngagementFromRef(lead->engagement_ref, now, old_rules->scoring.half_life_days);
      change.fit_after = change.fit_before;
      change.engagement_after = change.engagement_before;
      if (rescore) {
        Status s = candidate.Rescore(*txn, lead->id, now);
        if (!s.ok() && s.code() != StatusCode::kNotFound) return s;
        TANDEM_ASSIGN_OR_RETURN(auto after, txn->GetLead(lead->id));
        if (after) {
          change.fit_after = after->fit;
          change.engagement_after =
              EngagementFromRef(after->engagement_ref, now, new_rules->scoring.half_life_days);
        }
      }
      change.qualifies =
          NotYetQualified(lead->stage) &&
          !Qualified(change.fit_before, change.engagement_before, old_rules->scoring) &&
          Qualified(change.fit_after, change.engagement_after, new_rules->scoring);
      const auto traits = nlohmann::json::parse(lead->traits, nullptr, false);
      change.team_before = ChooseTeam(old_rules->router.config(), traits);
      change.team_after = ChooseTeam(new_rules->router.config(), traits);
      const bool scored = Differs(change.fit_before, change.fit_after) ||
                          Differs(change.engagement_before, change.engagement_after);
      if (scored || change.qualifies || change.team_before.team != change.team_after.team) {
        out.changes.push_back(std::move(change));
      }
    }
  }
  return out;
}

}  // namespace tandem
