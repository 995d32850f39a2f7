#include "privacy/erasure.h"

#include <algorithm>

#include "identity/email.h"
#include "identity/erased_address.h"

namespace tandem {
namespace {

constexpr size_t kMaxReason = 1000;

bool Blank(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
}

void AddAddress(ErasureRequest& request, std::string_view secret, std::string_view raw) {
  const std::string address = NormalizeEmail(raw);
  if (address.empty()) return;
  if (std::find(request.addresses.begin(), request.addresses.end(), address) !=
      request.addresses.end()) {
    return;
  }
  request.addresses.push_back(address);
  request.address_keys.push_back(ErasedAddressKey(secret, address));
}

}  // namespace

Status CheckErasureReason(std::string_view reason) {
  if (Blank(reason)) {
    return Unprocessable("reason_required",
                         "say why the person is erased (\"reason\"): an erasure cannot be undone");
  }
  if (reason.size() > kMaxReason) {
    return Unprocessable("reason_too_long", "the reason is limited to 1000 characters");
  }
  return OkStatus();
}

ErasureRequest PlanErasure(const Person& person, const std::optional<LeadRecord>& lead,
                           std::string_view secret, TimePoint now) {
  ErasureRequest request;
  request.person_id = person.id;
  request.at = now;
  for (const Identity& identity : person.identities) {
    if (identity.kind == IdentityKind::kEmail) AddAddress(request, secret, identity.value);
  }
  AddAddress(request, secret, person.email);
  if (lead) AddAddress(request, secret, lead->email);
  return request;
}

nlohmann::json ErasureDetail(const ErasureCounts& counts) {
  nlohmann::json rows = nlohmann::json::object();
  for (const auto& [table, n] : counts) {
    if (n > 0 && table != "erased_addresses") rows[table] = n;
  }
  const auto kept = counts.find("erased_addresses");
  return {{"rows", rows}, {"suppressed_addresses", kept == counts.end() ? 0 : kept->second}};
}

}  // namespace tandem
