// Email sends (the outbox rows the sender claims) and suppressed addresses.
#include <fmt/format.h>

#include "store/sql/sql_email.h"
#include "store/sql/sql_store.h"

namespace tandem {

using sql::Statement;

namespace {

constexpr const char* kSendColumns =
    "id, uid, kind, lead_id, broadcast_id, user_id, touch_id, template_key, template_version, "
    "to_address, to_name, subject, message_id, marketing, unsubscribe_url, status, "
    "reason, attempts, next_attempt_at, last_code, last_error, created_at, sent_at, updated_at, "
    "experiment_id, experiment_arm, opens, machine_opens, clicks, first_opened_at, "
    "first_clicked_at";

StatusOr<EmailSend> ReadSend(const Statement& s) {
  EmailSend e;
  e.id = s.Int(0);
  e.uid = s.Text(1);
  TANDEM_ASSIGN_OR_RETURN(e.kind, sql::ReadEnum(s, 2, "email_sends.kind", &ParseSendKind));
  e.lead_id = s.NullableInt(3);
  e.broadcast_id = s.NullableInt(4);
  e.user_id = s.NullableInt(5);
  e.touch_id = s.NullableInt(6);
  e.template_key = s.Text(7);
  e.template_version = s.Int(8);
  e.to_address = s.Text(9);
  e.to_name = s.Text(10);
  e.subject = s.Text(11);
  e.message_id = s.Text(12);
  e.marketing = s.Int(13) != 0;
  e.unsubscribe_url = s.Text(14);
  TANDEM_ASSIGN_OR_RETURN(e.status, sql::ReadEnum(s, 15, "email_sends.status", &ParseSendStatus));
  e.reason = s.Text(16);
  e.attempts = s.Int(17);
  e.next_attempt_at = FromUnixMillis(s.Int(18));
  e.last_code = s.Int(19);
  e.last_error = s.Text(20);
  e.created_at = FromUnixMillis(s.Int(21));
  e.sent_at = sql::OptionalTime(s, 22);
  e.updated_at = FromUnixMillis(s.Int(23));
  e.experiment_id = s.NullableInt(24);
  if (!s.IsNull(25)) e.experiment_arm = static_cast<size_t>(s.Int(25));
  e.opens = s.Int(26);
  e.machine_opens = s.Int(27);
  e.clicks = s.Int(28);
  e.first_opened_at = sql::OptionalTime(s, 29);
  e.first_clicked_at = sql::OptionalTime(s, 30);
  return e;
}

std::string_view InsertedColumns() {
  const std::string_view all(kSendColumns);
  const size_t first = all.find(", ") + 2;
  return all.substr(first, all.find(", opens") - first);
}

Suppression ReadSuppression(const Statement& s) {
  return Suppression{s.Text(0), s.Text(1), s.Text(2), FromUnixMillis(s.Int(3))};
}

}  // namespace

namespace sql {

StatusOr<std::optional<EmailSend>> FindSendByMessageId(Db& db, std::string_view message_id) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare(fmt::format("SELECT {} FROM email_sends WHERE message_id = ?", kSendColumns)));
  stmt->Bind(1, message_id);
  TANDEM_ASSIGN_OR_RETURN(auto rows, Collect<EmailSend>(stmt, ReadSend));
  if (rows.empty()) return std::optional<EmailSend>();
  return std::optional<EmailSend>(std::move(rows.front()));
}

