#include "store/sql/sql_contact.h"

#include <fmt/format.h>

#include <algorithm>

#include "store/sql/sql_analytics.h"
#include "store/sql/sql_store.h"

namespace tandem::sql {
namespace {

constexpr const char* kTouchColumns =
    "id, lead_id, user_id, channel, purpose, direction, COALESCE(note, ''), "
    "COALESCE(override_reason, ''), overridden, warnings, at, score_status";

StatusOr<TouchRecord> ReadTouch(const Statement& s) {
  TouchRecord t;
  t.id = s.Int(0);
  t.lead_id = s.Int(1);
  t.user_id = s.NullableInt(2);
  TANDEM_ASSIGN_OR_RETURN(t.channel, ReadEnum(s, 3, "touches.channel", ParseChannel));
  TANDEM_ASSIGN_OR_RETURN(t.purpose, ReadEnum(s, 4, "touches.purpose", ParsePurpose));
  t.direction = s.Text(5);
  t.note = s.Text(6);
  t.override_reason = s.Text(7);
  t.overridden = s.Text(8);
  t.warnings = s.Text(9);
  t.at = FromUnixMillis(s.Int(10));
  t.score_status = s.Text(11);
  return t;
}

}  // namespace

StatusOr<ContactPrefs> GetContactPrefs(Db& db, int64_t lead_id) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("SELECT COALESCE(preferred_channel, ''), COALESCE(timezone, ''), do_not_contact, "
                 "ooo_from, ooo_until, unsubscribed_at, COALESCE(address_source, ''), updated_at "
                 "FROM contact_prefs WHERE lead_id = ?"));
  stmt->Bind(1, lead_id);
  TANDEM_ASSIGN_OR_RETURN(
      auto rows, Collect<ContactPrefs>(stmt, [&](const Statement& s) -> StatusOr<ContactPrefs> {
        ContactPrefs p;
        p.lead_id = lead_id;
        if (!s.TextView(0).empty()) {
          TANDEM_ASSIGN_OR_RETURN(p.preferred_channel,
                                  ReadEnum(s, 0, "contact_prefs.preferred_channel", ParseChannel));
        }
        p.timezone = s.Text(1);
        p.do_not_contact = s.Text(2);
        p.ooo_from = OptionalTime(s, 3);
        p.ooo_until = OptionalTime(s, 4);
        p.unsubscribed_at = OptionalTime(s, 5);
        p.address_source = s.Text(6);
        p.updated_at = FromUnixMillis(s.Int(7));
        return p;
      }));
  if (rows.empty()) {
    ContactPrefs p;
    p.lead_id = lead_id;
    return p;
  }
  return rows[0];
}

Status PutContactPrefs(Db& db, const ContactPrefs& p) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare(Upsert("contact_prefs",
                        "lead_id, preferred_channel, timezone, do_not_contact, ooo_from, "
                        "ooo_until, unsubscribed_at, address_source, updated_at",
                        "lead_id")));
  stmt->Bind(1, p.lead_id)
      .BindNullable(2, p.preferred_channel ? ChannelName(*p.preferred_channel) : "")
      .BindNullable(3, p.timezone)
      .Bind(4, p.do_not_contact)
      .BindNullable(5, OptionalMillis(p.ooo_from))
      .BindNullable(6, OptionalMillis(p.ooo_until))
      .BindNullable(7, OptionalMillis(p.unsubscribed_at))
      .BindNullable(8, p.address_source)
      .Bind(9, ToUnixMillis(p.updated_at));
  return stmt->Run();
}

StatusOr<std::vector<ConsentRecord>> ListConsents(Db& db, int64_t lead_id) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare(
          "SELECT id, lead_id, purpose, status, at, method, COALESCE(form_id, ''), "
          "COALESCE(wording, ''), actor, COALESCE(address_source, ''), COALESCE(evidence, '') "
          "FROM consents "
          "WHERE lead_id = ? ORDER BY at, id"));
  stmt->Bind(1, lead_id);
  return Collect<ConsentRecord>(stmt, [](const Statement& s) -> StatusOr<ConsentRecord> {
    ConsentRecord c;
    c.id = s.Int(0);
    c.lead_id = s.Int(1);
    TANDEM_ASSIGN_OR_RETURN(c.purpose, ReadEnum(s, 2, "consents.purpose", ParsePurpose));
    c.status = s.Text(3);
    c.at = FromUnixMillis(s.Int(4));
    c.method = s.Text(5);
    c.form_id = s.Text(6);
    c.wording = s.Text(7);
    c.actor = s.Text(8);
    c.address_source = s.Text(9);
    c.evidence = s.Text(10);
    return c;
  });
}

Status AddConsent(Db& db, const ConsentRecord& c) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("INSERT INTO consents (lead_id, purpose, status, at, method, form_id, wording, "
                 "actor, address_source, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  stmt->Bind(1, c.lead_id)
      .Bind(2, PurposeName(c.purpose))
      .Bind(3, c.status)
      .Bind(4, ToUnixMillis(c.at))
      .Bind(5, c.method)
      .BindNullable(6, c.form_id)
      .BindNullable(7, c.wording)
      .Bind(8, c.actor)
      .BindNullable(9, c.address_source)
      .BindNullable(10, c.evidence);
  return stmt->Run();
}

