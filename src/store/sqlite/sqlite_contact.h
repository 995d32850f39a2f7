// Contact preferences, consents, touches, gate refusals and SLA timers in SQLite: the
// queries behind the contact gate and the reports. Writes REQUIRE a write transaction
// open on the connection.
#pragma once

#include <optional>
#include <vector>

#include "store/sqlite/sqlite_db.h"
#include "store/store.h"

namespace tandem::sqlite {

StatusOr<ContactPrefs> GetContactPrefs(Database& db, int64_t lead_id);
Status PutContactPrefs(Database& db, const ContactPrefs& prefs);
StatusOr<std::vector<ConsentRecord>> ListConsents(Database& db, int64_t lead_id);
Status AddConsent(Database& db, const ConsentRecord& consent);
StatusOr<std::vector<TouchRecord>> ListTouches(Database& db, int64_t lead_id, TimePoint since);
StatusOr<int64_t> AddTouch(Database& db, const TouchRecord& touch);
Status AddRefusal(Database& db, const GateRefusal& refusal);
// Moves contact data of lead `from` to `into`, keeping the more restrictive choice of
// the two (an opt-out is never undone by a merge).
Status FoldContact(Database& db, int64_t from, int64_t into, TimePoint now);

StatusOr<std::optional<AssignmentRecord>> OpenAssignment(Database& db, int64_t lead_id);
Status UpdateAssignmentSla(Database& db, const AssignmentRecord& assignment);
StatusOr<std::vector<int64_t>> DueSlaLeads(Database& db, TimePoint now, size_t limit);

StatusOr<std::vector<LeadRecord>> NeverTouchedLeads(Database& db, size_t limit);
StatusOr<int64_t> CountNeverTouchedLeads(Database& db);
StatusOr<std::vector<AssignmentRecord>> AssignmentsSince(Database& db, TimePoint since);
StatusOr<RefusalCounts> CountRefusals(Database& db, TimePoint since);
StatusOr<std::vector<OutboxMessage>> ListOutbox(Database& db, int64_t after_id, size_t limit);

}  // namespace tandem::sqlite
