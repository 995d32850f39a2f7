#include "contact/gate.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/ids.h"
#include "core/text.h"
#include "core/time_format.h"
#include "rules/condition.h"

namespace tandem {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

// A touch this recent that blocks another counts the refusal as a concurrent attempt.
constexpr seconds kConcurrentWindow{60};

template <typename T, typename V>
bool Contains(const std::vector<T>& list, const V& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// People are named in what people read; ids are for the API's fields.
std::string Who(const std::optional<UserRecord>& user) {
  if (!user) return "the system";
  return user->name.empty() ? user->email : user->name;
}

// The lead's local time, as people read it (core/zones.h LocalMinuteText).
std::string LocalText(const LeadZone& zone, TimePoint t) {
  return LocalMinuteText(zone.zone ? *zone.zone : TimeZone::Utc(), t);
}

// A user who touched the lead, by name; a user no longer listed as "a colleague".
std::string UserName(const ContactFacts& facts, int64_t user_id) {
  auto it = facts.user_names.find(user_id);
  return it == facts.user_names.end() ? "a colleague" : it->second;
}

bool Inbound(std::string_view source) {
  return source.empty() || source == "form" || source == "event";
}

}  // namespace

std::chrono::hours TouchLookback(const ContactConfig& policy) {
  int days = policy.overall.days;
  for (const auto& [channel, cap] : policy.channel_caps) days = std::max(days, cap.days);
  return std::max(hours(24 * days), hours(policy.cooldown_hours));
}

bool IsOptOutAddress(const std::vector<ConsentRecord>& consents, std::string_view email) {
  std::string address;
  for (const ConsentRecord& c : consents) {
    if (c.purpose != Purpose::kEmailMarketing || c.status != "withdrawn") continue;
    nlohmann::json evidence = nlohmann::json::parse(c.evidence, nullptr, false);
    address =
        evidence.is_object() && evidence.contains("address") && evidence["address"].is_string()
            ? evidence["address"].get<std::string>()
            : "";
  }
  return !address.empty() && LowerAscii(address) == LowerAscii(email);
}

std::string ConsentState(const std::vector<ConsentRecord>& consents, Purpose purpose) {
  std::string state;
  for (const ConsentRecord& c : consents) {
    if (c.purpose != purpose) continue;
    if (c.status == "withdrawn") {
      state = "withdrawn";
    } else if (!(state == "withdrawn" && c.method == "import")) {
      state = "granted";
    }
  }
  return state;
}

LeadZone FindLeadZone(const ContactPrefs& prefs, const nlohmann::json& traits) {
  LeadZone out;
  if (auto zone = TimeZone::Find(prefs.timezone)) {
    out.zone = zone;
    out.source = "preferences";
    return out;
  }
  if (auto zone = TimeZone::Find(FieldText(traits, "timezone"))) {
    out.zone = zone;
    out.source = "traits";
    return out;
  }
  for (const char* path : {"address.country", "country", "company.country"}) {
    std::string country = FieldText(traits, path);
    if (country.empty()) continue;
    if (auto name = CountryTimeZone(country)) {
      out.zone = TimeZone::Find(*name);
      out.source = "country";
      out.detail = country;
      return out;
    }
  }
  return out;
}

namespace {

// The reasons a decision collects, in the order the checks run.
class Verdict {
 public:
  explicit Verdict(ContactDecision& d) : d_(d) {}
  void Block(std::string code, std::string message, std::optional<TimePoint> until = {}) {
    d_.reasons.push_back({std::move(code), "block", std::move(message), until, false});
  }
  void Warn(std::string code, std::string message, std::optional<TimePoint> until = {}) {
    d_.reasons.push_back({std::move(code), "warn", std::move(message), until, false});
  }
  void SetConcurrent() { d_.concurrent = true; }

