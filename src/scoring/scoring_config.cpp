#include "scoring/scoring_config.h"

namespace tandem {
namespace {

Condition Matches(std::string field, std::string pattern) {
  Condition c;
  c.field = std::move(field);
  c.op = ConditionOp::kMatches;
  c.texts = {pattern};
  c.regex = std::make_shared<const std::regex>(pattern, std::regex::ECMAScript | std::regex::icase);
  return c;
}

Condition AtLeast(std::string field, double number) {
  Condition c;
  c.field = std::move(field);
  c.op = ConditionOp::kGte;
  c.number = number;
  return c;
}

Condition Exists(std::string field) {
  Condition c;
  c.field = std::move(field);
  c.op = ConditionOp::kExists;
  return c;
}

}  // namespace

ScoringConfig DefaultScoring() {
  ScoringConfig s;
  s.fit = {
      {"decision maker", Matches("title", "\\b(chief|c[emot]o|vp|vice president|head|director)\\b"),
       15},
      {"manager", Matches("title", "\\bmanager\\b"), 8},
      {"company of 50+", AtLeast("company.size", 50), 10},
      {"company named", Exists("company.name"), 5},
      {"student or intern", Matches("title", "\\b(student|intern)\\b"), -20},
  };
  auto rule = [](std::string name, std::string type, std::string event, std::string path,
                 double points, double cap) {
    EngagementRule r;
    r.name = std::move(name);
    r.type = std::move(type);
    r.event = std::move(event);
    r.path = std::move(path);
    r.points = points;
    r.cap_per_day = cap;
    return r;
  };
  s.engagement = {
      rule("page view", "page", "", "", 1, 5),
      rule("pricing page", "page", "", "/pricing*", 10, 10),
      rule("content download", "track", "Content Downloaded", "", 15, 30),
      rule("form submitted", "track", "Form Submitted", "", 10, 20),
      rule("webinar attended", "track", "Webinar Attended", "", 20, 20),
      rule("email clicked", "track", "Email Link Clicked", "", 3, 9),
      rule("email replied", "track", "Email Replied", "", 10, 20),
      rule("careers page", "page", "", "/careers*", -10, 10),
  };
  return s;
}

}  // namespace tandem
