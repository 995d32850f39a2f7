// The why-now read of a page of leads: two statements for the whole page, whatever its
// size (the events the pipeline kept for the brief, then the trigger log entries).
#include <fmt/format.h>

#include "store/sql/sql_store.h"

namespace tandem {
namespace {

// A row of brief_events, its text viewing the statement's until the next step.
BriefEvent ReadBriefEvent(const sql::Statement& row) {
  BriefEvent e;
  e.at = FromUnixMillis(row.Int(1));
  e.id = row.Int(2);
  e.type = row.TextView(3);
  e.name = row.TextView(4);
  e.path = row.TextView(5);
  e.title = row.TextView(6);
  e.asset_id = row.TextView(7);
  e.form = row.TextView(8);
  e.subject = row.TextView(9);
  e.utm_campaign = row.TextView(10);
  e.known = row.Int(11) != 0;
  return e;
}

}  // namespace

StatusOr<std::map<int64_t, WhyNowActivity>> SqlStore::ListWhyNowActivity(
    std::span<const int64_t> lead_ids, size_t max_events) {
  std::map<int64_t, WhyNowActivity> out;
  if (lead_ids.empty()) return out;
  for (int64_t id : lead_ids) out[id];
  const std::string in = sql::IdPlaces(lead_ids.size());
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  // Each person's events lie side by side under the key (person, time, event), so this
  // reads a few pages per lead. A lead past the bound keeps none: its line reads more.
  TANDEM_ASSIGN_OR_RETURN(
      sql::Statement * events,
      lease->db().Prepare(fmt::format(
          "SELECT person_id, timestamp, event_id, type, name, path, title, asset_id, form, "
          "subject, utm_campaign, known FROM brief_events WHERE person_id IN ({}) "
          "ORDER BY person_id, timestamp, event_id",
          in)));
  sql::BindIds(*events, 1, lead_ids);
  WhyNowActivity* activity = nullptr;
  int64_t person = 0;
  for (;;) {
    TANDEM_ASSIGN_OR_RETURN(bool row, events->Step());
    if (!row) break;
    if (activity == nullptr || events->Int(0) != person) {
      person = events->Int(0);
      activity = &out[person];
    }
    if (activity->more) continue;
    if (activity->events.size() == max_events) {
      activity->more = true;
      activity->events.clear();
      continue;
    }
    activity->events.Add(ReadBriefEvent(*events));
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
