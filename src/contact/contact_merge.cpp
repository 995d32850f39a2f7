#include "contact/contact_merge.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "contact/gate.h"

namespace tandem {

namespace {

// Where an address came from by itself (a form, an event) rather than by someone's hand.
bool InboundSource(std::string_view source) {
  return source.empty() || source == "form" || source == "event";
}

// Every channel refused on either side, with `into`'s reason where both refused it.
std::string MergeDoNotContact(const std::string& into, const std::string& from) {
  nlohmann::json dnc = nlohmann::json::parse(into, nullptr, false);
  nlohmann::json other = nlohmann::json::parse(from, nullptr, false);
  if (!dnc.is_object()) dnc = nlohmann::json::object();
  if (other.is_object()) {
    for (auto& [channel, reason] : other.items()) {
      if (!dnc.contains(channel)) dnc[channel] = reason;
    }
  }
  return dnc.dump();
}

}  // namespace

ContactPrefs MergeContactPrefs(const ContactPrefs& into, const ContactPrefs& from, TimePoint now) {
  ContactPrefs merged = into;
  if (!merged.preferred_channel) merged.preferred_channel = from.preferred_channel;
  if (merged.timezone.empty()) merged.timezone = from.timezone;
  merged.do_not_contact = MergeDoNotContact(into.do_not_contact, from.do_not_contact);
  if (!merged.ooo_until) {
    merged.ooo_from = from.ooo_from;
    merged.ooo_until = from.ooo_until;
  }
  if (from.unsubscribed_at &&
      (!into.unsubscribed_at || *from.unsubscribed_at < *into.unsubscribed_at)) {
    merged.unsubscribed_at = from.unsubscribed_at;
  }
  if (InboundSource(merged.address_source) && !InboundSource(from.address_source)) {
    merged.address_source = from.address_source;
  }
  merged.updated_at = now;
  return merged;
}

std::vector<ConsentRecord> KeptWithdrawals(const std::vector<ConsentRecord>& into_consents,
                                           const std::vector<ConsentRecord>& from_consents,
                                           int64_t from, int64_t into, TimePoint now) {
  // Both histories as one, in the order the store lists a lead's consents (by time, then id).
  std::vector<ConsentRecord> combined = into_consents;
  combined.insert(combined.end(), from_consents.begin(), from_consents.end());
  std::stable_sort(combined.begin(), combined.end(),
                   [](const ConsentRecord& a, const ConsentRecord& b) {
                     return a.at != b.at ? a.at < b.at : a.id < b.id;
                   });
  std::map<std::string_view, Purpose> purposes;  // in the order of their names
  for (const ConsentRecord& c : combined) purposes.emplace(PurposeName(c.purpose), c.purpose);
  std::vector<ConsentRecord> out;
  for (const auto& [name, purpose] : purposes) {
    bool withdrawn = ConsentState(into_consents, purpose) == "withdrawn" ||
                     ConsentState(from_consents, purpose) == "withdrawn";
    if (!withdrawn || ConsentState(combined, purpose) == "withdrawn") continue;
    ConsentRecord c;
    c.lead_id = into;
    c.purpose = purpose;
    c.status = "withdrawn";
    c.at = std::max(now, combined.empty() ? now : combined.back().at);
    c.method = "merge";
    c.actor = "system";
    c.wording = fmt::format("kept the withdrawal of ld_{} when merging it into ld_{}", from, into);
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace tandem
