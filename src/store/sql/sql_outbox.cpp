#include "store/sql/sql_outbox.h"

#include "store/sql/sql_store.h"

namespace tandem::sql {

Status Enqueue(Db& db, const OutboxMessage& m, std::span<const std::string> endpoints,
               TimePoint now) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * insert,
      db.Prepare(
          "INSERT INTO outbox (uid, type, lead_id, payload, created_at) VALUES (?, ?, ?, ?, ?) "
          "RETURNING id"));
  insert->Bind(1, m.uid)
      .Bind(2, m.type)
      .BindNullable(3, m.lead_id)
      .Bind(4, m.payload)
      .Bind(5, ToUnixMillis(m.created_at));
  TANDEM_ASSIGN_OR_RETURN(const int64_t outbox_id, InsertedId(*insert));
  TANDEM_ASSIGN_OR_RETURN(
      Statement * delivery,
      db.Prepare("INSERT INTO deliveries (outbox_id, endpoint, lead_id, state, next_attempt_at) "
                 "VALUES (?, ?, ?, 'pending', ?)"));
  for (const std::string& endpoint : endpoints) {
    delivery->Bind(1, outbox_id)
        .Bind(2, endpoint)
        .BindNullable(3, m.lead_id)
        .Bind(4, ToUnixMillis(now));
    TANDEM_RETURN_IF_ERROR(delivery->Run());
    delivery->Reset();
  }
  return OkStatus();
}

StatusOr<std::vector<OutboxMessage>> ListOutbox(Db& db, int64_t after_id, size_t limit) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("SELECT id, uid, type, lead_id, payload, created_at FROM outbox WHERE id > ? "
                 "ORDER BY id LIMIT ?"));
  stmt->Bind(1, after_id).Bind(2, static_cast<int64_t>(limit));
  return Collect<OutboxMessage>(stmt, [](const Statement& s) {
    OutboxMessage m;
    m.id = s.Int(0);
    m.uid = s.Text(1);
    m.type = s.Text(2);
    m.lead_id = s.NullableInt(3);
    m.payload = s.Text(4);
    m.created_at = FromUnixMillis(s.Int(5));
    return m;
  });
}

}  // namespace tandem::sql

namespace tandem {

using sql::Statement;

StatusOr<std::vector<OutboxMessage>> SqlStore::ListOutbox(int64_t after_id, size_t limit) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  return sql::ListOutbox(lease->db(), after_id, limit);
}

StatusOr<std::vector<PendingDelivery>> SqlStore::DueDeliveries(TimePoint now, size_t limit) {
  std::vector<PendingDelivery> out;
  Status claimed = Write([&](sql::Db& db) -> Status {
    TANDEM_ASSIGN_OR_RETURN(
        Statement * stmt,
        db.Prepare(
            "SELECT d.id, d.endpoint, d.attempts, o.id, o.uid, o.type, o.lead_id, o.payload, "
            "o.created_at FROM deliveries d JOIN outbox o ON o.id = d.outbox_id WHERE d.state = "
            "'pending' AND d.next_attempt_at <= ? AND NOT EXISTS (SELECT 1 FROM deliveries e WHERE "
            "e.state = 'pending' AND e.endpoint = d.endpoint AND e.lead_id = d.lead_id AND e.id < "
            "d.id AND d.lead_id IS NOT NULL) ORDER BY d.id LIMIT ?"));
    stmt->Bind(1, ToUnixMillis(now)).Bind(2, static_cast<int64_t>(limit));
    TANDEM_ASSIGN_OR_RETURN(out, sql::Collect<PendingDelivery>(stmt, [](const Statement& row) {
                              PendingDelivery d;
                              d.id = row.Int(0);
                              d.endpoint = row.Text(1);
                              d.attempts = static_cast<int>(row.Int(2));
                              d.message.id = row.Int(3);
                              d.message.uid = row.Text(4);
                              d.message.type = row.Text(5);
                              d.message.lead_id = row.NullableInt(6);
                              d.message.payload = row.Text(7);
                              d.message.created_at = FromUnixMillis(row.Int(8));
                              return d;
                            }));
    // Claimed: no other worker (in this instance or another sharing the database)
    // takes these until the claim runs out, which only happens if this one dies
    // before recording the attempt.
    TANDEM_ASSIGN_OR_RETURN(Statement * claim,
                            db.Prepare("UPDATE deliveries SET next_attempt_at = ? WHERE id = ?"));
    for (const PendingDelivery& d : out) {
      claim->Bind(1, ToUnixMillis(now + kDeliveryClaim)).Bind(2, d.id);
      TANDEM_RETURN_IF_ERROR(claim->Run());
      claim->Reset();
    }
    return OkStatus();
  });
  TANDEM_RETURN_IF_ERROR(claimed);
  return out;
}

