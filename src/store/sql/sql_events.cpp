#include "store/sql/sql_events.h"

namespace tandem::sql {

StoredEvent ReadEvent(const Statement& row) {
  StoredEvent e;
  e.id = row.Int(0);
  e.record.source_id = row.Int(1);
  e.record.message_id = row.Text(2);
  e.record.type = row.Text(3);
  e.record.event = row.Text(4);
  e.record.user_id = row.Text(5);
  e.record.anonymous_id = row.Text(6);
  if (!row.IsNull(7)) e.person_id = row.Int(7);
  e.record.timestamp = FromUnixMillis(row.Int(8));
  e.record.received_at = FromUnixMillis(row.Int(9));
  e.record.payload = row.Text(10);
  return e;
}

StatusOr<AppendResult> InsertEvents(Db& db, std::span<const EventRecord> events) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * insert,
      db.Prepare("INSERT INTO events (source_id, message_id, type, event, user_id, anonymous_id, "
                 "timestamp, received_at, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                 "ON CONFLICT (source_id, message_id) DO NOTHING"));
  AppendResult result;
  result.inserted.reserve(events.size());
  for (const EventRecord& e : events) {
    insert->Bind(1, e.source_id)
        .Bind(2, e.message_id)
        .Bind(3, e.type)
        .BindNullable(4, e.event)
        .BindNullable(5, e.user_id)
        .BindNullable(6, e.anonymous_id)
        .Bind(7, ToUnixMillis(e.timestamp))
        .Bind(8, ToUnixMillis(e.received_at))
        .Bind(9, e.payload);
    TANDEM_RETURN_IF_ERROR(insert->Run());
    bool inserted = db.Changes() > 0;
    result.inserted.push_back(inserted);
    ++(inserted ? result.stored : result.duplicates);
    insert->Reset();
  }
  return result;
}

}  // namespace tandem::sql
