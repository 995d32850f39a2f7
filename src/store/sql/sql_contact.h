// Contact preferences, consents, touches, gate refusals and SLA timers: the
// queries behind the contact gate and the reports. Writes REQUIRE a write transaction
// open on the connection.
#pragma once

#include <optional>
#include <vector>

#include "store/sql/sql_db.h"
#include "store/store.h"

namespace tandem::sql {

StatusOr<ContactPrefs> GetContactPrefs(Db& db, int64_t lead_id);
Status PutContactPrefs(Db& db, const ContactPrefs& prefs);
StatusOr<std::vector<ConsentRecord>> ListConsents(Db& db, int64_t lead_id);
Status AddConsent(Db& db, const ConsentRecord& consent);
StatusOr<std::vector<TouchRecord>> ListTouches(Db& db, int64_t lead_id, TimePoint since);
StatusOr<int64_t> AddTouch(Db& db, const TouchRecord& touch);
StatusOr<bool> ConfirmTouchScore(Db& db, int64_t lead_id, int64_t touch_id);
Status AddRefusal(Db& db, const GateRefusal& refusal);
// Moves contact data of lead `from` to `into`, keeping the more restrictive choice of
// the two (an opt-out is never undone by a merge).
Status FoldContact(Db& db, int64_t from, int64_t into, TimePoint now);

StatusOr<std::optional<AssignmentRecord>> OpenAssignment(Db& db, int64_t lead_id);
Status UpdateAssignmentSla(Db& db, const AssignmentRecord& assignment);
StatusOr<std::vector<int64_t>> DueSlaLeads(Db& db, TimePoint now, size_t limit);

StatusOr<std::vector<LeadRecord>> NeverTouchedLeads(Db& db, size_t limit);
StatusOr<int64_t> CountNeverTouchedLeads(Db& db);
StatusOr<std::vector<AssignmentRecord>> AssignmentsSince(Db& db, TimePoint since);
StatusOr<RefusalCounts> CountRefusals(Db& db, TimePoint since);
StatusOr<std::vector<OutboxMessage>> ListOutbox(Db& db, int64_t after_id, size_t limit);

}  // namespace tandem::sql
