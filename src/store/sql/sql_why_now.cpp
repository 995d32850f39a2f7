// The why-now read of a page of leads: two statements for the whole page (events, then
// the trigger log entries), whatever its size, instead of a full read per lead.
#include <fmt/format.h>

#include <algorithm>
#include <tuple>

#include "store/sql/sql_events.h"
#include "store/sql/sql_store.h"

namespace tandem {
StatusOr<std::map<int64_t, WhyNowActivity>> SqlStore::ListWhyNowActivity(
    std::span<const int64_t> lead_ids, size_t max_events) {
  std::map<int64_t, WhyNowActivity> out;
  if (lead_ids.empty()) return out;
  for (int64_t id : lead_ids) out[id];
  const std::string in = sql::IdPlaces(lead_ids.size());
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  // The first max_events + 1 events of each person, in the order ListPersonEvents reads.
  // Which ones is decided on the (person_id, timestamp) index alone; only those rows are
  // then read whole, and put in order here rather than sorted with their payloads.
  TANDEM_ASSIGN_OR_RETURN(
      sql::Statement * events,
      lease->db().Prepare(fmt::format(
          "{} WHERE id IN (SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY person_id "
          "ORDER BY timestamp, id) AS n FROM events WHERE person_id IN ({})) AS firsts "
          "WHERE n <= ?)",
          sql::kSelectEvent, in)));
  const int next = sql::BindIds(*events, 1, lead_ids);
  events->Bind(next, static_cast<int64_t>(max_events + 1));
  for (;;) {
    TANDEM_ASSIGN_OR_RETURN(bool row, events->Step());
    if (!row) break;
    StoredEvent e = sql::ReadEvent(*events);
    out[*e.person_id].events.push_back(std::move(e));
  }
  for (auto& [id, activity] : out) {
    std::sort(activity.events.begin(), activity.events.end(),
              [](const StoredEvent& a, const StoredEvent& b) {
                return std::tie(a.record.timestamp, a.id) < std::tie(b.record.timestamp, b.id);
              });
  }
  TANDEM_ASSIGN_OR_RETURN(
      sql::Statement * log,
      lease->db().Prepare(fmt::format(
          "SELECT id, lead_id, at, kind, actor, data FROM lead_log WHERE lead_id IN ({}) AND "
          "kind IN ('stage_changed', 'priority_changed') ORDER BY lead_id, at, id",
          in)));
  sql::BindIds(*log, 1, lead_ids);
  for (;;) {
    TANDEM_ASSIGN_OR_RETURN(bool row, log->Step());
    if (!row) break;
    out[log->Int(1)].log.push_back(LeadLogEntry{log->Int(0), log->Int(1),
                                                FromUnixMillis(log->Int(2)), log->Text(3),
                                                log->Text(4), log->Text(5)});
  }
  return out;
}

}  // namespace tandem