StatusOr<std::vector<TouchRecord>> ListTouches(Db& db, int64_t lead_id, TimePoint since) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare(fmt::format("SELECT {} FROM touches WHERE lead_id = ? AND at >= ? ORDER BY at, id",
                             kTouchColumns)));
  stmt->Bind(1, lead_id).Bind(2, ToUnixMillis(since));
  return Collect<TouchRecord>(stmt, ReadTouch);
}

StatusOr<int64_t> AddTouch(Db& db, const TouchRecord& t) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("INSERT INTO touches (lead_id, user_id, channel, purpose, direction, note, "
                 "override_reason, overridden, warnings, at, score_status) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"));
  stmt->Bind(1, t.lead_id)
      .BindNullable(2, t.user_id)
      .Bind(3, ChannelName(t.channel))
      .Bind(4, PurposeName(t.purpose))
      .Bind(5, t.direction)
      .BindNullable(6, t.note)
      .BindNullable(7, t.override_reason)
      .Bind(8, t.overridden)
      .Bind(9, t.warnings)
      .Bind(10, ToUnixMillis(t.at))
      .Bind(11, t.score_status);
  TANDEM_ASSIGN_OR_RETURN(int64_t id, InsertedId(*stmt));
  TANDEM_RETURN_IF_ERROR(RecountMqlResponses(db, t.lead_id));
  return id;
}

StatusOr<bool> ConfirmTouchScore(Db& db, int64_t lead_id, int64_t touch_id) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("UPDATE touches SET score_status = 'confirmed' WHERE id = ? AND lead_id = ? "
                 "AND score_status = 'awaiting_confirmation'"));
  stmt->Bind(1, touch_id).Bind(2, lead_id);
  TANDEM_RETURN_IF_ERROR(stmt->Run());
  return db.Changes() == 1;
}

Status AddRefusal(Db& db, const GateRefusal& r) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("INSERT INTO gate_refusals (lead_id, user_id, channel, purpose, codes, "
                 "concurrent, at) VALUES (?, ?, ?, ?, ?, ?, ?)"));
  stmt->Bind(1, r.lead_id)
      .BindNullable(2, r.user_id)
      .Bind(3, ChannelName(r.channel))
      .Bind(4, PurposeName(r.purpose))
      .Bind(5, r.codes)
      .Bind(6, int64_t{r.concurrent ? 1 : 0})
      .Bind(7, ToUnixMillis(r.at));
  return stmt->Run();
}

Status MoveContact(Db& db, int64_t from, int64_t into) {
  for (const char* sql : {"UPDATE consents SET lead_id = ?2 WHERE lead_id = ?1",
                          "UPDATE touches SET lead_id = ?2 WHERE lead_id = ?1",
                          "UPDATE gate_refusals SET lead_id = ?2 WHERE lead_id = ?1",
                          "DELETE FROM contact_prefs WHERE lead_id = ?1 AND ?2 = ?2"}) {
    TANDEM_ASSIGN_OR_RETURN(Statement * stmt, db.Prepare(sql));
    stmt->Bind(1, from).Bind(2, into);
    TANDEM_RETURN_IF_ERROR(stmt->Run());
  }
  return OkStatus();
}

StatusOr<RefusalCounts> CountRefusals(Db& db, TimePoint since) {
  RefusalCounts out;
  TANDEM_ASSIGN_OR_RETURN(
      Statement * by_code,
      db.Prepare(fmt::format("SELECT j.value, COUNT(*) FROM gate_refusals r, {} WHERE r.at >= ? "
                             "GROUP BY j.value ORDER BY COUNT(*) DESC, j.value",
                             db.dialect() == Dialect::kPostgres
                                 ? "jsonb_array_elements_text(r.codes::jsonb) AS j(value)"
                                 : "json_each(r.codes) AS j")));
  by_code->Bind(1, ToUnixMillis(since));
  TANDEM_ASSIGN_OR_RETURN(
      out.by_code, (Collect<std::pair<std::string, int64_t>>(by_code, [](const Statement& s) {
        return std::make_pair(s.Text(0), s.Int(1));
      })));
  TANDEM_ASSIGN_OR_RETURN(
      Statement * totals,
      db.Prepare("SELECT COUNT(*), COALESCE(SUM(concurrent), 0) FROM gate_refusals WHERE at >= ?"));
  totals->Bind(1, ToUnixMillis(since));
  TANDEM_ASSIGN_OR_RETURN(auto rows,
                          (Collect<std::pair<int64_t, int64_t>>(totals, [](const Statement& s) {
                            return std::make_pair(s.Int(0), s.Int(1));
                          })));
  if (!rows.empty()) {
    out.total = rows[0].first;
    out.concurrent = rows[0].second;
  }
  return out;
}

}  // namespace tandem::sql

namespace tandem {

StatusOr<RefusalCounts> SqlStore::CountRefusals(TimePoint since) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  return sql::CountRefusals(lease->db(), since);
}

}  // namespace tandem
