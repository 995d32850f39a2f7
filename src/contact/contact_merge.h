// When two persons turn out to be one, their leads fold into the survivor's, and so do
// their contact records. The policy is "the most restrictive wins": an opt-out, an
// unsubscribe or a withdrawn consent on either side is never undone by the merge.
// Pure functions: the lead's unit of work reads both sides, calls them and writes the
// result (leads/lead_engine.cpp).
#pragma once

#include <cstdint>
#include <vector>

#include "contact/contact_records.h"
#include "core/clock.h"

namespace tandem {

// The survivor's preferences after lead `from` folds into `into`: `into`'s choices
// first, `from`'s where `into` has none; every channel either side refused stays
// refused; the earlier unsubscribe; a manual (non-inbound) address source over an
// inbound one.
ContactPrefs MergeContactPrefs(const ContactPrefs& into, const ContactPrefs& from, TimePoint now);

// The consents to add to `into` once `from`'s consents moved to it: a withdrawal on
// either side stays a withdrawal, whatever the other side granted later. Each is a
// "merge" withdrawal by the system, recorded at `now` or after the last consent kept.
std::vector<ConsentRecord> KeptWithdrawals(const std::vector<ConsentRecord>& into_consents,
                                           const std::vector<ConsentRecord>& from_consents,
                                           int64_t from, int64_t into, TimePoint now);

}  // namespace tandem
