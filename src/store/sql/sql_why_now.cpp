// The why-now read of a page of leads: three statements for the whole page (event counts,
// events, then the trigger log entries), whatever its size, instead of a full read per
// lead; and one more for each lead with more events than the page reads.
#include <fmt/format.h>

#include <algorithm>

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
  // How many events each person has, counted on the (person_id, timestamp) index alone.
  TANDEM_ASSIGN_OR_RETURN(
      sql::Statement * counts,
      lease->db().Prepare(fmt::format(
          "SELECT person_id, COUNT(*) FROM events WHERE person_id IN ({}) GROUP BY person_id",
          in)));
  sql::BindIds(*counts, 1, lead_ids);
  std::vector<int64_t> over_bound;
  for (;;) {
    TANDEM_ASSIGN_OR_RETURN(bool row, counts->Step());
    if (!row) break;
    if (static_cast<size_t>(counts->Int(1)) > max_events) over_bound.push_back(counts->Int(0));
  }
  // Every event of the others in one statement, in index order (person, time, id), so
  // nothing is sorted. A person over the bound is asked for as id 0, which no person has.
  std::vector<int64_t> within(lead_ids.begin(), lead_ids.end());
  for (int64_t& id : within) {
    if (std::find(over_bound.begin(), over_bound.end(), id) != over_bound.end()) id = 0;
  }
  TANDEM_ASSIGN_OR_RETURN(
      sql::Statement * events,
      lease->db().Prepare(fmt::format(
          "{} WHERE person_id IN ({}) ORDER BY person_id, timestamp, id", sql::kSelectEvent, in)));
  sql::BindIds(*events, 1, within);
  for (;;) {
    TANDEM_ASSIGN_OR_RETURN(bool row, events->Step());
    if (!row) break;
    StoredEvent e = sql::ReadEvent(*events);
    out[*e.person_id].events.push_back(std::move(e));
  }
  // The few over the bound: their first max_events + 1, which tells the caller so.
  for (int64_t person : over_bound) {
    TANDEM_ASSIGN_OR_RETURN(out[person].events,
                            sql::PersonEvents(lease->db(), person, max_events + 1));
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
