// What the contact domain asks of the store: a person's preferences, consents and
// touches (read inside a lead's transaction or outside any), and the rows recording a
// contact or a refusal.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "contact/contact_records.h"
#include "core/clock.h"
#include "core/status.h"

namespace tandem {

class ContactReads {
 public:
  virtual ~ContactReads() = default;
  // The lead's preferences; defaults when none are stored.
  virtual StatusOr<ContactPrefs> GetContactPrefs(int64_t lead_id) = 0;
  virtual StatusOr<std::vector<ConsentRecord>> ListConsents(int64_t lead_id) = 0;
  // The lead's touches at or after `since`, oldest first.
  virtual StatusOr<std::vector<TouchRecord>> ListTouches(int64_t lead_id, TimePoint since) = 0;
  // Whether an erasure put `address_key` (identity/erased_address.h) on the suppression
  // list.
  virtual StatusOr<bool> IsErasedAddress(std::string_view address_key) = 0;
};

// Writes, inside a lead's transaction.
class ContactWrites {
 public:
  virtual ~ContactWrites() = default;
  virtual Status PutContactPrefs(const ContactPrefs& prefs) = 0;
  virtual Status AddConsent(const ConsentRecord& consent) = 0;
  virtual StatusOr<int64_t> AddTouch(const TouchRecord& touch) = 0;
  // Marks the lead's touch `touch_id` confirmed when it awaits confirmation; false when
  // it does not (another transaction confirmed it first, or it never needed it).
  virtual StatusOr<bool> ConfirmTouchScore(int64_t lead_id, int64_t touch_id) = 0;
  virtual Status AddRefusal(const GateRefusal& refusal) = 0;
};

// Reports over every lead, outside any transaction.
class ContactReports {
 public:
  virtual ~ContactReports() = default;
  virtual StatusOr<RefusalCounts> CountRefusals(TimePoint since) = 0;
};

}  // namespace tandem
