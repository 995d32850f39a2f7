// The lead's JSON text is written by hand; it must be the text the document form of the
// same members would dump, whatever the record holds.
#include "leads/lead_json.h"

#include <gtest/gtest.h>

#include "core/time_format.h"

namespace tandem {
namespace {

using nlohmann::json;

json Text(const std::string& s) { return s.empty() ? json() : json(s); }
json Time(const std::optional<TimePoint>& t) { return t ? json(FormatIsoTime(*t)) : json(); }

// The lead's members as a document, the way the API has always shaped them.
json Reference(const LeadRecord& l, const std::optional<UserRecord>& owner,
               const ScoreExplanation& score) {
  json traits = json::parse(l.traits, nullptr, false);
  if (traits.is_discarded()) traits = json::object();
  json company = {{"name", Text(l.company_name)}, {"domain", Text(l.account_domain)}};
  for (const char* key : {"size", "industry"}) {
    if (auto it = traits.find("company");
        it != traits.end() && it->is_object() && it->contains(key))
      company[key] = (*it)[key];
  }
  auto stored = [](const std::string& text) {
    return text.empty() ? json() : json::parse(text, nullptr, false);
  };
  json owner_json;
  if (owner)
    owner_json = {{"id", UserIdText(owner->id)}, {"email", owner->email}, {"name", owner->name}};
  return {{"id", LeadIdText(l.id)},
          {"email", Text(l.email)},
          {"name", Text(l.name)},
          {"title", Text(l.title)},
          {"company", company},
          {"stage", StageName(l.stage)},
          {"stage_reason", Text(l.stage_reason)},
          {"revisit_on", Time(l.revisit_on)},
          {"priority", Text(l.priority)},
          {"owner", owner_json},
          {"team", Text(l.team)},
          {"queued", l.queued},
          {"score", {{"fit", score.fit}, {"engagement", score.engagement}, {"total", score.total}}},
          {"sla",
           {{"due_at", Time(l.sla_due_at)},
            {"met_at", Time(l.sla_met_at)},
            {"breached_at", Time(l.sla_breached_at)}}},
          {"first_touch", stored(l.first_touch)},
          {"last_touch", stored(l.last_touch)},
          {"visits", l.visits},
          {"traits", traits},
          {"mql_at", Time(l.mql_at)},
          {"last_activity_at", Time(l.last_activity_at)},
          {"contacted_at", Time(l.contacted_at)},
          {"created_at", FormatIsoTime(l.created_at)},
          {"updated_at", FormatIsoTime(l.updated_at)}};
}

LeadRecord Bare() {
  LeadRecord l;
  l.id = 7;
  l.stage = Stage::kLead;
  l.created_at = l.updated_at = FromUnixMillis(1764633600123);
  return l;
}

LeadRecord Full() {
  LeadRecord l = Bare();
  l.email = "ana@example.com";
  l.name = "Ana \"the closer\" O'Neil\n\tJr \\ \x01";
  l.title = "Directrice générale — 総務";
  l.company_name = "Acme </script>";
  l.account_domain = "acme.example";
  l.stage = Stage::kSql;
  l.stage_reason = "asked for a demo";
  l.revisit_on = FromUnixMillis(1767225600000);
  l.priority = "hot";
  l.team = "emea";
  l.queued = true;
  l.sla_due_at = FromUnixMillis(1764640000000);
  l.sla_met_at = FromUnixMillis(1764641000000);
  l.sla_breached_at = FromUnixMillis(1764642000000);
  l.first_touch = R"({"source":"google","medium":"cpc","at":"2026-11-01T10:00:00Z"})";
  l.last_touch = R"({"source":"linkedin","campaign":{"name":"q4"}})";
  l.visits = 42;
  l.traits = R"({"plan":"pro","company":{"size":250,"industry":"Software","x":[1,2]},"z":null})";
  l.mql_at = FromUnixMillis(1764000000000);
  l.last_activity_at = FromUnixMillis(1764500000000);
  l.contacted_at = FromUnixMillis(1764600000000);
  return l;
}

void ExpectSameText(const LeadRecord& l, const std::optional<UserRecord>& owner,
                    const ScoreExplanation& score) {
  const std::string text = LeadJsonText(l, owner, score);
  EXPECT_EQ(text, Reference(l, owner, score).dump());
  EXPECT_EQ(LeadToJson(l, owner, score), Reference(l, owner, score));
}

TEST(LeadJsonTest, ABareLeadIsWrittenAsItsDocumentDumps) {
  ExpectSameText(Bare(), std::nullopt, ScoreExplanation{});
}

TEST(LeadJsonTest, EveryMemberSetWithTextThatNeedsEscapingIsWrittenAsItsDocumentDumps) {
  UserRecord owner;
  owner.id = 3;
  owner.email = "rep@example.com";
  owner.name = "Rep \"Quote\"";
  ScoreExplanation score;
  score.fit = 30;
  score.engagement = 12.345678901234;
  score.total = 42.345678901234;
  ExpectSameText(Full(), owner, score);
  score.fit = -0.1;
  score.engagement = 1e-7;
  score.total = 1e21;
  ExpectSameText(Full(), owner, score);
}

TEST(LeadJsonTest, TraitsThatAreNotAnObjectOrNotJsonAreWrittenAsBefore) {
  for (const char* traits : {"[1,2]", "not json", "{\"company\":\"Acme\"}", "{}", "\"x\""}) {
    LeadRecord l = Full();
    l.traits = traits;
    ExpectSameText(l, std::nullopt, ScoreExplanation{});
  }
}

}  // namespace
}  // namespace tandem
