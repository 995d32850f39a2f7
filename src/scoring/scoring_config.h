// The scoring policy from [scoring]: fit rules over traits, engagement rules over
// events, decay, MQL thresholds and hand-raise events. Plain data; see config/ for how
// it is read and validated.
#pragma once

#include <string>
#include <vector>

#include "rules/condition.h"

namespace tandem {

struct FitRule {
  std::string name;
  Condition condition;  // over the lead's traits
  double points = 0;    // negative for disqualifying signals
};

struct EngagementRule {
  std::string name;
  std::string type;              // event type to match ("track", "page", …); empty: any
  std::string event;             // track event / page name, without case; empty: any
  std::string path;              // glob on the page path ("/pricing*"); empty: any
  std::vector<Condition> where;  // over the whole message ("properties.plan")
  double points = 0;
  double cap_per_day = 0;  // most points (in absolute value) per UTC day; 0: no cap
};

struct ScoringConfig {
  std::vector<FitRule> fit;
  std::vector<EngagementRule> engagement;
  double half_life_days = 30;  // engagement halves every this many days
  double mql_fit = 15;         // MQL when fit >= mql_fit and engagement >= mql_engagement
  double mql_engagement = 25;
  // Optional: a lead whose total reaches this is routed with priority "hot"; must be
  // above the MQL thresholds (0: off).
  double hot_total = 0;
  // Hand-raise events make a lead MQL at once with priority "hot".
  std::vector<std::string> hand_raise_events = {"Demo Requested", "Contact Requested",
                                                "Trial Started"};
  // "Form Submitted" with properties.form (or form_id) in this list is a hand-raise too.
  std::vector<std::string> hand_raise_forms = {"contact-sales", "demo-request"};
};

// The policy of a fresh install: fit on title and company size, engagement on page
// views, pricing, downloads, forms, webinars and email clicks, careers pages negative.
// A [scoring] section that lists fit or engagement rules replaces that list.
ScoringConfig DefaultScoring();

}  // namespace tandem
