// Touchpoints: the events through which a person came into contact with marketing,
// kept as typed rows for the reports (which source, keyword, form or content brought
// whom). Which events are touchpoints, and what each field is, is decided here alone;
// the migration that back-fills them (store/schema/*/0010_analytics.sql) repeats these
// rules in SQL, and a test holds the two equal.
//
// An event is a touchpoint when it is
//   - a page or track call naming a form (properties.form, else .form_id) or a content
//     asset (properties.asset_id): a form submission, a download, a content view;
//   - a page view with campaign fields (context.campaign: source, medium, name or
//     campaign, term, content) or a referrer from another site;
//   - an identify call with campaign fields.
// Other events (screen, group, alias, page views inside the site) are not.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "ingest/event.h"

namespace tandem {

// Text fields are "" when the event does not say; only JSON strings count.
struct Touchpoint {
  int64_t person_id = 0;  // the person the event is stitched to; follows merges
  int64_t event_id = 0;
  TimePoint at;                                         // the event's timestamp
  std::string type;                                     // the event's type: page, track or identify
  std::string source, medium, campaign, term, content;  // campaign name, else .campaign
  // The referrer's host (context.page.referrer, else properties.referrer) when it is
  // not the page's own (context.page.url, else properties.url).
  std::string referrer_domain;
  std::string landing_page;  // context.page.path, else properties.path
  std::string form;
  std::string content_item;

  bool operator==(const Touchpoint&) const = default;
};

// The touchpoint `event` is, or nullopt; person_id is left 0. Reads the stored message
// once, without building a DOM; a payload that does not parse is no touchpoint.
std::optional<Touchpoint> TouchpointOf(const StoredEvent& event);

// The host of a URL: past "://" when there is one, up to the first of / ? # :, ASCII
// letters in lower case, without a leading "www.". "" for "".
std::string UrlHost(std::string_view url);

}  // namespace tandem
