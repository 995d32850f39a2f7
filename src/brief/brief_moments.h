// The key moments of a lead's journey (internal to brief/): which events matter to a
// salesperson — hand-raises, downloads, webinars, email clicks, forms, pricing visits,
// the moment they identified themselves — and how to say each in a few words.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "brief/brief.h"

namespace tandem::brief {

enum class MomentKind {
  kHandRaise,
  kDownload,
  kWebinar,
  kEmailClick,
  kForm,
  kPricing,
  kIdentified
};
std::string_view MomentKindName(MomentKind kind);

struct Moment {
  MomentKind kind;
  const BriefEvent* event = nullptr;
  const ContentAsset* asset = nullptr;  // the catalog entry it is about, if any
  int count = 1;                        // pricing: views that day
  std::string text;                     // "Downloaded 'SEM Buyer's Guide'"
};

// The moments among the input's events, oldest first. Pricing views are one moment
// per UTC day.
std::vector<Moment> FindMoments(const BriefInput& input);
// How strongly a moment (or a page view of an asset's page) shows interest in its
// content: hand-raise 4, download and webinar 3, form 2, page view 1.
int EngagementWeight(MomentKind kind);

// "just now", "12 minutes ago", "3 hours ago", "yesterday", "4 days ago", "on 2026-10-02";
// for the future: "in 12 minutes", …
std::string Ago(TimePoint now, TimePoint t);
// "2026-11-22"
std::string DayText(TimePoint t);
// "2026-11-22 14:05 UTC"
std::string MinuteText(TimePoint t);

}  // namespace tandem::brief
