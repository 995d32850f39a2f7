// The key moments of a lead's journey (internal to brief/): which events matter to a
// salesperson — hand-raises, downloads, webinars, email clicks, forms, pricing visits,
// the moment they identified themselves — and how to say each in a few words.
#pragma once

#include <optional>
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

// What the sections share, computed once per brief (a lead may have many events).
struct Analysis {
  std::vector<Moment> moments;  // oldest first; pricing views are one moment per UTC day
  std::vector<const ContentAsset*> assets;        // per event: the catalog entry it is about
  std::vector<int> moment_index;                  // per event: its moment, or -1
  std::vector<std::pair<int64_t, size_t>> by_id;  // (event id, index), sorted by id

  std::optional<size_t> IndexOf(int64_t event_id) const;
  const BriefEvent* Event(const BriefInput& input, int64_t event_id) const;
  // The moment an event is (not "identified"); nullptr when it is none.
  const Moment* MomentOf(int64_t event_id) const;
};

Analysis Analyze(const BriefInput& input);
// How strongly a moment (or a page view of an asset's page) shows interest in its
// content: hand-raise 4, download and webinar 3, form 2, page view 1.
int EngagementWeight(MomentKind kind);

// "just now", "12 minutes ago", "3 hours ago", "yesterday", "4 days ago", "on 2026-10-02";
// for the future: "in 12 minutes", …
std::string Ago(TimePoint now, TimePoint t);
// "2026-11-22"
std::string DayText(TimePoint t);

}  // namespace tandem::brief
