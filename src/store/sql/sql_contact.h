// Contact preferences, consents, touches and gate refusals: the queries behind
// ContactReads (written once: ContactReadsOn), the lead transaction's contact writes and
// the refusal report. Writes REQUIRE a write transaction open on the connection.
#pragma once

#include <vector>

#include "store/sql/sql_db.h"
#include "store/store.h"

namespace tandem::sql {

StatusOr<ContactPrefs> GetContactPrefs(Db& db, int64_t lead_id);
StatusOr<std::vector<ConsentRecord>> ListConsents(Db& db, int64_t lead_id);
StatusOr<std::vector<TouchRecord>> ListTouches(Db& db, int64_t lead_id, TimePoint since);
// The suppression list an erasure leaves (sql_erasure.cpp).
StatusOr<bool> IsErasedAddress(Db& db, std::string_view address_key);
StatusOr<bool> NoteErasedAddressReturn(Db& db, std::string_view address_key, int64_t source_id,
                                       int64_t person_id, TimePoint at);

Status PutContactPrefs(Db& db, const ContactPrefs& prefs);
Status AddConsent(Db& db, const ConsentRecord& consent);
StatusOr<int64_t> AddTouch(Db& db, const TouchRecord& touch);
StatusOr<bool> ConfirmTouchScore(Db& db, int64_t lead_id, int64_t touch_id);
Status AddRefusal(Db& db, const GateRefusal& refusal);
// Moves the consents, touches and refusals of lead `from` to `into`, and deletes the
// preferences of `from` (merging them is the domain's: contact/contact_merge.h).
Status MoveContact(Db& db, int64_t from, int64_t into);

StatusOr<RefusalCounts> CountRefusals(Db& db, TimePoint since);

// ContactReads on the connection to read on (see sql_reads.h).
template <typename Base>
class ContactReadsOn : public Base {
 public:
  StatusOr<ContactPrefs> GetContactPrefs(int64_t lead_id) override {
    return this->Reading([&](Db& db) { return sql::GetContactPrefs(db, lead_id); });
  }
  StatusOr<std::vector<ConsentRecord>> ListConsents(int64_t lead_id) override {
    return this->Reading([&](Db& db) { return sql::ListConsents(db, lead_id); });
  }
  StatusOr<std::vector<TouchRecord>> ListTouches(int64_t lead_id, TimePoint since) override {
    return this->Reading([&](Db& db) { return sql::ListTouches(db, lead_id, since); });
  }
  StatusOr<bool> IsErasedAddress(std::string_view address_key) override {
    return this->Reading([&](Db& db) { return sql::IsErasedAddress(db, address_key); });
  }
};

}  // namespace tandem::sql
