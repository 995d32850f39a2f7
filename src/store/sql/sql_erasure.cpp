// Erasing a person (GDPR Art. 17), table by table, and the suppression list it leaves.
//
// Every table of the schema (store/schema/, versions 1 to 35) and what an erasure does
// to the rows of the person P (and of each person merged into P, whose rows point at them):
//
// Deleted — they hold nothing but what the person is, said, gave or did:
//   identities (emails, user ids, anonymous ids), brief_events (what the brief and the
//   why-now lines read of their events: pages, titles, forms, subjects), lead_trait_history
//   (every value a trait took), score_items, lead_log (its free text: reasons, notes,
//   outcomes' words), contact_prefs, consents (wording, form ids, evidence),
//   email_bodies (of the emails to them), email_suppressions (a bounce or complaint kept
//   by address: the erasure's own entry stands in), account_owners (the routing lookup of
//   the lead's account), erased_address_returns of the person (their return is erased
//   with them), notifications about the lead (their titles name it).
//
// Anonymized — the row is kept because something counts it, its personal data goes:
//   events: payload '{}', user_id and anonymous_id NULL; kept for the touchpoints and
//     score items that name them and so that a replayed message id is stored once, not
//     brought back.
//   persons: user_id and email NULL (the row is what events and touchpoints point to).
//   leads: a tombstone — email, name, title, company, account, traits, stage reason and
//     first and last touch NULL, erased_at set; its id, stage, dates, owner, team,
//     country and size band stay, because the reports (as of a moment too) count the lead
//     by them. Every other read of leads skips it (erased_at IS NULL).
//   touches: note and override reason NULL (speed to lead and the frequency caps count
//     the touch).
//   assignments: reason and candidates cleared, an open one ended ('erased'), so the SLA
//     timers stop and the owner's capacity is freed.
//   email_sends: address, name, subject, unsubscribe link and last error cleared, and one
//     not yet sent cancelled (broadcasts and experiments count the send).
//   email_engagements: IP and user agent cleared (the send's opens and clicks count).
//   inbound_messages (of the lead, or from or about one of the addresses): address,
//     sender, subject, Message-ID, detail and the stored MIME cleared; kind and status
//     stay for the counts of bounces, replies and complaints.
//   sequence_enrolments: an open one exited ('erased'), reasons' evidence cleared;
//     sequence_step_runs: notes cleared.
//   outbox: payload '{}' (a webhook's or notice's body names the lead); deliveries:
//     pending ones cancelled, last errors cleared.
//
// Kept as they are — counts and facts that hold no personal data, keyed by the lead or
// person id of the tombstone: stage_transitions, touchpoints, lead_funnel, funnel_days,
// velocity_days, mql_responses, speed_days, lead_outcomes, outcome_days,
// attributed_deals, attributed_touches, attribution_days, experiment_persons,
// experiment_outcomes, experiment_outcomes_by_day, experiment_days, gate_refusals (codes
// only), person_merges (ids only), and the audit log (append-only; it never held
// personal data). Outcome reasons (stage_transitions.reason, lead_outcomes.reason) stay:
// the outcome report groups by them and its kept per-day sums hold them already.
//
// Not about leads: sources, processing_cursors, teams, users, sessions, api_tokens,
// password_links, rule_versions, notification_choices,
// accounts (companies), routing_passes, routing_clocks, settings, campaigns,
// content_assets, email_templates, lead_filters, broadcasts, sequences, sequence_steps,
// experiments.
//
// Added: erased_addresses, the keyed hashes of the person's addresses.
#include <fmt/format.h>

#include <span>

#include "store/sql/sql_contact.h"
#include "store/sql/sql_store.h"

namespace tandem {
namespace sql {

StatusOr<bool> IsErasedAddress(Db& db, std::string_view address_key) {
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt,
                          db.Prepare("SELECT 1 FROM erased_addresses WHERE address_key = ?"));
  stmt->Bind(1, address_key);
  TANDEM_ASSIGN_OR_RETURN(auto found,
                          First<int64_t>(stmt, [](const Statement& s) { return s.Int(0); }));
  return found.has_value();
}

StatusOr<bool> NoteErasedAddressReturn(Db& db, std::string_view address_key, int64_t source_id,
                                       int64_t person_id, TimePoint at) {
  TANDEM_ASSIGN_OR_RETURN(bool erased, IsErasedAddress(db, address_key));
  if (!erased) return false;
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("INSERT INTO erased_address_returns (address_key, source_id, person_id, "
                 "returned_at) VALUES (?, ?, ?, ?) ON CONFLICT (address_key, source_id) DO "
                 "NOTHING"));
  stmt->Bind(1, address_key).Bind(2, source_id).Bind(3, person_id).Bind(4, ToUnixMillis(at));
  TANDEM_RETURN_IF_ERROR(stmt->Run());
  return db.Changes() > 0;
}