StatusOr<int64_t> AddSend(Db& db, const EmailSend& e) {
  // Every column but the id and the engagement counts (their defaults).
  static const std::string kInsert =
      fmt::format("INSERT INTO email_sends ({}) VALUES ({}) RETURNING id", InsertedColumns(),
                  fmt::join(std::vector<std::string_view>(25, "?"), ", "));
  TANDEM_ASSIGN_OR_RETURN(Statement * insert, db.Prepare(kInsert));
  insert->Bind(1, e.uid)
      .Bind(2, SendKindName(e.kind))
      .BindNullable(3, e.lead_id)
      .BindNullable(4, e.broadcast_id)
      .BindNullable(5, e.user_id)
      .BindNullable(6, e.touch_id)
      .Bind(7, e.template_key)
      .Bind(8, e.template_version)
      .Bind(9, e.to_address)
      .Bind(10, e.to_name)
      .Bind(11, e.subject)
      .Bind(12, e.message_id)
      .Bind(13, int64_t{e.marketing ? 1 : 0})
      .Bind(14, e.unsubscribe_url)
      .Bind(15, SendStatusName(e.status))
      .Bind(16, e.reason)
      .Bind(17, e.attempts)
      .Bind(18, ToUnixMillis(e.next_attempt_at))
      .Bind(19, e.last_code)
      .Bind(20, e.last_error)
      .Bind(21, ToUnixMillis(e.created_at))
      .BindNullable(22, OptionalMillis(e.sent_at))
      .Bind(23, ToUnixMillis(e.updated_at))
      .BindNullable(24, e.experiment_id)
      .BindNullable(25,
                    e.experiment_arm ? std::optional<int64_t>(*e.experiment_arm) : std::nullopt);
  TANDEM_ASSIGN_OR_RETURN(int64_t id, InsertedId(*insert));
  // Only a message that may still go keeps its parts.
  if (e.status != SendStatus::kQueued && e.status != SendStatus::kRetrying) return id;
  TANDEM_ASSIGN_OR_RETURN(
      Statement * body,
      db.Prepare("INSERT INTO email_bodies (send_id, html, text) VALUES (?, ?, ?)"));
  body->Bind(1, id).Bind(2, e.html).Bind(3, e.text);
  TANDEM_RETURN_IF_ERROR(body->Run());
  return id;
}

StatusOr<std::optional<Suppression>> FindSuppression(Db& db, std::string_view address) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("SELECT address, reason, detail, created_at FROM email_suppressions WHERE "
                 "address = ?"));
  stmt->Bind(1, address);
  return First<Suppression>(stmt, ReadSuppression);
}

}  // namespace sql

StatusOr<SendCounts> SqlStore::CountSends(std::optional<int64_t> broadcast_id) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  const std::string where = broadcast_id ? "WHERE broadcast_id = ?" : "";
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare(fmt::format("SELECT status, CASE WHEN status = 'refused' THEN reason "
                                      "ELSE '' END AS why, COUNT(*) FROM email_sends {} GROUP BY "
                                      "status, why",
                                      where)));
  if (broadcast_id) stmt->Bind(1, *broadcast_id);
  struct Row {
    std::string status, reason;
    int64_t n;
  };
  TANDEM_ASSIGN_OR_RETURN(auto rows, sql::Collect<Row>(stmt, [](const Statement& s) {
                            return Row{s.Text(0), s.Text(1), s.Int(2)};
                          }));
  SendCounts counts;
  for (const Row& row : rows) {
    counts.by_status[row.status] += row.n;
    if (row.status != "refused") continue;
    // A refusal's reason lists every blocking code; each counts.
    for (std::string_view rest = row.reason; !rest.empty();) {
      size_t comma = rest.find(',');
      counts.refused_by_reason[std::string(rest.substr(0, comma))] += row.n;
      rest = comma == std::string_view::npos ? "" : rest.substr(comma + 1);
    }
  }
  return counts;
}

StatusOr<int64_t> SqlStore::CountWaitingSends(int64_t broadcast_id) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare("SELECT COUNT(*) FROM email_sends WHERE broadcast_id = ? AND status IN "
                          "('queued', 'retrying', 'sending')"));
  stmt->Bind(1, broadcast_id);
  TANDEM_ASSIGN_OR_RETURN(auto n,
                          sql::First<int64_t>(stmt, [](const Statement& s) { return s.Int(0); }));
  return n.value_or(0);
}

StatusOr<int64_t> SqlStore::CountWaitingSendsOf(SendKind kind) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare("SELECT COUNT(*) FROM email_sends WHERE status IN ('queued', "
                          "'retrying', 'sending') AND kind = ?"));
  stmt->Bind(1, SendKindName(kind));
  TANDEM_ASSIGN_OR_RETURN(auto n,
                          sql::First<int64_t>(stmt, [](const Statement& s) { return s.Int(0); }));
  return n.value_or(0);
}

StatusOr<int64_t> SqlStore::CancelBroadcastSends(int64_t broadcast_id, TimePoint now) {
  int64_t cancelled = 0;
  const Status written = Write([&](sql::Db& db) -> Status {
    TANDEM_ASSIGN_OR_RETURN(
        Statement * drop,
        db.Prepare("DELETE FROM email_bodies WHERE send_id IN (SELECT id FROM email_sends WHERE "
                   "broadcast_id = ? AND status IN ('queued', 'retrying'))"));
    drop->Bind(1, broadcast_id);
    TANDEM_RETURN_IF_ERROR(drop->Run());
    TANDEM_ASSIGN_OR_RETURN(
        Statement * stmt,
        db.Prepare("UPDATE email_sends SET status = 'cancelled', updated_at = ? WHERE "
                   "broadcast_id = ? AND status IN ('queued', 'retrying')"));
    stmt->Bind(1, ToUnixMillis(now)).Bind(2, broadcast_id);
    TANDEM_RETURN_IF_ERROR(stmt->Run());
    cancelled = db.Changes();
    return OkStatus();
  });
  TANDEM_RETURN_IF_ERROR(written);
  return cancelled;
}

