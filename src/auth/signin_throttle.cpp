#include "auth/signin_throttle.h"

#include <cctype>

#include "core/text.h"

namespace tandem {
namespace {

std::string PairKey(std::string_view client, std::string_view address) {
  std::string key(client);
  key += ' ';
  key += address;
  return key;
}

}  // namespace

SignInThrottle::SignInThrottle(Options options)
    : options_(options),
      clients_(options.per_client, options.max_keys),
      addresses_(options.per_address, options.max_keys),
      pairs_(options.per_pair, options.max_keys) {}

std::string SignInThrottle::AddressKey(std::string_view email) {
  std::string key(TrimSpace(email).substr(0, 320));
  for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return key;
}

bool SignInThrottle::InGoodStanding(const std::string& pair, TimePoint now) {
  std::lock_guard lock(mu_);
  auto it = trusted_.find(pair);
  if (it == trusted_.end()) return false;
  if (it->second > now) return true;
  trusted_.erase(it);
  return false;
}

SignInThrottle::Admission SignInThrottle::Admit(std::string_view client, std::string_view email,
                                                TimePoint now) {
  const std::string address = AddressKey(email);
  TokenBuckets::Decision by_client = clients_.Take(client, now);
  if (!by_client.allowed) return {false, by_client.retry_after, false};
  TokenBuckets::Decision by_address = addresses_.Take(address, now);
  if (by_address.allowed) return {true, std::chrono::seconds(0), true};
  const std::string pair = PairKey(client, address);
  if (InGoodStanding(pair, now)) return {};
  // Under a flood: slowed, never shut out (see the header).
  TokenBuckets::Decision by_pair = pairs_.Take(pair, now);
  if (by_pair.allowed) return {};
  return {false, by_pair.retry_after, false};
}

void SignInThrottle::Unlock(std::string_view email) { addresses_.Forget(AddressKey(email)); }

void SignInThrottle::Succeeded(std::string_view client, std::string_view email,
                               const Admission& admission, TimePoint now) {
  const std::string address = AddressKey(email);
  clients_.Give(client, now);
  if (admission.took_address) addresses_.Give(address, now);
  std::lock_guard lock(mu_);
  if (trusted_.size() >= options_.max_keys) {
    std::erase_if(trusted_, [now](const auto& entry) { return entry.second <= now; });
    if (trusted_.size() >= options_.max_keys) trusted_.erase(trusted_.begin());
  }
  trusted_[PairKey(client, address)] = now + options_.trust_for;
}

void SignInThrottle::NotChecked(std::string_view client, std::string_view email,
                                const Admission& admission, TimePoint now) {
  clients_.Give(client, now);
  if (admission.took_address) addresses_.Give(AddressKey(email), now);
}

}  // namespace tandem
