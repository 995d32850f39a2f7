#include "brief/brief_moments.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "core/text.h"
#include "scoring/scorer.h"

namespace tandem::brief {
namespace {

bool IsHandRaise(const BriefInput& in, const BriefEvent& e) {
  if (!e.IsTrack()) return false;
  for (const std::string& name : in.hand_raise_events) {
    if (EqualsNoCase(name, e.name)) return true;
  }
  if (!EqualsNoCase(e.name, "Form Submitted")) return false;
  return std::any_of(in.hand_raise_forms.begin(), in.hand_raise_forms.end(),
                     [&](const std::string& f) { return EqualsNoCase(f, e.form); });
}

std::string Quoted(std::string_view text) { return fmt::format("'{}'", text); }

std::string OnPath(const BriefEvent& e) {
  return e.path.empty() ? "" : fmt::format(" from {}", e.path);
}

std::string HandRaiseText(const BriefEvent& e) {
  std::string what;
  if (EqualsNoCase(e.name, "Demo Requested")) {
    what = "Requested a demo";
  } else if (EqualsNoCase(e.name, "Contact Requested")) {
    what = "Asked to be contacted";
  } else if (EqualsNoCase(e.name, "Trial Started")) {
    what = "Started a trial";
  } else if (EqualsNoCase(e.form, "demo-request")) {
    what = "Requested a demo (demo-request form)";
  } else if (EqualsNoCase(e.form, "contact-sales")) {
    what = "Asked sales to get in touch (contact-sales form)";
  } else if (!e.form.empty()) {
    what = fmt::format("Submitted the {} form", e.form);
  } else {
    what = fmt::format("Raised a hand: {}", e.name);
  }
  return what + OnPath(e);
}

std::string_view AssetTitle(const BriefEvent& e, const ContentAsset* asset) {
  if (asset != nullptr) return asset->title;
  if (!e.title.empty()) return e.title;
  return e.asset_id;
}

}  // namespace

std::string_view MomentKindName(MomentKind kind) {
  switch (kind) {
    case MomentKind::kHandRaise:
      return "hand_raise";
    case MomentKind::kDownload:
      return "download";
    case MomentKind::kWebinar:
      return "webinar";
    case MomentKind::kEmailClick:
      return "email_click";
    case MomentKind::kForm:
      return "form";
    case MomentKind::kPricing:
      return "pricing";
    case MomentKind::kIdentified:
      return "identified";
  }
  return "";
}

int EngagementWeight(MomentKind kind) {
  switch (kind) {
    case MomentKind::kHandRaise:
      return 4;
    case MomentKind::kDownload:
    case MomentKind::kWebinar:
      return 3;
    case MomentKind::kForm:
      return 2;
    default:
      return 1;
  }
}

Analysis Analyze(const BriefInput& in) {
  Analysis a;
  std::vector<Moment>& out = a.moments;
  a.assets.resize(in.events.size(), nullptr);
  a.moment_index.resize(in.events.size(), -1);
  a.by_id.reserve(in.events.size());
  bool known = false;
  int64_t pricing_day = -1;
  const bool starts_anonymous = !in.events.empty() && !in.events.front().known;
  for (size_t i = 0; i < in.events.size(); ++i) {
    const BriefEvent& e = in.events[i];
    a.by_id.emplace_back(e.id, i);
    const ContentAsset* asset = in.catalog.MatchContent(e.asset_id, e.title, e.path);
    a.assets[i] = asset;
    if (e.known && !known && starts_anonymous) {
      out.push_back({MomentKind::kIdentified, &e, nullptr, 1, "Identified themselves"});
    }
    known = known || e.known;
    Moment m{MomentKind::kForm, &e, nullptr, 1, ""};
    if (e.IsTrack()) {
      const std::string_view name = e.name;
      if (IsHandRaise(in, e)) {
        m.kind = MomentKind::kHandRaise;
        m.text = HandRaiseText(e);
      } else if (ContainsNoCase(name, "download")) {
        m.kind = MomentKind::kDownload;
        m.asset = asset;
        m.text = fmt::format("Downloaded {}", Quoted(AssetTitle(e, asset)));
      } else if (ContainsNoCase(name, "webinar")) {
        m.kind = MomentKind::kWebinar;
        m.asset = asset;
        const bool registered = ContainsNoCase(name, "regist");
        m.text = fmt::format("{} the webinar {}", registered ? "Registered for" : "Attended",
                             Quoted(AssetTitle(e, asset)));
      } else if (ContainsNoCase(name, "email") && ContainsNoCase(name, "click")) {
        m.kind = MomentKind::kEmailClick;
        const Campaign* campaign = in.catalog.FindCampaign(e.utm_campaign);
        m.text = !e.subject.empty()
                     ? fmt::format("Clicked a link in the email {}", Quoted(e.subject))
                 : campaign != nullptr
                     ? fmt::format("Clicked a link in the {} email", Quoted(campaign->name))
                     : "Clicked a link in an email";
      } else if (ContainsNoCase(name, "form")) {
        m.kind = MomentKind::kForm;
        m.asset = asset;
        m.text =
            fmt::format("Submitted the {} form{}", e.form.empty() ? "a" : e.form,
                        asset != nullptr ? fmt::format(" on the page of {}", Quoted(asset->title))
                        : e.path.empty() ? ""
                                         : fmt::format(" on {}", e.path));
      } else {
        continue;
      }
      a.moment_index[i] = static_cast<int>(out.size());
      out.push_back(std::move(m));
    } else if (e.IsPage() && e.path.starts_with("/pricing")) {
      const int64_t day = UtcDay(e.at);
      if (day == pricing_day && !out.empty() && out.back().kind == MomentKind::kPricing) {
        ++out.back().count;
        out.back().text = fmt::format("Looked at pricing ({} views that day)", out.back().count);
        a.moment_index[i] = static_cast<int>(out.size() - 1);
        continue;
      }
      pricing_day = day;
      a.moment_index[i] = static_cast<int>(out.size());
      out.push_back({MomentKind::kPricing, &e, nullptr, 1, "Looked at pricing"});
    }
  }
  // Events come by time; ids follow commit order, nearly the same. Sorting a sorted
  // vector is cheap.
  std::sort(a.by_id.begin(), a.by_id.end());
  return a;
}

std::optional<size_t> Analysis::IndexOf(int64_t event_id) const {
  auto it = std::lower_bound(by_id.begin(), by_id.end(), std::make_pair(event_id, size_t{0}));
  if (it == by_id.end() || it->first != event_id) return std::nullopt;
  return it->second;
}

const BriefEvent* Analysis::Event(const BriefInput& input, int64_t event_id) const {
  auto index = IndexOf(event_id);
  return index ? &input.events[*index] : nullptr;
}

const Moment* Analysis::MomentOf(int64_t event_id) const {
  auto index = IndexOf(event_id);
  if (!index || moment_index[*index] < 0) return nullptr;
  return &moments[static_cast<size_t>(moment_index[*index])];
}

std::string Ago(TimePoint now, TimePoint t) {
  using namespace std::chrono;
  const bool future = t > now;
  const int64_t minutes = duration_cast<std::chrono::minutes>(future ? t - now : now - t).count();
  auto say = [future](int64_t n, std::string_view unit) {
    std::string text = fmt::format("{} {}{}", n, unit, n == 1 ? "" : "s");
    return future ? "in " + text : text + " ago";
  };
  if (minutes < 1) return "just now";
  if (minutes < 60) return say(minutes, "minute");
  if (minutes < 24 * 60) return say(minutes / 60, "hour");
  // From a day on, calendar days (UTC, as DayText writes them): a moment
  // 34 hours ahead on the day after tomorrow is "in 2 days", not "tomorrow".
  const auto days = std::chrono::floor<std::chrono::days>(future ? t : now) -
                    std::chrono::floor<std::chrono::days>(future ? now : t);
  if (days.count() == 1) return future ? "tomorrow" : "yesterday";
  if (days.count() < 14) return say(days.count(), "day");
  return "on " + DayText(t);
}

std::string DayText(TimePoint t) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd(day);
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

}  // namespace tandem::brief