// The first status term of the two queries below repeats the due index's own condition
// (email_sends_due, 0009_email.sql) word for word: SQLite uses a partial index only for
// a query that names its WHERE terms, and without it each look scans every send.
StatusOr<std::vector<EmailSend>> SqlStore::ClaimDueSends(TimePoint now, size_t limit,
                                                         std::chrono::milliseconds claim) {
  std::vector<EmailSend> out;
  const Status written = Write([&](sql::Db& db) -> Status {
    TANDEM_ASSIGN_OR_RETURN(
        Statement * due,
        db.Prepare(fmt::format(
            "SELECT {} FROM email_sends s WHERE s.status IN ('queued', 'retrying', 'sending') "
            "AND s.status IN ('queued', 'retrying') AND "
            "s.next_attempt_at <= ? AND (s.broadcast_id IS NULL OR EXISTS (SELECT 1 FROM "
            "broadcasts b WHERE b.id = s.broadcast_id AND b.state = 'sending')) ORDER BY "
            "s.next_attempt_at, s.id LIMIT ?",
            kSendColumns)));
    due->Bind(1, ToUnixMillis(now)).Bind(2, static_cast<int64_t>(limit));
    TANDEM_ASSIGN_OR_RETURN(out, sql::Collect<EmailSend>(due, ReadSend));
    TANDEM_ASSIGN_OR_RETURN(Statement * parts,
                            db.Prepare("SELECT html, text FROM email_bodies WHERE send_id = ?"));
    for (EmailSend& e : out) {
      parts->Bind(1, e.id);
      TANDEM_ASSIGN_OR_RETURN(bool found, parts->Step());
      if (found) e.html = parts->Text(0), e.text = parts->Text(1);
      parts->Reset();
    }
    // Claimed: nobody else (in this instance or another sharing the database) takes
    // them until the claim runs out (InterruptStaleSends).
    TANDEM_ASSIGN_OR_RETURN(Statement * mark,
                            db.Prepare("UPDATE email_sends SET status = 'sending', "
                                       "next_attempt_at = ?, updated_at = ? WHERE id = ?"));
    for (EmailSend& e : out) {
      e.status = SendStatus::kSending;
      e.attempts += 1;
      e.next_attempt_at = now + claim;
      mark->Bind(1, ToUnixMillis(e.next_attempt_at)).Bind(2, ToUnixMillis(now)).Bind(3, e.id);
      TANDEM_RETURN_IF_ERROR(mark->Run());
      mark->Reset();
    }
    return OkStatus();
  });
  TANDEM_RETURN_IF_ERROR(written);
  return out;
}

namespace sql {

Status RecordAttempt(Db& db, int64_t send_id, SendStatus status, int64_t code,
                     std::string_view error, TimePoint next_attempt, TimePoint now) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("UPDATE email_sends SET status = ?, last_code = ?, last_error = ?, reason = "
                 "CASE WHEN ? = 'bounced' OR ? = 'failed' THEN ? ELSE reason END, "
                 "next_attempt_at = ?, sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END, "
                 "updated_at = ? WHERE id = ? AND status = 'sending'"));
  const std::string_view name = SendStatusName(status);
  stmt->Bind(1, name)
      .Bind(2, code)
      .Bind(3, error)
      .Bind(4, name)
      .Bind(5, name)
      .Bind(6, error)
      .Bind(7, ToUnixMillis(next_attempt))
      .Bind(8, name)
      .Bind(9, ToUnixMillis(now))
      .Bind(10, ToUnixMillis(now))
      .Bind(11, send_id);
  TANDEM_RETURN_IF_ERROR(stmt->Run());
  if (status == SendStatus::kRetrying || db.Changes() == 0) return OkStatus();
  // A message that will not be tried again drops its parts: its subject, template version
  // and Message-ID say what went.
  TANDEM_ASSIGN_OR_RETURN(Statement * drop,
                          db.Prepare("DELETE FROM email_bodies WHERE send_id = ?"));
  drop->Bind(1, send_id);
  return drop->Run();
}

