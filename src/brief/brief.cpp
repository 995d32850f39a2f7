#include "brief/brief.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "brief/brief_moments.h"
#include "brief/brief_sections.h"
#include "core/text.h"
#include "core/time_format.h"
#include "leads/lead_json.h"
#include "rules/condition.h"

namespace tandem {
namespace brief {

using nlohmann::json;

json NullIfEmpty(const std::string& s) { return s.empty() ? json() : json(s); }

std::string LowerFirst(std::string text) {
  if (text.size() > 1 && std::isupper(static_cast<unsigned char>(text[0])) &&
      !std::isupper(static_cast<unsigned char>(text[1]))) {
    text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  }
  return text;
}

std::string ContainsForbidden(std::string_view text) {
  for (const std::string& phrase : ForbiddenTalkingPhrases()) {
    if (ContainsNoCase(text, phrase)) return phrase;
  }
  return "";
}

}  // namespace brief

namespace {

using brief::Ago;

// The brief is the owner's: a time not about reaching the lead is in the owner's zone
// (UTC without one); one about reaching the lead in the lead's (docs/api.md).
TimeZone ReaderZone(const BriefInput& in) {
  if (in.owner) {
    if (auto zone = TimeZone::Find(in.owner->timezone)) return *zone;
  }
  return TimeZone::Utc();
}

TimeZone LeadZoneOf(const BriefInput& in) { return in.zone.zone ? *in.zone.zone : TimeZone::Utc(); }

// "on 2026-12-01 (in 3 days)"; the date alone when it is weeks away.
std::string DayAndAgo(TimePoint now, TimePoint t) {
  std::string ago = Ago(now, t);
  if (ago.starts_with("on ")) return ago;
  return fmt::format("on {} ({})", brief::DayText(t), ago);
}

using brief::CampaignSection;
using brief::ContainsForbidden;
using brief::DayText;
using brief::Journey;
using brief::LowerFirst;
using brief::Moment;
using brief::MomentKind;
using brief::NullIfEmpty;
using brief::TalkingPoints;
using nlohmann::json;

std::string Trait(const json& traits, std::string_view path) { return FieldText(traits, path); }

// The name the owner calls the lead by: first name, else the name, else the address.
std::string FirstName(const LeadRecord& lead, const json& traits) {
  std::string first = Trait(traits, "first_name");
  if (first.empty()) first = Trait(traits, "firstName");
  if (first.empty() && !lead.name.empty()) first = lead.name.substr(0, lead.name.find(' '));
  return first.empty() ? (lead.email.empty() ? "the lead" : lead.email) : first;
}

std::string UserName(const BriefInput& in, std::optional<int64_t> id) {
  if (!id) return "Tandem";
  for (const UserRecord& u : in.users) {
    if (u.id == *id) return u.name;
  }
  return UserIdText(*id);
}

std::optional<int64_t> ActorUserId(std::string_view actor) {
  if (!actor.starts_with("user:")) return std::nullopt;
  return ParseUserId(actor.substr(5));
}

// "a, b and c"
std::string JoinAnd(const std::vector<std::string>& parts) {
  if (parts.empty()) return "";
  if (parts.size() == 1) return parts[0];
  std::string out;
  for (size_t i = 0; i + 1 < parts.size(); ++i) out += (i == 0 ? "" : ", ") + parts[i];
  return out + " and " + parts.back();
}

// --- Why now -------------------------------------------------------------------

// Why now, when the lead crossed the MQL score: what they did in the week before.
json ScoreCrossing(const BriefInput& in, const brief::Analysis& an, const LeadLogEntry& mql,
                   const std::string& cause, const std::string& came_back, json out) {
  // The crossing happened with the last event before Tandem recorded it.
  TimePoint crossed = mql.at;
  for (const BriefEvent& e : in.events) {
    if (e.at <= mql.at) crossed = e.at;
  }
  // A score crossing: name what they did in the week before it.
  std::vector<std::string> recent;
  for (auto it = an.moments.rbegin(); it != an.moments.rend() && recent.size() < 3; ++it) {
    if (it->event->at > crossed || it->event->at < crossed - std::chrono::days(7)) continue;
    if (it->kind == MomentKind::kIdentified) continue;
    std::string text = LowerFirst(it->text);
    if (std::find(recent.begin(), recent.end(), text) == recent.end()) recent.push_back(text);
  }
  std::reverse(recent.begin(), recent.end());
  out["trigger"] = cause.starts_with("hand-raise") ? "hand_raise" : "mql_score";
  out["at"] = FormatIsoTime(crossed);
  std::string text =
      came_back + fmt::format("Became a marketing-qualified lead {}", Ago(in.now, crossed));
  if (!recent.empty()) {
    std::string joined = JoinAnd(recent);
    joined[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(joined[0])));
    text = came_back +
           fmt::format("{} in the week before qualifying {}", joined, Ago(in.now, crossed));
  }
  out["text"] = text + ".";
  return out;
}

// What a lead that came back did after it was recycled at `from`: its latest moments
// (at most 4, oldest first) and the nurture emails it was sent.
std::vector<std::string> SinceRecycled(const BriefInput& in, const brief::Analysis& an,
                                       TimePoint from) {
  std::vector<std::string> out;
  for (auto it = an.moments.rbegin(); it != an.moments.rend() && out.size() < 4; ++it) {
    if (it->event->at <= from || it->kind == MomentKind::kIdentified) continue;
    std::string text = LowerFirst(it->text) + " " + Ago(in.now, it->event->at);
    if (std::find(out.begin(), out.end(), text) == out.end()) out.push_back(text);
  }
  std::reverse(out.begin(), out.end());
  int nurture = 0;
  for (const LeadLogEntry& entry : in.log) {
    // A step in the same moment as the recycle came after it (the log's order).
    if (entry.kind == "sequence_step" && entry.at >= from &&
        entry.data.find("\"outcome\":\"queued\"") != std::string::npos) {
      ++nurture;
    }
  }
  if (nurture > 0)
    out.push_back(fmt::format("was sent {} nurture email{}", nurture, nurture == 1 ? "" : "s"));
  return out;
}

// A recycled lead's why-now: not what once qualified it but when to look at it again.
json SetAside(const BriefInput& in, const LeadLogEntry& recycled) {
  json data = json::parse(recycled.data, nullptr, false);
  const std::string reason = data.is_object() ? data.value("reason", "") : "";
  const std::optional<TimePoint>& revisit = in.lead.revisit_on;
  return {
      {"trigger", "recycled"},
      {"at", FormatIsoTime(recycled.at)},
      {"event_id", nullptr},
      {"revisit_on", TimeOrNull(revisit)},
      {"text", fmt::format("Recycled {}{}; {}.", Ago(in.now, recycled.at),
                           reason.empty() ? "" : " (" + reason + ")",
                           revisit ? fmt::format("it comes back to sales {}, or sooner if it asks",
                                                 DayAndAgo(in.now, *revisit))
                                   : "it comes back to sales when it asks")}};
}

json WhyNow(const BriefInput& in, const brief::Analysis& an) {
  const LeadRecord& lead = in.lead;
  // The latest move to MQL says what triggered the hand-off.
  const LeadLogEntry* mql = nullptr;
  const LeadLogEntry* recycled = nullptr;
  const LeadLogEntry* raised = nullptr;  // a hand-raise by a lead already qualified
  for (const LeadLogEntry& entry : in.log) {
    if (entry.kind == "priority_changed" && entry.data.find("\"hand-raise") != std::string::npos) {
      raised = &entry;
    }
    if (entry.kind != "stage_changed") continue;
    json data = json::parse(entry.data, nullptr, false);
    if (!data.is_object()) continue;
    if (data.value("to", "") == "mql") mql = &entry;
    if (data.value("to", "") == "recycled" && (mql == nullptr || mql->at <= entry.at)) {
      recycled = &entry;
    }
  }
  json out = {{"trigger", "none"}, {"at", nullptr}, {"event_id", nullptr}};
  if (lead.stage == Stage::kRecycled && recycled != nullptr) return SetAside(in, *recycled);
  std::string came_back;
  if (mql != nullptr && recycled != nullptr && recycled->at < mql->at) {
    json data = json::parse(recycled->data, nullptr, false);
    std::string reason = data.value("reason", "");
    came_back = fmt::format("Came back after being recycled {}{}: ", Ago(mql->at, recycled->at),
                            reason.empty() ? "" : " (" + reason + ")");
    out["came_back"] = true;
    out["since_recycled"] = SinceRecycled(in, an, recycled->at);
  }
  if (mql != nullptr) {
    // Qualified by score, then asked for sales: the hand-raise is the reason now.
    const bool raised_since = raised != nullptr && raised->at >= mql->at;
    json data = json::parse((raised_since ? raised : mql)->data, nullptr, false);
    const std::string cause = data.value("cause", "");
    std::optional<int64_t> event_id;
    if (size_t at = cause.rfind("(event "); at != std::string::npos) {
      event_id = std::atoll(cause.c_str() + at + 7);
    }
    const BriefEvent* event = event_id ? an.Event(in, *event_id) : nullptr;
    if (cause.starts_with("revisit")) {
      // Its revisit date sent it back to sales: say what it did since it was recycled.
      out["trigger"] = "revisit";
      out["at"] = FormatIsoTime(mql->at);
      std::vector<std::string> since = out.value("since_recycled", std::vector<std::string>{});
      out["text"] =
          came_back + fmt::format("its revisit date came {}; since it was recycled it {}.",
                                  Ago(in.now, mql->at),
                                  since.empty() ? "did nothing Tandem saw" : JoinAnd(since));
      return out;
    }
    if (cause.starts_with("hand-raise") && event != nullptr) {
      const Moment* moment = an.MomentOf(event->id);
      std::string what = moment != nullptr ? moment->text : std::string(event->name);
      out["trigger"] = "hand_raise";
      out["at"] = FormatIsoTime(event->at);
      out["event_id"] = event->id;
      out["text"] = came_back + what + " " + Ago(in.now, event->at) + ".";
      if (raised_since) {
        out["text"] = out["text"].get<std::string>() +
                      fmt::format(" Already a marketing-qualified lead by score since {}.",
                                  LocalMinuteText(ReaderZone(in), mql->at));
      }
      return out;
    }
    return ScoreCrossing(in, an, *mql, cause, came_back, std::move(out));
  }
  if (!an.moments.empty()) {
    const Moment& last = an.moments.back();
    out["text"] = fmt::format(
        "Not qualified yet (stage {}): no hand-raise and the score is below the MQL thresholds. "
        "Latest: {} {}.",
        StageName(lead.stage), LowerFirst(last.text), Ago(in.now, last.event->at));
    return out;
  }
  out["note"] = "No trigger: no hand-raise, no qualification and no recorded activity.";
  out["text"] = out["note"];
  return out;
}

// --- Who -----------------------------------------------------------------------

json Who(const BriefInput& in, const json& traits) {
  const LeadRecord& lead = in.lead;
  std::vector<std::string> place;
  for (const char* key :
       {"address.city", "city", "address.state", "state", "address.country", "country"}) {
    std::string value = Trait(traits, key);
    if (!value.empty() && std::find(place.begin(), place.end(), value) == place.end()) {
      place.push_back(value);
    }
  }
  std::string location;
  for (const std::string& p : place) location += (location.empty() ? "" : ", ") + p;
  json out = {
      {"name", NullIfEmpty(lead.name)},
      {"email", NullIfEmpty(lead.email)},
      {"phone", NullIfEmpty(Trait(traits, "phone"))},
      {"title", NullIfEmpty(lead.title)},
      {"company", NullIfEmpty(lead.company_name)},
      {"domain", NullIfEmpty(lead.account_domain)},
      {"company_size", NullIfEmpty(Trait(traits, "company.size"))},
      {"industry", NullIfEmpty(Trait(traits, "company.industry"))},
      {"location", NullIfEmpty(location)},
      {"timezone", in.zone.zone ? json(in.zone.zone->name()) : json()},
      {"timezone_source", in.zone.source},
      {"local_time", nullptr},
      {"preferred_channel",
       in.prefs.preferred_channel ? json(ChannelName(*in.prefs.preferred_channel)) : json()}};
  if (in.zone.zone) {
    static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    LocalMoment local = in.zone.zone->Local(in.now);
    out["local_time"] =
        fmt::format("{} {:02}:{:02}", kDays[local.weekday], local.minute / 60, local.minute % 60);
  }
  std::vector<std::string> missing;
  for (const char* key :
       {"name", "title", "company", "company_size", "industry", "location", "phone", "timezone"}) {
    if (out[key].is_null()) missing.push_back(key);
  }
  out["unknown"] = missing;
  if (missing.size() == 8) {
    out["note"] = "Nothing is known about this person beyond their address.";
  }
  return out;
}

// --- Can I contact them --------------------------------------------------------

json ContactAnswer(const ContactDecision& d) {
  return {{"allowed", d.allowed}, {"reasons", ReasonsToJson(d.reasons)}};
}

json Contact(const BriefInput& in) {
  json out = {{"as", in.owner ? json(OwnerToJson(in.owner)) : json()},
              {"call", ContactAnswer(in.call)},
              {"email", ContactAnswer(in.email)}};
  if (!in.owner) out["note"] = "Nobody owns this lead yet; the answers are for its future owner.";
  return out;
}

// --- Score ---------------------------------------------------------------------

json Score(const BriefInput& in, const brief::Analysis& an) {
  std::vector<const ExplainedItem*> items;
  for (const ExplainedItem& item : in.score.items) {
    if (item.decayed_points != 0) items.push_back(&item);
  }
  std::stable_sort(items.begin(), items.end(), [](const ExplainedItem* a, const ExplainedItem* b) {
    return std::abs(a->decayed_points) > std::abs(b->decayed_points);
  });
  json reasons = json::array();
  for (size_t i = 0; i < items.size() && i < 5; ++i) {
    const ExplainedItem& e = *items[i];
    std::string because = e.item.trait;
    if (e.item.event_id) {
      const Moment* m = an.MomentOf(*e.item.event_id);
      const BriefEvent* event = an.Event(in, *e.item.event_id);
      because = m != nullptr ? m->text
                : event != nullptr
                    ? (event->IsPage() ? fmt::format("Viewed {}", event->path)
                                       : fmt::format("{} {}", event->type, event->name))
                    : fmt::format("event {}", *e.item.event_id);
      because += " " + Ago(in.now, e.item.at);
    }
    reasons.push_back({{"rule", e.item.rule},
                       {"axis", ScoreAxisName(e.item.axis)},
                       {"points", e.decayed_points},
                       {"because", because}});
  }
  json out = {{"fit", in.score.fit},
              {"engagement", in.score.engagement},
              {"total", in.score.total},
              {"top_reasons", reasons}};
  if (reasons.empty()) out["note"] = "No score: no fit rule matches and no engagement is recorded.";
  return out;
}

// --- History -------------------------------------------------------------------

json History(const BriefInput& in) {
  json owners = json::array();
  for (const AssignmentRecord& a : in.assignments) {
    if (!a.ended_at) continue;  // the current owner is in next_step
    owners.push_back({{"owner", UserName(in, a.user_id)},
                      {"from", FormatIsoTime(a.started_at)},
                      {"until", FormatIsoTime(*a.ended_at)},
                      {"end_reason", NullIfEmpty(a.end_reason)},
                      {"first_contact_at", TimeOrNull(a.first_touch_at)},
                      {"sla_missed", a.sla_breached_at.has_value()}});
  }
  json touches = json::array();
  constexpr size_t kTouches = 10;
  size_t start = in.touches.size() > kTouches ? in.touches.size() - kTouches : 0;
  for (size_t i = start; i < in.touches.size(); ++i) {
    const TouchRecord& t = in.touches[i];
    touches.push_back({{"at", FormatIsoTime(t.at)},
                       {"by", UserName(in, t.user_id)},
                       {"channel", ChannelName(t.channel)},
                       {"direction", t.direction},
                       {"purpose", PurposeName(t.purpose)},
                       {"note", NullIfEmpty(t.note)}});
  }
  json outcomes = json::array(), recycles = json::array();
  for (const LeadLogEntry& entry : in.log) {
    if (entry.kind != "outcome" && entry.kind != "stage_changed") continue;
    json data = json::parse(entry.data, nullptr, false);
    if (!data.is_object()) continue;
    const std::string by = UserName(in, ActorUserId(entry.actor));
    if (entry.kind == "outcome") {
      json item = {{"at", FormatIsoTime(entry.at)},
                   {"by", entry.actor.starts_with("user:") ? by : entry.actor},
                   {"disposition", data.value("disposition", "")},
                   {"reason", data.contains("reason") ? data["reason"] : json()}};
      if (data.contains("amount")) item["amount"] = data["amount"];
      outcomes.push_back(std::move(item));
    } else if (entry.kind == "stage_changed" &&
               (data.value("to", "") == "recycled" || data.value("to", "") == "disqualified") &&
               !data.value("cause", "").starts_with("outcome")) {
      recycles.push_back({{"at", FormatIsoTime(entry.at)},
                          {"to", data["to"]},
                          {"reason", data.contains("reason") ? data["reason"] : json()},
                          {"by", entry.actor.starts_with("user:") ? by : entry.actor}});
    }
  }
  json out = {{"previous_owners", owners},
              {"touches", touches},
              {"earlier_touches", start},
              {"outcomes", outcomes},
              {"recycled", recycles}};
  if (owners.empty() && touches.empty() && outcomes.empty() && recycles.empty()) {
    out["note"] = "No history: nobody has owned, contacted or qualified this lead before.";
  }
  return out;
}

// --- Next step -----------------------------------------------------------------

// Why the gate refuses, in its first refusal's words: the next step says it where it
// stands rather than pointing at another section.
std::string FirstBlock(const ContactDecision& d) {
  for (const ContactReason& r : d.reasons) {
    if (r.severity == "block") return r.message;
  }
  return "the contact rules refuse it";
}

std::string Earliest(const ContactDecision& d, TimePoint now, const TimeZone& lead_zone) {
  std::optional<TimePoint> until;
  for (const ContactReason& r : d.reasons) {
    if (r.severity != "block") continue;
    if (!r.until) return "";  // blocked with no end
    until = until ? std::max(*until, *r.until) : *r.until;
  }
  return until ? fmt::format("{} ({})", LocalMinuteText(lead_zone, *until), Ago(now, *until)) : "";
}

json NextStep(const BriefInput& in, const json& talking, const json& traits) {
  const LeadRecord& lead = in.lead;
  json out = {{"owner", OwnerToJson(in.owner)},
              {"sla_due_at", TimeOrNull(lead.sla_due_at)},
              {"sla_met_at", TimeOrNull(lead.sla_met_at)},
              {"sla_breached_at", TimeOrNull(lead.sla_breached_at)}};
  if (!in.owner) {
    out["sla"] = "No SLA clock runs without an owner.";
    out["action"] = lead.queued ? "Give this lead an owner: it waits in the fallback queue."
                                : "No owner yet: routing assigns one when the lead qualifies.";
    return out;
  }
  std::string owner = fmt::format("Owner: {}. ", in.owner->name);
  if (lead.sla_met_at) {
    out["sla"] = fmt::format("First contact made {}.", Ago(in.now, *lead.sla_met_at));
  } else if (lead.sla_due_at) {
    out["sla"] = *lead.sla_due_at > in.now
                     ? fmt::format("First contact due by {} ({}).",
                                   LocalMinuteText(ReaderZone(in), *lead.sla_due_at),
                                   Ago(in.now, *lead.sla_due_at))
                     : fmt::format("First contact was due by {}: overdue.",
                                   LocalMinuteText(ReaderZone(in), *lead.sla_due_at));
  } else {
    out["sla"] = "No SLA clock runs for this lead.";
  }
  out["sla"] = owner + out["sla"].get<std::string>();
  const std::string name = FirstName(lead, traits);
  std::string opener;
  const json& points = talking["points"];
  if (!points.empty() && !points[0]["questions"].empty()) {
    opener = fmt::format(" Open with their problem, e.g. \"{}\"",
                         points[0]["questions"][0].get<std::string>());
  } else if (!points.empty() && points[0]["problem"].is_string()) {
    opener = fmt::format(" Speak to {}.", LowerFirst(points[0]["problem"].get<std::string>()));
  } else {
    opener = " Ask about their situation before offering anything.";
  }
  const bool prefers_email = in.prefs.preferred_channel == Channel::kEmail;
  const bool hot = lead.priority == "hot";
  std::string action;
  if (in.call.allowed && !prefers_email && (hot || in.prefs.preferred_channel == Channel::kCall)) {
    action = fmt::format("Call {} now.", name);
  } else if (in.email.allowed) {
    action = fmt::format("Email {}{}.", name,
                         in.call.allowed ? "" : " (no call now: " + FirstBlock(in.call) + ")");
  } else if (in.call.allowed) {
    action = fmt::format("Call {}; no email: {}.", name, FirstBlock(in.email));
  } else {
    std::string when = Earliest(in.call, in.now, LeadZoneOf(in));
    std::string email_when = Earliest(in.email, in.now, LeadZoneOf(in));
    if (when.empty() || (!email_when.empty() && email_when < when)) when = email_when;
    out["action"] = when.empty()
                        ? "Do not contact: neither a call nor an email is allowed."
                        : fmt::format("Do not contact yet; the next allowed moment is {}.", when);
    return out;
  }
  out["action"] = action + opener;
  return out;
}

}  // namespace

