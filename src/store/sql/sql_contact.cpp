#include "store/sql/sql_contact.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "contact/gate.h"
#include "store/sql/sql_leads.h"

namespace tandem::sql {
namespace {

constexpr const char* kTouchColumns =
    "id, lead_id, user_id, channel, purpose, direction, COALESCE(note, ''), "
    "COALESCE(override_reason, ''), overridden, warnings, at, score_status";

TouchRecord ReadTouch(const Statement& s) {
  TouchRecord t;
  t.id = s.Int(0);
  t.lead_id = s.Int(1);
  t.user_id = s.NullableInt(2);
  t.channel = s.Text(3);
  t.purpose = s.Text(4);
  t.direction = s.Text(5);
  t.note = s.Text(6);
  t.override_reason = s.Text(7);
  t.overridden = s.Text(8);
  t.warnings = s.Text(9);
  t.at = FromUnixMillis(s.Int(10));
  t.score_status = s.Text(11);
  return t;
}

bool InboundSource(std::string_view source) {
  return source.empty() || source == "form" || source == "event";
}

}  // namespace

StatusOr<ContactPrefs> GetContactPrefs(Db& db, int64_t lead_id) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("SELECT COALESCE(preferred_channel, ''), COALESCE(timezone, ''), do_not_contact, "
                 "ooo_from, ooo_until, unsubscribed_at, COALESCE(address_source, ''), updated_at "
                 "FROM contact_prefs WHERE lead_id = ?"));
  stmt->Bind(1, lead_id);
  TANDEM_ASSIGN_OR_RETURN(auto rows, Collect<ContactPrefs>(stmt, [&](const Statement& s) {
                            ContactPrefs p;
                            p.lead_id = lead_id;
                            p.preferred_channel = s.Text(0);
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
      .BindNullable(2, p.preferred_channel)
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
  return Collect<ConsentRecord>(stmt, [](const Statement& s) {
    ConsentRecord c;
    c.id = s.Int(0);
    c.lead_id = s.Int(1);
    c.purpose = s.Text(2);
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
      .Bind(2, c.purpose)
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
      .Bind(3, t.channel)
      .Bind(4, t.purpose)
      .Bind(5, t.direction)
      .BindNullable(6, t.note)
      .BindNullable(7, t.override_reason)
      .Bind(8, t.overridden)
      .Bind(9, t.warnings)
      .Bind(10, ToUnixMillis(t.at))
      .Bind(11, t.score_status);
  return InsertedId(*stmt);
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
      .Bind(3, r.channel)
      .Bind(4, r.purpose)
      .Bind(5, r.codes)
      .Bind(6, int64_t{r.concurrent ? 1 : 0})
      .Bind(7, ToUnixMillis(r.at));
  return stmt->Run();
}

Status FoldContact(Db& db, int64_t from, int64_t into, TimePoint now) {
  TANDEM_ASSIGN_OR_RETURN(ContactPrefs a, GetContactPrefs(db, into));
  TANDEM_ASSIGN_OR_RETURN(ContactPrefs b, GetContactPrefs(db, from));
  TANDEM_ASSIGN_OR_RETURN(auto consents_a, ListConsents(db, into));
  TANDEM_ASSIGN_OR_RETURN(auto consents_b, ListConsents(db, from));
  ContactPrefs merged = a;
  merged.lead_id = into;
  if (merged.preferred_channel.empty()) merged.preferred_channel = b.preferred_channel;
  if (merged.timezone.empty()) merged.timezone = b.timezone;
  nlohmann::json dnc = nlohmann::json::parse(a.do_not_contact, nullptr, false);
  nlohmann::json other = nlohmann::json::parse(b.do_not_contact, nullptr, false);
  if (!dnc.is_object()) dnc = nlohmann::json::object();
  if (other.is_object()) {
    for (auto& [channel, reason] : other.items()) {
      if (!dnc.contains(channel)) dnc[channel] = reason;
    }
  }
  merged.do_not_contact = dnc.dump();
  if (!merged.ooo_until) {
    merged.ooo_from = b.ooo_from;
    merged.ooo_until = b.ooo_until;
  }
  if (b.unsubscribed_at && (!a.unsubscribed_at || *b.unsubscribed_at < *a.unsubscribed_at)) {
    merged.unsubscribed_at = b.unsubscribed_at;
  }
  if (InboundSource(merged.address_source) && !InboundSource(b.address_source)) {
    merged.address_source = b.address_source;
  }
  merged.updated_at = now;
  TANDEM_RETURN_IF_ERROR(PutContactPrefs(db, merged));
  for (const char* sql : {"UPDATE consents SET lead_id = ?2 WHERE lead_id = ?1",
                          "UPDATE touches SET lead_id = ?2 WHERE lead_id = ?1",
                          "UPDATE gate_refusals SET lead_id = ?2 WHERE lead_id = ?1",
                          "DELETE FROM contact_prefs WHERE lead_id = ?1 AND ?2 = ?2"}) {
    TANDEM_ASSIGN_OR_RETURN(Statement * stmt, db.Prepare(sql));
    stmt->Bind(1, from).Bind(2, into);
    TANDEM_RETURN_IF_ERROR(stmt->Run());
  }
  // A withdrawal on either side stays a withdrawal, whatever the other side granted later.
  TANDEM_ASSIGN_OR_RETURN(auto combined, ListConsents(db, into));
  std::set<std::string> purposes;
  for (const auto* list : {&consents_a, &consents_b}) {
    for (const ConsentRecord& c : *list) purposes.insert(c.purpose);
  }
  for (const std::string& purpose : purposes) {
    bool withdrawn = ConsentState(consents_a, purpose) == "withdrawn" ||
                     ConsentState(consents_b, purpose) == "withdrawn";
    if (withdrawn && ConsentState(combined, purpose) != "withdrawn") {
      ConsentRecord c;
      c.lead_id = into;
      c.purpose = purpose;
      c.status = "withdrawn";
      c.at = std::max(now, combined.empty() ? now : combined.back().at);
      c.method = "merge";
      c.actor = "system";
      c.wording =
          fmt::format("kept the withdrawal of ld_{} when merging it into ld_{}", from, into);
      TANDEM_RETURN_IF_ERROR(AddConsent(db, c));
    }
  }
  return OkStatus();
}

StatusOr<std::optional<AssignmentRecord>> OpenAssignment(Db& db, int64_t lead_id) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare(fmt::format("SELECT {} FROM assignments WHERE lead_id = ? AND ended_at IS NULL",
                             kAssignmentColumns)));
  stmt->Bind(1, lead_id);
  TANDEM_ASSIGN_OR_RETURN(auto rows, Collect<AssignmentRecord>(stmt, ReadAssignment));
  if (rows.empty()) return std::optional<AssignmentRecord>();
  return std::optional<AssignmentRecord>(rows[0]);
}

Status UpdateAssignmentSla(Db& db, const AssignmentRecord& a) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("UPDATE assignments SET sla_due_at = ?, sla_warn_at = ?, sla_reminded_at = ?, "
                 "sla_breached_at = ?, first_touch_at = ? WHERE id = ?"));
  stmt->BindNullable(1, OptionalMillis(a.sla_due_at))
      .BindNullable(2, OptionalMillis(a.sla_warn_at))
      .BindNullable(3, OptionalMillis(a.sla_reminded_at))
      .BindNullable(4, OptionalMillis(a.sla_breached_at))
      .BindNullable(5, OptionalMillis(a.first_touch_at))
      .Bind(6, a.id);
  return stmt->Run();
}