Status StartAttempt(Db& db, int64_t send_id, TimePoint now) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare(fmt::format("UPDATE email_sends SET attempts = attempts + 1, last_code = {}, "
                             "updated_at = ? WHERE id = ? AND status = 'sending'",
                             kAttemptUnderway)));
  stmt->Bind(1, ToUnixMillis(now)).Bind(2, send_id);
  return stmt->Run();
}

}  // namespace sql

StatusOr<StaleSends> SqlStore::InterruptStaleSends(TimePoint now) {
  StaleSends stale;
  const Status written = Write([&](sql::Db& db) -> Status {
    // The send whose attempt had begun: the relay may or may not have taken it.
    TANDEM_ASSIGN_OR_RETURN(
        Statement * cut,
        db.Prepare(fmt::format(
            "UPDATE email_sends SET status = 'interrupted', last_code = 0, last_error = 'the "
            "sender stopped during the attempt; the relay may or may not have taken it', "
            "updated_at = ? WHERE status IN ('queued', 'retrying', 'sending') AND status = "
            "'sending' AND next_attempt_at < ? AND last_code = {}",
            kAttemptUnderway)));
    cut->Bind(1, ToUnixMillis(now)).Bind(2, ToUnixMillis(now));
    TANDEM_RETURN_IF_ERROR(cut->Run());
    stale.interrupted = db.Changes();
    // The rest of the dead sender's claim was never tried: due again now.
    TANDEM_ASSIGN_OR_RETURN(
        Statement * back,
        db.Prepare("UPDATE email_sends SET status = CASE WHEN attempts = 0 THEN 'queued' ELSE "
                   "'retrying' END, next_attempt_at = ?, updated_at = ? WHERE status IN "
                   "('queued', 'retrying', 'sending') AND status = 'sending' AND "
                   "next_attempt_at < ?"));
    back->Bind(1, ToUnixMillis(now)).Bind(2, ToUnixMillis(now)).Bind(3, ToUnixMillis(now));
    TANDEM_RETURN_IF_ERROR(back->Run());
    stale.requeued = db.Changes();
    return OkStatus();
  });
  TANDEM_RETURN_IF_ERROR(written);
  return stale;
}

namespace sql {

Status Suppress(Db& db, const Suppression& s) {
  {
    TANDEM_ASSIGN_OR_RETURN(
        Statement * stmt,
        db.Prepare(
            sql::Upsert("email_suppressions", "address, reason, detail, created_at", "address")));
    stmt->Bind(1, s.address)
        .Bind(2, s.reason)
        .Bind(3, s.detail)
        .Bind(4, ToUnixMillis(s.created_at));
    return stmt->Run();
  }
}

}  // namespace sql

StatusOr<std::vector<EmailSend>> SqlStore::ListSends(const SendQuery& q) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  std::vector<std::string> where;
  std::vector<std::variant<int64_t, std::string>> binds;
  if (q.lead_id) where.push_back("lead_id = ?"), binds.emplace_back(*q.lead_id);
  if (q.broadcast_id) where.push_back("broadcast_id = ?"), binds.emplace_back(*q.broadcast_id);
  if (q.status)
    where.push_back("status = ?"), binds.emplace_back(std::string(SendStatusName(*q.status)));
  if (q.to_leads_only) where.push_back("kind IN ('one_to_one', 'broadcast', 'sequence')");
  if (q.before_id > 0) where.push_back("id < ?"), binds.emplace_back(q.before_id);
  std::string sql = fmt::format("SELECT {} FROM email_sends", kSendColumns);
  if (!where.empty()) sql += fmt::format(" WHERE {}", fmt::join(where, " AND "));
  sql += " ORDER BY id DESC LIMIT ?";
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt, lease->db().Prepare(sql));
  int i = 1;
  for (const auto& b : binds) std::visit([&](const auto& v) { stmt->Bind(i++, v); }, b);
  stmt->Bind(i, static_cast<int64_t>(q.limit));
  return sql::Collect<EmailSend>(stmt, ReadSend);
}

StatusOr<std::optional<EmailSend>> SqlStore::GetSend(std::string_view uid) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare(fmt::format("SELECT {} FROM email_sends WHERE uid = ?", kSendColumns)));
  stmt->Bind(1, uid);
  TANDEM_ASSIGN_OR_RETURN(auto rows, sql::Collect<EmailSend>(stmt, ReadSend));
  if (rows.empty()) return std::optional<EmailSend>();
  return std::optional<EmailSend>(std::move(rows.front()));
}

}  // namespace tandem