const std::vector<std::string>& BriefDontList() {
  static const std::vector<std::string> kDont = {
      "Don't mention tracking or that they were on the website; speak to their problem.",
      "Don't open with the company pitch; open with a question about their situation.",
      "Don't thank them for their interest in the company; they were interested in the content.",
  };
  return kDont;
}

const std::vector<std::string>& ForbiddenTalkingPhrases() {
  static const std::vector<std::string> kPhrases = {
      "website",
      "web site",
      "our site",
      "tracking",
      "tracked",
      "we noticed",
      "we saw",
      "i saw you",
      "i see you",
      "you visited",
      "you were on",
      "your visit",
      "cookie",
      "interest in our",
      "interest in the company",
      "thank you for your interest",
      "thanks for your interest",
  };
  return kPhrases;
}

json BuildWhyNow(const BriefInput& in) { return WhyNow(in, brief::Analyze(in)); }

json BuildBrief(const BriefInput& in) {
  json traits = json::parse(in.lead.traits, nullptr, false);
  if (!traits.is_object()) traits = json::object();
  const brief::Analysis an = brief::Analyze(in);
  json why_now = WhyNow(in, an);
  json talking = TalkingPoints(in, an, traits);
  json out = {{"lead_id", LeadIdText(in.lead.id)},
              {"generated_at", FormatIsoTime(in.now)},
              {"stage", StageName(in.lead.stage)},
              {"priority", NullIfEmpty(in.lead.priority)}};
  out["why_now"] = why_now;
  out["who"] = Who(in, traits);
  out["contact"] = Contact(in);
  out["journey"] = Journey(in, an);
  out["campaign"] = CampaignSection(in, an, why_now);
  out["talking_points"] = talking;
  out["score"] = Score(in, an);
  out["history"] = History(in);
  out["next_step"] = NextStep(in, talking, traits);
  return out;
}

}  // namespace tandem
