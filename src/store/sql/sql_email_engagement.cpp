// Opens and clicks of sent email, and what a lead did with email as scoring reads it.
#include <fmt/format.h>

#include "store/sql/sql_email.h"
#include "store/sql/sql_store.h"

namespace tandem {

using sql::Statement;

namespace {

constexpr const char* kEngagementColumns =
    "id, send_id, lead_id, kind, url, machine, user_agent, ip, at";

EmailEngagement ReadEngagement(const Statement& s) {
  EmailEngagement e;
  e.id = s.Int(0);
  e.send_id = s.Int(1);
  e.lead_id = s.NullableInt(2);
  e.kind = s.TextView(3) == "click" ? EngagementKind::kClick : EngagementKind::kOpen;
  e.url = s.Text(4);
  e.machine = s.Text(5);
  e.user_agent = s.Text(6);
  e.ip = s.Text(7);
  e.at = FromUnixMillis(s.Int(8));
  return e;
}

}  // namespace

namespace sql {

StatusOr<bool> AddEngagement(Db& db, const EmailEngagement& e, std::chrono::seconds window) {
  const std::string_view kind = EngagementKindName(e.kind);
  const bool reader = e.machine.empty();
  {
    TANDEM_ASSIGN_OR_RETURN(
        Statement * recent,
        db.Prepare("SELECT 1 FROM email_engagements WHERE send_id = ? AND kind = ? AND at > ? "
                   "AND url = ? AND (machine = '') = (? = 1) LIMIT 1"));
    recent->Bind(1, e.send_id)
        .Bind(2, kind)
        .Bind(3, ToUnixMillis(e.at - window))
        .Bind(4, e.url)
        .Bind(5, int64_t{reader ? 1 : 0});
    TANDEM_ASSIGN_OR_RETURN(bool seen, recent->Step());
    recent->Reset();
    if (seen) return false;
  }
  TANDEM_ASSIGN_OR_RETURN(
      Statement * insert,
      db.Prepare(fmt::format("INSERT INTO email_engagements ({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                             std::string_view(kEngagementColumns).substr(4))));
  insert->Bind(1, e.send_id)
      .BindNullable(2, e.lead_id)
      .Bind(3, kind)
      .Bind(4, e.url)
      .Bind(5, e.machine)
      .Bind(6, e.user_agent)
      .Bind(7, e.ip)
      .Bind(8, ToUnixMillis(e.at));
  TANDEM_RETURN_IF_ERROR(insert->Run());
  const bool open = e.kind == EngagementKind::kOpen;
  TANDEM_ASSIGN_OR_RETURN(
      Statement * count,
      db.Prepare("UPDATE email_sends SET opens = opens + ?, machine_opens = machine_opens + ?, "
                 "clicks = clicks + ?, first_opened_at = CASE WHEN ? = 1 AND first_opened_at IS "
                 "NULL THEN ? ELSE first_opened_at END, first_clicked_at = CASE WHEN ? = 1 AND "
                 "first_clicked_at IS NULL THEN ? ELSE first_clicked_at END WHERE id = ?"));
  const int64_t reader_open = open && reader ? 1 : 0;
  const int64_t reader_click = !open && reader ? 1 : 0;
  count->Bind(1, reader_open)
      .Bind(2, int64_t{open && !reader ? 1 : 0})
      .Bind(3, reader_click)
      .Bind(4, reader_open)
      .Bind(5, ToUnixMillis(e.at))
      .Bind(6, reader_click)
      .Bind(7, ToUnixMillis(e.at))
      .Bind(8, e.send_id);
  TANDEM_RETURN_IF_ERROR(count->Run());
  return true;
}

// A reader's clicks, the first open of each email by a reader, and the lead's replies
// Tandem trusted (matched to what it sent), oldest first.
StatusOr<std::vector<EmailSignal>> ListEmailSignals(Db& db, int64_t lead_id) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("SELECT 'click', e.at, s.uid, e.url FROM email_engagements e JOIN email_sends "
                 "s ON s.id = e.send_id WHERE e.lead_id = ? AND e.kind = 'click' AND e.machine "
                 "= '' UNION ALL SELECT 'open', MIN(e.at), s.uid, '' FROM email_engagements e "
                 "JOIN email_sends s ON s.id = e.send_id WHERE e.lead_id = ? AND e.kind = "
                 "'open' AND e.machine = '' GROUP BY s.uid UNION ALL SELECT 'reply', "
                 "m.received_at, COALESCE(s.uid, ''), '' FROM inbound_messages m LEFT JOIN "
                 "email_sends s ON s.id = m.send_id WHERE m.lead_id = ? AND m.kind = 'reply' "
                 "AND m.status = 'applied' ORDER BY 2"));
  stmt->Bind(1, lead_id).Bind(2, lead_id).Bind(3, lead_id);
  return Collect<EmailSignal>(stmt, [](const Statement& s) {
    EmailSignal signal;
    const std::string_view kind = s.TextView(0);
    signal.event = kind == "click"  ? "Email Link Clicked"
                   : kind == "open" ? "Email Opened"
                                    : "Email Replied";
    signal.at = FromUnixMillis(s.Int(1));
    signal.email_id = s.Text(2);
    signal.link_url = s.Text(3);
    return signal;
  });
}

}  // namespace sql

StatusOr<std::vector<EmailEngagement>> SqlStore::ListEngagements(int64_t send_id, size_t limit) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare(
          fmt::format("SELECT {} FROM email_engagements WHERE send_id = ? ORDER BY id DESC LIMIT ?",
                      kEngagementColumns)));
  stmt->Bind(1, send_id).Bind(2, static_cast<int64_t>(limit));
  return sql::Collect<EmailEngagement>(stmt, ReadEngagement);
}

}  // namespace tandem