Status SqlStore::MarkDelivered(int64_t delivery_id, int http_status, TimePoint now) {
  return Write([&](sql::Db& db) -> Status {
    TANDEM_ASSIGN_OR_RETURN(
        Statement * stmt,
        db.Prepare("UPDATE deliveries SET state = 'delivered', attempts = attempts + 1, "
                   "last_status = ?, last_error = NULL, delivered_at = ? WHERE id = ?"));
    stmt->Bind(1, int64_t{http_status}).Bind(2, ToUnixMillis(now)).Bind(3, delivery_id);
    return stmt->Run();
  });
}

Status SqlStore::MarkAttemptFailed(int64_t delivery_id, int http_status, std::string_view error,
                                   TimePoint next_attempt) {
  return Write([&](sql::Db& db) -> Status {
    TANDEM_ASSIGN_OR_RETURN(
        Statement * stmt,
        db.Prepare(
            "UPDATE deliveries SET attempts = attempts + 1, last_status = ?, last_error = ?, "
            "next_attempt_at = ? WHERE id = ?"));
    stmt->Bind(1, int64_t{http_status})
        .Bind(2, error)
        .Bind(3, ToUnixMillis(next_attempt))
        .Bind(4, delivery_id);
    return stmt->Run();
  });
}

StatusOr<int64_t> SqlStore::CountPendingDeliveries() {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare("SELECT COUNT(*) FROM deliveries WHERE state = 'pending'"));
  TANDEM_ASSIGN_OR_RETURN(auto n,
                          sql::First<int64_t>(stmt, [](const Statement& s) { return s.Int(0); }));
  return n.value_or(0);
}

StatusOr<std::vector<DeliveryRecord>> SqlStore::ListDeliveries(const std::string& endpoint,
                                                               size_t limit) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare(
          "SELECT d.id, o.uid, o.type, o.lead_id, d.endpoint, d.state, d.attempts, "
          "d.last_status, COALESCE(d.last_error, ''), o.created_at, d.next_attempt_at, "
          "d.delivered_at FROM deliveries d JOIN outbox o ON o.id = d.outbox_id "
          "WHERE d.endpoint = ? ORDER BY d.id DESC LIMIT ?"));
  stmt->Bind(1, endpoint).Bind(2, static_cast<int64_t>(limit));
  return sql::Collect<DeliveryRecord>(stmt, [](const Statement& row) -> StatusOr<DeliveryRecord> {
    DeliveryRecord d;
    d.id = row.Int(0);
    d.message_uid = row.Text(1);
    d.type = row.Text(2);
    d.lead_id = row.NullableInt(3);
    d.endpoint = row.Text(4);
    d.state = row.Text(5);
    d.attempts = static_cast<int>(row.Int(6));
    if (auto status = row.NullableInt(7)) d.last_status = static_cast<int>(*status);
    d.last_error = row.Text(8);
    d.created_at = FromUnixMillis(row.Int(9));
    d.next_attempt_at = FromUnixMillis(row.Int(10));
    if (auto at = row.NullableInt(11)) d.delivered_at = FromUnixMillis(*at);
    return d;
  });
}

StatusOr<int64_t> SqlStore::CountPendingDeliveriesTo(const std::string& endpoint) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare(
          "SELECT COUNT(*) FROM deliveries WHERE state = 'pending' AND endpoint = ?"));
  stmt->Bind(1, endpoint);
  TANDEM_ASSIGN_OR_RETURN(auto n,
                          sql::First<int64_t>(stmt, [](const Statement& s) { return s.Int(0); }));
  return n.value_or(0);
}

}  // namespace tandem