namespace {

// One statement of an erasure: the table it counts under, and its SQL over ?1 (the
// person's id) and ?2 (the erasure's time, Unix ms).
struct Step {
  const char* table;
  const char* sql;
  bool uses_time = false;
};

// Sends not yet sent, which an erasure cancels.
#define TANDEM_UNSENT "status IN ('queued', 'retrying', 'sending', 'interrupted')"
#define TANDEM_OPEN_ENROLMENT "state IN ('active', 'paused')"

// Each person's rows (P and the persons merged into P).
constexpr Step kPersonSteps[] = {
    {"events",
     "UPDATE events SET payload = '{}', user_id = NULL, anonymous_id = NULL WHERE person_id = ?1"},
    {"identities", "DELETE FROM identities WHERE person_id = ?1"},
    {"brief_events", "DELETE FROM brief_events WHERE person_id = ?1"},
    {"erased_address_returns", "DELETE FROM erased_address_returns WHERE person_id = ?1"},
    {"persons", "UPDATE persons SET user_id = NULL, email = NULL, updated_at = ?2 WHERE id = ?1",
     true},
};

// The lead's rows (a lead's id is its person's).
constexpr Step kLeadSteps[] = {
    {"leads",
     "UPDATE leads SET email = NULL, name = NULL, title = NULL, company_name = NULL, "
     "account_domain = NULL, traits = '{}', stage_reason = NULL, first_touch = NULL, "
     "last_touch = NULL, queued = 0, erased_at = ?2, updated_at = ?2 WHERE id = ?1",
     true},
    {"lead_trait_history", "DELETE FROM lead_trait_history WHERE lead_id = ?1"},
    {"score_items", "DELETE FROM score_items WHERE lead_id = ?1"},
    {"lead_log", "DELETE FROM lead_log WHERE lead_id = ?1"},
    {"account_owners", "DELETE FROM account_owners WHERE lead_id = ?1"},
    {"assignments",
     "UPDATE assignments SET reason = '', candidates = '[]', end_reason = CASE WHEN ended_at IS "
     "NULL THEN 'erased' ELSE end_reason END, ended_at = COALESCE(ended_at, ?2) WHERE lead_id = "
     "?1",
     true},
    {"contact_prefs", "DELETE FROM contact_prefs WHERE lead_id = ?1"},
    {"consents", "DELETE FROM consents WHERE lead_id = ?1"},
    {"touches", "UPDATE touches SET note = NULL, override_reason = NULL WHERE lead_id = ?1"},
    {"email_bodies",
     "DELETE FROM email_bodies WHERE send_id IN (SELECT id FROM email_sends WHERE lead_id = ?1)"},
    {"email_sends",
     "UPDATE email_sends SET to_address = '', to_name = '', subject = '', unsubscribe_url = '', "
     "last_error = '', reason = CASE WHEN " TANDEM_UNSENT
     " THEN 'erased' WHEN reason LIKE '%@%' THEN '' ELSE reason END, status = CASE "
     "WHEN " TANDEM_UNSENT " THEN 'cancelled' ELSE status END, updated_at = ?2 WHERE lead_id = ?1",
     true},
    {"email_engagements",
     "UPDATE email_engagements SET ip = '', user_agent = '' WHERE lead_id = ?1"},
    {"inbound_messages",
     "UPDATE inbound_messages SET from_address = '', subject = '', address = '', message_id = "
     "'', dedup_key = 'erased:' || uid, detail = '{}', raw_base64 = '' WHERE lead_id = ?1"},
    {"sequence_step_runs",
     "UPDATE sequence_step_runs SET note = '' WHERE enrolment_id IN (SELECT id FROM "
     "sequence_enrolments WHERE lead_id = ?1)"},
    {"sequence_enrolments",
     "UPDATE sequence_enrolments SET detail = '', reason = CASE WHEN " TANDEM_OPEN_ENROLMENT
     " THEN 'erased' ELSE reason END, ended_at = CASE WHEN " TANDEM_OPEN_ENROLMENT
     " THEN ?2 ELSE ended_at END, due_at = NULL, paused_until = NULL, state = CASE "
     "WHEN " TANDEM_OPEN_ENROLMENT
     " THEN 'exited' ELSE state END, updated_at = ?2 WHERE lead_id = ?1",
     true},
    {"deliveries",
     "UPDATE deliveries SET state = CASE WHEN state = 'pending' THEN 'cancelled' ELSE state END, "
     "last_error = NULL WHERE lead_id = ?1"},
    {"outbox", "UPDATE outbox SET payload = '{}' WHERE lead_id = ?1"},
    {"notifications", "DELETE FROM notifications WHERE lead_id = ?1"},
};

// The rows kept by one of the person's addresses (?1, normalized) rather than by lead.
constexpr Step kAddressSteps[] = {
    {"email_suppressions", "DELETE FROM email_suppressions WHERE address = ?1"},
    {"inbound_messages",
     "UPDATE inbound_messages SET from_address = '', subject = '', address = '', message_id = "
     "'', dedup_key = 'erased:' || uid, detail = '{}', raw_base64 = '' WHERE "
     "lower(from_address) = ?1 OR address = ?1"},
};

#undef TANDEM_UNSENT
#undef TANDEM_OPEN_ENROLMENT

template <typename Value>
Status RunSteps(Db& db, std::span<const Step> steps, const Value& key, int64_t at,
                ErasureCounts& counts) {
  for (const Step& step : steps) {
    TANDEM_ASSIGN_OR_RETURN(Statement * stmt, db.Prepare(step.sql));
    stmt->Bind(1, key);
    if (step.uses_time) stmt->Bind(2, at);
    TANDEM_RETURN_IF_ERROR(stmt->Run());
    counts[step.table] += db.Changes();
  }
  return OkStatus();
}

// `person_id` and every person merged into them, however many merges deep.
StatusOr<std::vector<int64_t>> PersonAndMerged(Db& db, int64_t person_id) {
  std::vector<int64_t> all{person_id};
  TANDEM_ASSIGN_OR_RETURN(Statement * merged,
                          db.Prepare("SELECT id FROM persons WHERE merged_into = ? ORDER BY id"));
  for (size_t next = 0; next < all.size() && all.size() < 100'000; ++next) {
    merged->Bind(1, all[next]);
    TANDEM_ASSIGN_OR_RETURN(auto ids,
                            Collect<int64_t>(merged, [](const Statement& s) { return s.Int(0); }));
    all.insert(all.end(), ids.begin(), ids.end());
  }
  return all;
}

// NotFound unless the person exists and their lead, if any, is not erased yet.
Status CheckErasable(Db& db, int64_t person_id) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("SELECT (SELECT COUNT(*) FROM leads l WHERE l.id = p.id AND l.erased_at IS NOT "
                 "NULL) FROM persons p WHERE p.id = ?"));
  stmt->Bind(1, person_id);
  TANDEM_ASSIGN_OR_RETURN(auto erased,
                          First<int64_t>(stmt, [](const Statement& s) { return s.Int(0); }));
  if (!erased) return NotFound("not_found", fmt::format("no person ld_{}", person_id));
  if (*erased > 0) {
    return NotFound("not_found", fmt::format("ld_{} was erased already", person_id));
  }
  return OkStatus();
}