 private:
  ContactDecision& d_;
};

// Who may start the contact: sales outreach is the owner's.
void CheckWhoStarts(const ContactFacts& facts, const ContactRequest& request, Verdict& v) {
  const ContactSubject& lead = facts.subject;
  if (request.purpose != Purpose::kSalesOutreach || !request.actor ||
      lead.owner_id == request.actor->id) {
    return;
  }
  const auto& a = facts.open_assignment;
  if (!lead.owner_id) {
    v.Block("not_owner",
            "nobody owns the lead yet; sales outreach waits for an owner (a manager can assign "
            "it)");
  } else if (a && a->sla_due_at && !a->first_touch_at && !a->sla_breached_at) {
    v.Block("sla_owner_only",
            fmt::format("{} owns the lead and has until {} for the first contact", Who(facts.owner),
                        LocalText(facts.zone, *a->sla_due_at)),
            a->sla_due_at);
  } else {
    v.Block("not_owner", fmt::format("{} owns the lead; only the owner starts sales outreach",
                                     Who(facts.owner)));
  }
}

// The person's will: unsubscribed, do not contact.
void CheckPersonsWill(const ContactFacts& facts, const ContactRequest& request, Verdict& v) {
  if (request.channel == Channel::kEmail && facts.prefs.unsubscribed_at) {
    v.Block("unsubscribed", fmt::format("unsubscribed from all email on {}",
                                        LocalText(facts.zone, *facts.prefs.unsubscribed_at)));
  }
  nlohmann::json dnc = nlohmann::json::parse(facts.prefs.do_not_contact, nullptr, false);
  if (!dnc.is_object()) return;
  const std::string_view channel = ChannelName(request.channel);
  for (std::string_view key : {std::string_view("all"), channel}) {
    auto it = dnc.find(key);
    if (it == dnc.end()) continue;
    std::string reason = it->is_string() ? it->get<std::string>() : "";
    v.Block("do_not_contact",
            fmt::format("do not contact by {}{}", key == "all" ? "any channel" : channel,
                        reason.empty() ? "" : ": " + reason));
    break;
  }
}

// A lawful basis for the purpose.
void CheckLawfulBasis(const ContactConfig& policy, const ContactFacts& facts,
                      const ContactRequest& request, Verdict& v) {
  auto basis = policy.consent.find(request.purpose);
  std::string state = ConsentState(facts.consents, request.purpose);
  const std::string_view purpose = PurposeName(request.purpose);
  if (state == "withdrawn") {
    v.Block("no_consent", fmt::format("consent for {} was withdrawn", purpose));
  } else if (state != "granted" && basis != policy.consent.end()) {
    if (basis->second == "consent") {
      v.Block("no_consent", fmt::format("no {} consent is recorded for the lead", purpose));
    } else if (!Inbound(facts.prefs.address_source)) {
      v.Block("no_consent",
              fmt::format("the address came from {} (not from the person); {} needs a granted "
                          "consent",
                          facts.prefs.address_source, purpose));
    }
  }
}

// The person's time: the channel's hours in their zone, and their out of office.
void CheckPersonsTime(const ContactConfig& policy, const ContactFacts& facts,
                      const ContactRequest& request, TimePoint now, Verdict& v) {
  if (auto window = policy.hours.find(request.channel); window != policy.hours.end()) {
    const auto [start, end] = window->second;
    if (!facts.zone.zone) {
      std::string message = fmt::format(
          "the lead's time zone is unknown (no preference, timezone trait or country), so quiet "
          "hours for {} ({}-{}) cannot be checked",
          ChannelName(request.channel), FormatClockMinutes(start), FormatClockMinutes(end));
      if (policy.allow_unknown_timezone) {
        v.Warn("unknown_timezone", message);
      } else {
        v.Block("unknown_timezone", message);
      }
    } else {
      const TimeZone& zone = *facts.zone.zone;
      LocalMoment local = zone.Local(now);
      if (local.minute < start || local.minute >= end) {
        TimePoint until = zone.At(local.minute < start ? local.day : local.day + 1, start);
        v.Block("quiet_hours",
                fmt::format("it is {} for the lead ({}{}); {} is allowed {}-{} local time",
                            FormatClockMinutes(local.minute), zone.name(),
                            facts.zone.source == "country"
                                ? fmt::format(", guessed from country {}", facts.zone.detail)
                                : "",
                            ChannelName(request.channel), FormatClockMinutes(start),
                            FormatClockMinutes(end)),
                until);
      }
    }
  }
  const ContactPrefs& p = facts.prefs;
  if (p.ooo_from && p.ooo_until && *p.ooo_from <= now && now < *p.ooo_until) {
    v.Block("out_of_office",
            fmt::format("the lead is out of office until {}", LocalText(facts.zone, *p.ooo_until)),
            p.ooo_until);
  }
}

// One frequency cap over the outbound touches (all channels when `channel` is nullopt).
void CheckCap(const FrequencyCap& cap, std::optional<Channel> channel,
              const std::vector<const TouchRecord*>& outbound, TimePoint now, Verdict& v) {
  std::vector<TimePoint> in_window;
  for (const TouchRecord* t : outbound) {
    if ((!channel || t->channel == *channel) && t->at > now - hours(24 * cap.days)) {
      in_window.push_back(t->at);
    }
  }
  if (static_cast<int>(in_window.size()) < cap.max) return;
  TimePoint until = in_window[in_window.size() - static_cast<size_t>(std::max(cap.max, 1))] +
                    hours(24 * cap.days);
  if (cap.max == 0) until = now + hours(24 * cap.days);
  v.Block(
      "frequency_cap",
      fmt::format("{} {}touch{} in the last {} day{} (the company's limit is {})", in_window.size(),
                  channel ? fmt::format("{} ", ChannelName(*channel)) : "",
                  in_window.size() == 1 ? "" : "es", cap.days, cap.days == 1 ? "" : "s", cap.max),
      until);
  if (!in_window.empty() && now - in_window.back() < kConcurrentWindow) v.SetConcurrent();
}

// How often the company reaches out: the caps, and the cooldown after another user.
// Every stored touch counts, even one stamped a moment after `now`: another request
// (or another instance, whose clock may run ahead) committed it first, and a limit
// errs on the side of refusing.
void CheckFrequency(const ContactConfig& policy, const ContactFacts& facts,
                    const ContactRequest& request, TimePoint now, Verdict& v) {
  std::vector<const TouchRecord*> outbound;
  for (const TouchRecord& t : facts.touches) {
    if (t.direction == "outbound") outbound.push_back(&t);
  }
  CheckCap(policy.overall, std::nullopt, outbound, now, v);
  if (auto cap = policy.channel_caps.find(request.channel); cap != policy.channel_caps.end()) {
    CheckCap(cap->second, request.channel, outbound, now, v);
  }
  const TouchRecord* other = nullptr;
  for (const TouchRecord* t : outbound) {
    if (t->user_id && (!request.actor || *t->user_id != request.actor->id) &&
        t->at > now - hours(policy.cooldown_hours)) {
      other = t;
    }
  }
  if (other == nullptr) return;
  v.Block("recent_touch_by_other",
          fmt::format("{} reached the lead by {} at {}; others wait {} hours",
                      UserName(facts, *other->user_id), ChannelName(other->channel),
                      LocalText(facts.zone, other->at), policy.cooldown_hours),
          other->at + hours(policy.cooldown_hours));
  if (now - other->at < kConcurrentWindow) v.SetConcurrent();
}

// An override lets the refusals through when every one of them can be overridden.
void ApplyOverride(const ContactConfig& policy, const ContactRequest& request, ContactDecision& d) {
  bool blocked = false, all_overridable = true;
  for (const ContactReason& r : d.reasons) {
    if (r.severity != "block") continue;
    blocked = true;
    if (!Contains(policy.overridable, r.code)) all_overridable = false;
  }
  if (blocked && request.override && all_overridable) {
    for (ContactReason& r : d.reasons) {
      if (r.severity != "block") continue;
      r.overridden = true;
      d.overridden.push_back(r.code);
    }
    blocked = false;
  }
  d.allowed = !blocked;
  if (d.allowed) d.concurrent = false;
}

}  // namespace

ContactDecision DecideContact(const ContactConfig& policy, const ContactFacts& facts,
                              const ContactRequest& request, TimePoint now) {
  ContactDecision d;
  if (request.direction == "inbound") return d;  // the lead reached out: always recorded
  Verdict v(d);
  const ContactSubject& lead = facts.subject;
  CheckWhoStarts(facts, request, v);
  CheckPersonsWill(facts, request, v);
  CheckLawfulBasis(policy, facts, request, v);
  CheckPersonsTime(policy, facts, request, now, v);
  CheckFrequency(policy, facts, request, now, v);
  if (request.purpose == Purpose::kSalesOutreach && Contains(policy.closed_stages, lead.stage)) {
    v.Block("stage_closed",
            fmt::format("the lead is {}; no sales outreach in that stage", StageName(lead.stage)));
  }
  const ContactPrefs& p = facts.prefs;
  if (p.preferred_channel && *p.preferred_channel != request.channel) {
    v.Warn("preferred_channel",
           fmt::format("the lead prefers {}", ChannelName(*p.preferred_channel)));
  }
  ApplyOverride(policy, request, d);
  return d;
}

std::optional<TimePoint> EarliestOwnerContact(const ContactConfig& policy,
                                              const ContactFacts& facts, const UserRecord& owner,
                                              TimePoint now, std::chrono::hours horizon) {
  std::optional<TimePoint> earliest;
  for (Channel channel : ContactChannels()) {
    ContactRequest request{channel, Purpose::kSalesOutreach, "outbound", owner, false};
    TimePoint at = now;
    // Each step moves past at least one refusal; a few dozen cover any real policy.
    for (int step = 0; step < 64 && at <= now + horizon; ++step) {
      ContactDecision d = DecideContact(policy, facts, request, at);
      if (d.allowed) {
        if (!earliest || at < *earliest) earliest = at;
        break;
      }
      std::optional<TimePoint> next;
      bool ends = true;
      for (const ContactReason& r : d.reasons) {
        if (r.severity != "block") continue;
        if (!r.until || *r.until <= at) {
          ends = false;
          break;
        }
        if (!next || *r.until > *next) next = r.until;
      }
      if (!ends || !next) break;
      at = *next;
    }
  }
  return earliest;
}

std::pair<TimePoint, TimePoint> ResolveOutOfOffice(const OutOfOfficeInput& input,
                                                   const TimeZone& zone) {
  constexpr int64_t kDayMillis = 24 * 60 * 60 * 1000;
  auto day = [&](TimePoint utc_midnight) {
    int64_t ms = ToUnixMillis(utc_midnight);
    return ms >= 0 ? ms / kDayMillis : (ms - kDayMillis + 1) / kDayMillis;
  };
  TimePoint from = input.from_is_date ? zone.At(day(input.from), 0) : input.from;
  TimePoint until = input.until_is_date ? zone.At(day(input.until) + 1, 0) : input.until;
  return {from, until};
}

nlohmann::json ReasonsToJson(const std::vector<ContactReason>& reasons) {
  nlohmann::json out = nlohmann::json::array();
  for (const ContactReason& r : reasons) {
    nlohmann::json item = {{"code", r.code},
                           {"severity", r.severity},
                           {"message", r.message},
                           {"until", r.until ? nlohmann::json(FormatIsoTime(*r.until)) : nullptr}};
    if (r.overridden) item["overridden"] = true;
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace tandem
