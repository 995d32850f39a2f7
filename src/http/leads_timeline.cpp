// GET /api/v1/leads/{id}/timeline: the person's events and the lead's changes, merged
// by time, a page at a time.
#include <algorithm>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "core/time_format.h"
#include "http/api_common.h"
#include "http/api_routes.h"
#include "http/query_params.h"

namespace tandem::http {
namespace {

using nlohmann::json;

struct Entry {
  TimePoint at;
  int order;  // events before changes at the same moment
  int64_t id;
  json body;
};

json EventEntry(const StoredEvent& e, const std::map<int64_t, double>& points) {
  json message = json::parse(e.record.payload, nullptr, false);
  json body = {{"at", FormatIsoTime(e.record.timestamp)},
               {"kind", "event"},
               {"event_id", e.id},
               {"type", e.record.type},
               {"name", e.record.event.empty() ? json() : json(e.record.event)}};
  if (message.is_object()) {
    if (auto path = FieldText(message, "context.page.path"); !path.empty()) body["path"] = path;
    if (message.contains("properties")) body["properties"] = message["properties"];
    if (message.contains("traits")) body["traits"] = message["traits"];
  }
  if (auto it = points.find(e.id); it != points.end()) body["points"] = RoundPoints(it->second);
  return body;
}

std::vector<Entry> Entries(const std::vector<StoredEvent>& events,
                           const std::vector<LeadLogEntry>& log,
                           const std::vector<ScoreItem>& items) {
  std::map<int64_t, double> points;  // engagement points each event earned
  for (const ScoreItem& item : items) {
    if (item.event_id) points[*item.event_id] += item.points;
  }
  std::vector<Entry> entries;
  for (const StoredEvent& e : events) {
    entries.push_back({e.record.timestamp, 0, e.id, EventEntry(e, points)});
  }
  for (const LeadLogEntry& l : log) {
    json body = json::parse(l.data, nullptr, false);
    if (!body.is_object()) body = json::object();
    body["at"] = FormatIsoTime(l.at);
    body["kind"] = l.kind;
    body["actor"] = l.actor;
    entries.push_back({l.at, 1, l.id, std::move(body)});
  }
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    if (a.at != b.at) return a.at < b.at;
    if (a.order != b.order) return a.order < b.order;
    return a.id < b.id;
  });
  return entries;
}

}  // namespace

Response ApiRoutes::Timeline(const HttpRequest& request, int64_t lead_id) {
  auto params = ParseQuery(request.query());
  // The same bounds as the lists: 1 to 500 entries a page (default 200); the cursor is
  // the position where the next page starts.
  auto limit_param = IntParam(params, "limit", 200, 1, 500);
  if (!limit_param.ok()) return ErrorResponse(limit_param.status());
  auto cursor_param = IntParam(params, "cursor", 0, 0, std::numeric_limits<int32_t>::max());
  if (!cursor_param.ok()) return ErrorResponse(cursor_param.status());
  const size_t limit = static_cast<size_t>(*limit_param);
  const size_t offset = static_cast<size_t>(*cursor_param);
  auto events = store_.PersonEvents(lead_id, kPersonHistoryLimit);
  auto log = store_.ListLeadLog(lead_id);
  auto items = store_.ListScoreItems(lead_id);
  if (!events.ok()) return ErrorResponse(events.status());
  if (!log.ok()) return ErrorResponse(log.status());
  if (!items.ok()) return ErrorResponse(items.status());
  std::vector<Entry> entries = Entries(*events, *log, *items);
  json out = {{"items", json::array()}, {"next_cursor", nullptr}};
  for (size_t i = offset; i < entries.size() && i < offset + limit; ++i) {
    out["items"].push_back(std::move(entries[i].body));
  }
  if (offset + limit < entries.size()) out["next_cursor"] = std::to_string(offset + limit);
  return Json(200, out);
}

}  // namespace tandem::http
