#include "leads/lead_json.h"

#include <fmt/format.h>

#include <charconv>

#include "contact/gate.h"
#include "core/json_text.h"
#include "core/time_format.h"

namespace tandem {
namespace {

std::optional<int64_t> ParsePrefixed(std::string_view text, std::string_view prefix) {
  if (text.starts_with(prefix)) text.remove_prefix(prefix.size());
  int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

nlohmann::json NullIfEmpty(const std::string& s) {
  return s.empty() ? nlohmann::json() : nlohmann::json(s);
}

nlohmann::json JsonOrNull(const std::string& text) {
  if (text.empty()) return nullptr;
  return nlohmann::json::parse(text, nullptr, false);
}

}  // namespace

std::optional<int64_t> ParseLeadId(std::string_view text) { return ParsePrefixed(text, "ld_"); }
std::optional<int64_t> ParseUserId(std::string_view text) { return ParsePrefixed(text, "usr_"); }

nlohmann::json TimeOrNull(const std::optional<TimePoint>& t) {
  return t ? nlohmann::json(FormatIsoTime(*t)) : nlohmann::json();
}

nlohmann::json OwnerToJson(const std::optional<UserRecord>& owner) {
  if (!owner) return nullptr;
  return {{"id", UserIdText(owner->id)}, {"email", owner->email}, {"name", owner->name}};
}

namespace {

// The lead's text is written by hand (it is on every page of leads), its members in
// the order nlohmann::json writes an object's: by name.
void Key(std::string& out, std::string_view name) {
  out += out.back() == '{' ? "\"" : ",\"";
  out += name;
  out += "\":";
}

void TextOrNull(std::string& out, std::string_view name, const std::string& text) {
  Key(out, name);
  if (text.empty()) {
    out += "null";
  } else {
    AppendJsonString(out, text);
  }
}

void TimeOrNullText(std::string& out, std::string_view name, const std::optional<TimePoint>& t) {
  Key(out, name);
  if (t) {
    AppendJsonString(out, FormatIsoTime(*t));
  } else {
    out += "null";
  }
}

// Stored JSON text, written again the way it was stored by (members by name, compact).
void StoredJson(std::string& out, std::string_view name, const nlohmann::json& value) {
  Key(out, name);
  out += value.dump();
}

void Number(std::string& out, std::string_view name, double value) {
  Key(out, name);
  out += nlohmann::json(value).dump();
}

}  // namespace

std::string LeadJsonText(const LeadRecord& l, const std::optional<UserRecord>& owner,
                         const ScoreExplanation& score) {
  nlohmann::json traits = nlohmann::json::parse(l.traits, nullptr, false);
  if (traits.is_discarded()) traits = nlohmann::json::object();
  const auto company_trait = traits.find("company");
  auto company_member = [&](const char* name) -> const nlohmann::json* {
    if (company_trait == traits.end() || !company_trait->is_object()) return nullptr;
    auto it = company_trait->find(name);
    return it == company_trait->end() ? nullptr : &*it;
  };
  std::string out = "{";
  Key(out, "company");
  out += '{';
  TextOrNull(out, "domain", l.account_domain);
  if (const nlohmann::json* industry = company_member("industry"))
    StoredJson(out, "industry", *industry);
  TextOrNull(out, "name", l.company_name);
  if (const nlohmann::json* size = company_member("size")) StoredJson(out, "size", *size);
  out += '}';
  TimeOrNullText(out, "contacted_at", l.contacted_at);
  TimeOrNullText(out, "created_at", l.created_at);
  TextOrNull(out, "email", l.email);
  StoredJson(out, "first_touch", JsonOrNull(l.first_touch));
  Key(out, "id");
  AppendJsonString(out, LeadIdText(l.id));
  TimeOrNullText(out, "last_activity_at", l.last_activity_at);
  StoredJson(out, "last_touch", JsonOrNull(l.last_touch));
  TimeOrNullText(out, "mql_at", l.mql_at);
  TextOrNull(out, "name", l.name);
  StoredJson(out, "owner", OwnerToJson(owner));
  TextOrNull(out, "priority", l.priority);
  Key(out, "queued");
  out += l.queued ? "true" : "false";
  TimeOrNullText(out, "revisit_on", l.revisit_on);
  Key(out, "score");
  out += '{';
  Number(out, "engagement", score.engagement);
  Number(out, "fit", score.fit);
  Number(out, "total", score.total);
  out += '}';
  Key(out, "sla");
  out += '{';
  TimeOrNullText(out, "breached_at", l.sla_breached_at);
  TimeOrNullText(out, "due_at", l.sla_due_at);
  TimeOrNullText(out, "met_at", l.sla_met_at);
  out += '}';
  Key(out, "stage");
  AppendJsonString(out, StageName(l.stage));
  TextOrNull(out, "stage_reason", l.stage_reason);
  TextOrNull(out, "team", l.team);
  TextOrNull(out, "title", l.title);
  StoredJson(out, "traits", traits);
  TimeOrNullText(out, "updated_at", l.updated_at);
  Key(out, "visits");
  out += std::to_string(l.visits);
  out += '}';
  return out;
}

nlohmann::json LeadToJson(const LeadRecord& lead, const std::optional<UserRecord>& owner,
                          const ScoreExplanation& score) {
  return nlohmann::json::parse(LeadJsonText(lead, owner, score));
}

nlohmann::json UserToJson(const UserRecord& u) {
  auto hhmm = [](int minutes) {
    char text[32];
    std::snprintf(text, sizeof text, "%02d:%02d", minutes / 60, minutes % 60);
    return std::string(text);
  };
  nlohmann::json ooo = nullptr;
  if (u.ooo_from && u.ooo_until) {
    ooo = {{"from", FormatIsoTime(*u.ooo_from)}, {"until", FormatIsoTime(*u.ooo_until)}};
  }
  return {{"id", UserIdText(u.id)},
          {"email", u.email},
          {"name", u.name},
          {"role", RoleName(u.role)},
          {"team", NullIfEmpty(u.team)},
          {"timezone", u.timezone},
          {"capacity", u.capacity},
          {"hours", hhmm(u.hours_start) + "-" + hhmm(u.hours_end)},
          {"active", u.active},
          {"out_of_office", ooo},
          {"notify_by", u.notify_by},
          {"created_at", FormatIsoTime(u.created_at)},
          {"updated_at", FormatIsoTime(u.updated_at)}};
}

nlohmann::json ExplanationToJson(const ScoreExplanation& score) {
  nlohmann::json items = nlohmann::json::array();
  for (const ExplainedItem& e : score.items) {
    nlohmann::json because = nlohmann::json::object();
    if (e.item.event_id) because["event_id"] = *e.item.event_id;
    if (!e.item.trait.empty()) because["trait"] = e.item.trait;
    items.push_back({{"rule", e.item.rule},
                     {"axis", ScoreAxisName(e.item.axis)},
                     {"points", RoundPoints(e.item.points)},
                     {"decayed_points", e.decayed_points},
                     {"because", because},
                     {"at", FormatIsoTime(e.item.at)}});
  }
  return {{"total", score.total},
          {"fit", score.fit},
          {"engagement", score.engagement},
          {"explanation", items}};
}

nlohmann::json TouchToJson(const TouchRecord& t) {
  return {{"id", fmt::format("tch_{}", t.id)},
          {"lead_id", LeadIdText(t.lead_id)},
          {"user_id", t.user_id ? nlohmann::json(UserIdText(*t.user_id)) : nullptr},
          {"channel", ChannelName(t.channel)},
          {"purpose", PurposeName(t.purpose)},
          {"direction", t.direction},
          {"note", t.note},
          {"override_reason",
           t.override_reason.empty() ? nlohmann::json() : nlohmann::json(t.override_reason)},
          {"overridden", nlohmann::json::parse(t.overridden, nullptr, false)},
          {"warnings", nlohmann::json::parse(t.warnings, nullptr, false)},
          {"score", t.score_status.empty() ? nlohmann::json() : nlohmann::json(t.score_status)},
          {"at", FormatIsoTime(t.at)}};
}

nlohmann::json PreferencesToJson(const ContactPrefs& p, const std::vector<ConsentRecord>& consents,
                                 const LeadZone& zone) {
  nlohmann::json dnc = nlohmann::json::parse(p.do_not_contact, nullptr, false);
  if (!dnc.is_object()) dnc = nlohmann::json::object();
  nlohmann::json channels = nlohmann::json::array();
  for (auto& [channel, reason] : dnc.items()) channels.push_back(channel);
  nlohmann::json consent = nlohmann::json::object();
  for (Purpose purpose : ContactPurposes()) {
    std::string state = ConsentState(consents, purpose);
    consent[PurposeName(purpose)] = state.empty() ? "none" : state;
  }
  return {
      {"lead_id", LeadIdText(p.lead_id)},
      {"preferred_channel",
       p.preferred_channel ? nlohmann::json(ChannelName(*p.preferred_channel)) : nlohmann::json()},
      {"timezone", p.timezone.empty() ? nlohmann::json() : nlohmann::json(p.timezone)},
      {"effective_timezone", zone.zone ? nlohmann::json(zone.zone->name()) : nlohmann::json()},
      {"timezone_source", zone.source},
      {"do_not_contact", channels},
      {"do_not_contact_reasons", dnc},
      {"out_of_office", p.ooo_until ? nlohmann::json{{"from", FormatIsoTime(*p.ooo_from)},
                                                     {"until", FormatIsoTime(*p.ooo_until)}}
                                    : nlohmann::json()},
      {"unsubscribed", p.unsubscribed_at.has_value()},
      {"unsubscribed_at", TimeOrNull(p.unsubscribed_at)},
      {"address_source", p.address_source.empty() ? "event" : p.address_source},
      {"consent", consent}};
}

nlohmann::json ConsentToJson(const ConsentRecord& c) {
  return {
      {"id", fmt::format("cns_{}", c.id)},
      {"purpose", PurposeName(c.purpose)},
      {"status", c.status},
      {"at", FormatIsoTime(c.at)},
      {"method", c.method},
      {"form_id", c.form_id.empty() ? nlohmann::json() : nlohmann::json(c.form_id)},
      {"wording", c.wording},
      {"actor", c.actor},
      {"source", c.address_source.empty() ? nlohmann::json() : nlohmann::json(c.address_source)},
      {"evidence", c.evidence.empty() ? nlohmann::json() : nlohmann::json(c.evidence)}};
}

}  // namespace tandem