StatusOr<std::vector<int64_t>> DueSlaLeads(Db& db, TimePoint now, size_t limit) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("SELECT lead_id FROM assignments WHERE ended_at IS NULL AND first_touch_at IS "
                 "NULL AND sla_breached_at IS NULL AND sla_warn_at <= ?1 AND (sla_reminded_at IS "
                 "NULL OR sla_due_at <= ?1) ORDER BY sla_warn_at LIMIT ?2"));
  stmt->Bind(1, ToUnixMillis(now)).Bind(2, static_cast<int64_t>(limit));
  return Collect<int64_t>(stmt, [](const Statement& s) { return s.Int(0); });
}

namespace {
// Served by the partial index leads_never_contacted. On SQLite "+stage" keeps the
// planner from preferring the index on stage, which would visit every open lead;
// PostgreSQL's planner weighs the partial index by its statistics.
std::string NeverTouched(const Db& db) {
  return fmt::format(
      "mql_at IS NOT NULL AND contacted_at IS NULL AND {}stage IN ('lead', 'mql', 'sal', 'sql', "
      "'opportunity')",
      db.dialect() == Dialect::kSqlite ? "+" : "");
}
}  // namespace

StatusOr<std::vector<LeadRecord>> NeverTouchedLeads(Db& db, size_t limit) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare(fmt::format("SELECT {} FROM leads WHERE {} ORDER BY mql_at, id LIMIT ?",
                             kLeadColumns, NeverTouched(db))));
  stmt->Bind(1, static_cast<int64_t>(limit));
  return Collect<LeadRecord>(stmt, ReadLead);
}

StatusOr<int64_t> CountNeverTouchedLeads(Db& db) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare(fmt::format("SELECT COUNT(*) FROM leads WHERE {}", NeverTouched(db))));
  TANDEM_ASSIGN_OR_RETURN(auto rows,
                          Collect<int64_t>(stmt, [](const Statement& s) { return s.Int(0); }));
  return rows.empty() ? 0 : rows[0];
}

StatusOr<std::vector<AssignmentRecord>> AssignmentsSince(Db& db, TimePoint since) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare(fmt::format(
          "SELECT {} FROM assignments WHERE started_at >= ? AND sla_due_at IS NOT NULL ORDER BY "
          "started_at, id",
          kAssignmentColumns)));
  stmt->Bind(1, ToUnixMillis(since));
  return Collect<AssignmentRecord>(stmt, ReadAssignment);
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
