// The handoff brief's journey, campaign and talking-point sections (brief/brief.h).
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "brief/brief_sections.h"
#include "core/text.h"
#include "core/time_format.h"

namespace tandem::brief {

using nlohmann::json;

namespace {

// Where they first came from, as a sentence ("" without a first touch).
std::string FirstTouchText(const json& first, TimePoint now) {
  if (!first.is_object()) return "";
  std::string text;
  std::string source =
      first.value("source", json()).is_string() ? first["source"].get<std::string>() : "";
  std::string medium =
      first.value("medium", json()).is_string() ? first["medium"].get<std::string>() : "";
  text = source == "direct"
             ? std::string("First came directly")
             : fmt::format("First came from {}{}", source.empty() ? "an unknown source" : source,
                           medium.empty() || medium == "none" ? "" : " / " + medium);
  if (first.value("campaign", json()).is_string())
    text += fmt::format(", campaign {}", first["campaign"].get<std::string>());
  if (first.value("term", json()).is_string())
    text += fmt::format(", keyword \"{}\"", first["term"].get<std::string>());
  if (first.value("referrer_domain", json()).is_string() && source != first["referrer_domain"])
    text += fmt::format(", via {}", first["referrer_domain"].get<std::string>());
  if (first.value("landing_page", json()).is_string())
    text += fmt::format(", landing on {}", first["landing_page"].get<std::string>());
  if (auto at = ParseIsoTime(first.value("at", ""))) text += fmt::format(" ({})", Ago(now, *at));
  text += ". ";
  return text;
}

// Topics of interest, from the catalog entries they engaged with, the strongest first.
json Topics(const BriefInput& in, const Analysis& an) {
  std::map<std::string, int> topics;
  std::map<std::string, TimePoint> latest;
  for (size_t i = 0; i < in.events.size(); ++i) {
    const BriefEvent& e = in.events[i];
    const ContentAsset* asset = an.assets[i];
    if (asset == nullptr || asset->topic.empty()) continue;
    int weight = 1;
    if (an.moment_index[i] >= 0) {
      weight = brief::EngagementWeight(an.moments[static_cast<size_t>(an.moment_index[i])].kind);
    }
    topics[asset->topic] += weight;
    latest[asset->topic] = std::max(latest[asset->topic], e.at);
  }
  std::vector<std::pair<std::string, int>> ranked(topics.begin(), topics.end());
  std::stable_sort(ranked.begin(), ranked.end(), [&](const auto& a, const auto& b) {
    if (a.second != b.second) return a.second > b.second;
    return latest[a.first] > latest[b.first];
  });
  json topic_list = json::array();
  for (const auto& [topic, weight] : ranked)
    topic_list.push_back({{"topic", topic}, {"weight", weight}});
  return topic_list;
}

// The catalog entries they engaged with, the strongest engagement first.
struct Engaged {
  const ContentAsset* asset;
  int weight = 0;
  TimePoint latest;
  int best = 0;                       // the strongest engagement's weight
  const Moment* moment = nullptr;     // … and the moment it was, if any
  const BriefEvent* event = nullptr;  // … and its event (a page view without a moment)
};

std::vector<Engaged> EngagedContent(const BriefInput& in, const Analysis& an) {
  std::vector<Engaged> engaged;
  auto note = [&](const ContentAsset* asset, int weight, const BriefEvent& event,
                  const Moment* moment) {
    auto it = std::find_if(engaged.begin(), engaged.end(),
                           [&](const Engaged& e) { return e.asset == asset; });
    if (it == engaged.end()) {
      engaged.push_back({asset, 0, event.at, 0, nullptr, nullptr});
      it = engaged.end() - 1;
    }
    it->weight += weight;
    it->latest = std::max(it->latest, event.at);
    if (weight >= it->best) {
      it->best = weight;
      it->moment = moment;
      it->event = &event;
    }
  };
  for (const Moment& m : an.moments) {
    if (m.asset != nullptr) note(m.asset, brief::EngagementWeight(m.kind), *m.event, &m);
  }
  for (size_t i = 0; i < in.events.size(); ++i) {
    const BriefEvent& e = in.events[i];
    if (e.IsPage() && an.assets[i] != nullptr) note(an.assets[i], 1, e, nullptr);
  }
  std::stable_sort(engaged.begin(), engaged.end(), [](const Engaged& a, const Engaged& b) {
    if (a.weight != b.weight) return a.weight > b.weight;
    return a.latest > b.latest;
  });
  return engaged;
}

}  // namespace

// --- Journey -------------------------------------------------------------------

json Journey(const BriefInput& in, const brief::Analysis& an) {
  json out = json::object();
  json first =
      in.lead.first_touch.empty() ? json() : json::parse(in.lead.first_touch, nullptr, false);
  out["first_touch"] = first.is_object() ? first : json();
  int64_t page_views = 0, anonymous = 0;
  std::optional<TimePoint> identified;
  for (const BriefEvent& e : in.events) {
    if (e.IsPage() || e.type == "screen") ++page_views;
    if (!e.known && !identified) ++anonymous;
    if (e.known && !identified) identified = e.at;
  }
  out["first_seen_at"] = in.events.empty() ? json() : json(FormatIsoTime(in.events.front().at));
  out["identified_at"] = identified && anonymous > 0 ? json(FormatIsoTime(*identified)) : json();
  out["anonymous_events"] = identified ? anonymous : 0;
  out["events"] = in.events.size();
  out["visits"] = in.lead.visits;
  out["page_views"] = page_views;
  out["days_since_first_touch"] =
      in.events.empty()
          ? json()
          : json(std::chrono::floor<std::chrono::days>(in.now - in.events.front().at).count());
  // Key moments: the most recent ones, oldest first.
  constexpr size_t kShown = 15;
  json list = json::array();
  size_t start = an.moments.size() > kShown ? an.moments.size() - kShown : 0;
  for (size_t i = start; i < an.moments.size(); ++i) {
    const Moment& m = an.moments[i];
    json item = {{"at", FormatIsoTime(m.event->at)},
                 {"kind", brief::MomentKindName(m.kind)},
                 {"text", m.text},
                 {"event_id", m.event->id}};
    if (m.asset != nullptr) item["asset_id"] = m.asset->asset_id;
    list.push_back(std::move(item));
  }
  out["key_moments"] = list;
  out["earlier_moments"] = start;
  out["topics"] = Topics(in, an);

  if (in.events.empty()) {
    out["note"] = "No recorded activity: Tandem has no events for this person.";
    return out;
  }
  std::string text = FirstTouchText(first, in.now);
  const int64_t days = out["days_since_first_touch"].get<int64_t>();
  text += fmt::format(
      "{} visit{}, {} page view{} {}.", in.lead.visits, in.lead.visits == 1 ? "" : "s", page_views,
      page_views == 1 ? "" : "s",
      days == 0 ? "within a day" : fmt::format("over {} day{}", days, days == 1 ? "" : "s"));
  if (identified && anonymous > 0) {
    text += fmt::format(" Browsed anonymously for {} event{} before identifying themselves {}.",
                        anonymous, anonymous == 1 ? "" : "s", Ago(in.now, *identified));
  }
  out["text"] = text;
  return out;
}

// --- Campaign ------------------------------------------------------------------

json CampaignSection(const BriefInput& in, const brief::Analysis& an, const json& why_now) {
  // The campaigns they came through, the most telling first: the trigger's, the latest
  // visit's, the first visit's, then any other by recency.
  std::vector<std::pair<std::string, std::string>> seen;  // utm, how
  auto add = [&](std::string_view utm, const std::string& how) {
    if (utm.empty()) return;
    for (const auto& [u, _] : seen) {
      if (EqualsNoCase(u, utm)) return;
    }
    seen.emplace_back(std::string(utm), how);
  };
  if (why_now["event_id"].is_number()) {
    if (const BriefEvent* e = an.Event(in, why_now["event_id"].get<int64_t>())) {
      add(e->utm_campaign, "the visit that triggered the hand-off");
    }
  }
  for (const auto* touch : {&in.lead.last_touch, &in.lead.first_touch}) {
    json t = touch->empty() ? json() : json::parse(*touch, nullptr, false);
    if (t.is_object() && t.value("campaign", json()).is_string()) {
      add(t["campaign"].get<std::string>(),
          touch == &in.lead.first_touch ? "their first visit" : "their latest visit");
    }
  }
  for (auto it = in.events.rbegin(); it != in.events.rend(); ++it) add(it->utm_campaign, "a visit");
  json matched = json::array(), unknown = json::array();
  for (const auto& [utm, how] : seen) {
    if (const Campaign* c = in.catalog.FindCampaign(utm)) {
      matched.push_back({{"key", c->key},
                         {"name", c->name},
                         {"utm_campaign", c->utm_campaign},
                         {"persona", NullIfEmpty(c->persona)},
                         {"key_message", NullIfEmpty(c->key_message)},
                         {"offer", NullIfEmpty(c->offer)},
                         {"starts_on", NullIfEmpty(c->starts_on)},
                         {"ends_on", NullIfEmpty(c->ends_on)},
                         {"via", how}});
    } else {
      unknown.push_back(utm);
    }
  }
  json out = {{"campaigns", matched}, {"not_in_catalog", unknown}};
  if (matched.empty() && unknown.empty()) {
    out["note"] = "No campaign: they never arrived through a tagged campaign link.";
  } else if (matched.empty()) {
    out["note"] = fmt::format(
        "They came through {} but the campaign catalog has no entry for {}: ask marketing what "
        "it promised.",
        unknown.size() == 1 ? "campaign " + unknown[0].get<std::string>() : "several campaigns",
        unknown.size() == 1 ? "it" : "them");
  }
  return out;
}

// --- Talking points ------------------------------------------------------------

json TalkingPoints(const BriefInput& in, const brief::Analysis& an, const json& traits) {
  std::vector<Engaged> engaged = EngagedContent(in, an);
  const std::string role = in.lead.title;
  const std::string company = in.lead.company_name;
  std::string who = !role.empty() && !company.empty() ? fmt::format("a {} at {}", role, company)
                    : !role.empty()                   ? "a " + role
                    : !company.empty()                ? "someone at " + company
                                                      : "";
  (void)traits;
  json points = json::array(), left_out = json::array();
  constexpr size_t kMaxPoints = 3;
  for (const Engaged& e : engaged) {
    if (points.size() == kMaxPoints) break;
    const ContentAsset& a = *e.asset;
    json questions = json::array();
    for (const std::string& q : a.questions) {
      if (std::string bad = ContainsForbidden(q); !bad.empty()) {
        left_out.push_back({{"asset_id", a.asset_id}, {"text", q}, {"because", bad}});
      } else {
        questions.push_back(q);
      }
    }
    std::string problem = a.problem;
    if (std::string bad = ContainsForbidden(problem); !bad.empty()) {
      left_out.push_back({{"asset_id", a.asset_id}, {"text", problem}, {"because", bad}});
      problem.clear();
    }
    if (problem.empty() && questions.empty()) continue;
    json point = {{"asset_id", a.asset_id},
                  {"title", a.title},
                  {"topic", a.topic},
                  {"funnel_stage", NullIfEmpty(a.funnel_stage)},
                  {"engaged", e.moment != nullptr
                                  ? fmt::format("{} {}", e.moment->text, Ago(in.now, e.event->at))
                                  : fmt::format("Read the page of '{}' {}", a.title,
                                                Ago(in.now, e.event->at))},
                  {"problem", NullIfEmpty(problem)},
                  {"questions", questions}};
    if (!problem.empty()) {
      point["angle"] = who.empty()
                           ? fmt::format("Speak to the problem: {}", LowerFirst(problem))
                           : fmt::format("For {}, the problem is: {}", who, LowerFirst(problem));
    }
    points.push_back(std::move(point));
  }
  json out = {{"points", points}, {"dont", BriefDontList()}, {"left_out", left_out}};
  if (points.empty()) {
    out["note"] =
        engaged.empty()
            ? "No talking points: they engaged with no content in the catalog. Ask about their "
              "situation rather than guess it."
            : "No talking points: the catalog entries they engaged with have none usable.";
  }
  return out;
}

}  // namespace tandem::brief