Status KeepErasedAddresses(Db& db, const ErasureRequest& request, ErasureCounts& counts) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * keep,
      db.Prepare("INSERT INTO erased_addresses (address_key, erased_at) VALUES (?, ?) ON "
                 "CONFLICT (address_key) DO NOTHING"));
  for (const std::string& key : request.address_keys) {
    keep->Bind(1, key).Bind(2, ToUnixMillis(request.at));
    TANDEM_RETURN_IF_ERROR(keep->Run());
    counts["erased_addresses"] += db.Changes();
  }
  return OkStatus();
}

}  // namespace
}  // namespace sql

StatusOr<ErasureCounts> SqlStore::ErasePerson(const ErasureRequest& request) {
  ErasureCounts counts;
  const Status written = Write([&](sql::Db& db) -> Status {
    counts.clear();  // a retried transaction counts again
    TANDEM_RETURN_IF_ERROR(sql::CheckErasable(db, request.person_id));
    TANDEM_ASSIGN_OR_RETURN(auto persons, sql::PersonAndMerged(db, request.person_id));
    const int64_t at = ToUnixMillis(request.at);
    for (int64_t id : persons) {
      TANDEM_RETURN_IF_ERROR(sql::RunSteps(db, sql::kPersonSteps, id, at, counts));
      TANDEM_RETURN_IF_ERROR(sql::RunSteps(db, sql::kLeadSteps, id, at, counts));
    }
    for (const std::string& address : request.addresses) {
      TANDEM_RETURN_IF_ERROR(sql::RunSteps(db, sql::kAddressSteps, address, at, counts));
    }
    return sql::KeepErasedAddresses(db, request, counts);
  });
  TANDEM_RETURN_IF_ERROR(written);
  return counts;
}

}  // namespace tandem
