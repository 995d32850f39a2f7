// The few fields of an event the handoff brief reads, pulled out of the stored Segment
// message with simdjson (a lead may have thousands of events; building a JSON DOM for
// each would cost more than the whole brief is allowed to).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "ingest/event.h"

namespace tandem {

// Text fields view memory owned by the BriefEvents holding the event.
struct BriefEvent {
  int64_t id = 0;
  TimePoint at;
  std::string_view type;   // identify, track, page, screen, group, alias
  std::string_view name;   // track event or page name
  std::string_view path;   // properties.path, else context.page.path
  std::string_view title;  // properties.title, else context.page.title
  std::string_view asset_id;
  std::string_view form;          // properties.form or form_id
  std::string_view subject;       // properties.subject or email_subject (email events)
  std::string_view utm_campaign;  // context.campaign.name
  bool known = false;             // the person was identified when it happened (userId or email)

  bool IsPage() const { return type == "page"; }
  bool IsTrack() const { return type == "track"; }
};

// A lead's events for its brief, oldest first, with the text they point into (a few
// growing chunks, up to 64 KB each, rather than several allocations per event). Move-only: moving
// keeps every view valid.
class BriefEvents {
 public:
  BriefEvents() = default;
  // Copies the events' text; for tests and callers that build events by hand.
  BriefEvents(std::initializer_list<BriefEvent> events);
  BriefEvents(BriefEvents&&) = default;
  BriefEvents& operator=(BriefEvents&&) = default;
  BriefEvents(const BriefEvents&) = delete;
  BriefEvents& operator=(const BriefEvents&) = delete;

  // Appends an event, copying its text here.
  void Add(BriefEvent event);
  // Copies `text` into this list's memory and returns the copy.
  std::string_view Keep(std::string_view text);

  size_t size() const { return events_.size(); }
  bool empty() const { return events_.empty(); }
  const BriefEvent& operator[](size_t i) const { return events_[i]; }
  const BriefEvent& front() const { return events_.front(); }
  const BriefEvent& back() const { return events_.back(); }
  auto begin() const { return events_.begin(); }
  auto end() const { return events_.end(); }
  auto rbegin() const { return events_.rbegin(); }
  auto rend() const { return events_.rend(); }
  void reserve(size_t n) { events_.reserve(n); }
  void clear() { events_.clear(); }

 private:
  // Extracts, in the order given. Payloads that do not parse keep the stored columns.
  friend BriefEvents ExtractBriefEvents(std::span<const StoredEvent> events);

  std::vector<BriefEvent> events_;
  std::vector<std::unique_ptr<char[]>> chunks_;
  size_t chunk_size_ = 0;
  size_t chunk_left_ = 0;
  char* next_ = nullptr;
};

BriefEvents ExtractBriefEvents(std::span<const StoredEvent> events);

}  // namespace tandem
