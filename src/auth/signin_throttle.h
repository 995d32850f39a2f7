// SignInThrottle: how many passwords may be tried, per client and per email address,
// without letting a stranger lock a user out.
//
//   per client   every attempt from one client address takes a token from its bucket;
//                a success gives it back. Bounds what one machine can try (and hash).
//   per address  every attempt on one email address (known or not: the key is the text
//                typed, so the answer never tells whether an account exists) takes a
//                token too; a success gives it back. Bounds what a crowd of machines can
//                try against one account.
//   good standing  a client that signed in to an address is remembered for it (for
//                `trust_for`): when the address's bucket is empty, such a client still
//                gets to try, limited only by its own bucket. So a flood of wrong
//                passwords from elsewhere slows the attacker, not the account's owner.
//   under a flood  when the address's bucket is empty, any other client is slowed, never
//                shut out: it gets `per_pair` attempts on that address (one at once, then
//                one every five minutes). Nobody can lock a user out, not even from a
//                device the user never signed in from; a crowd of machines gets one
//                attempt per machine per five minutes on the account, and every attempt
//                still takes from its machine's own bucket.
//
// In memory and per instance: N instances behind a load balancer allow N times the
// figures. Thread-safe; time is an argument.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/rate_limiter.h"

namespace tandem {

class SignInThrottle {
 public:
  struct Options {
    RateLimit per_client{6, 10};
    RateLimit per_address{5.0 / 15, 5};
    RateLimit per_pair{1.0 / 5, 1};  // one client on one address whose bucket is empty
    std::chrono::hours trust_for{24 * 30};
    size_t max_keys = 100000;
  };
  explicit SignInThrottle(Options options);

  struct Admission {
    bool allowed = true;
    std::chrono::seconds retry_after{0};  // when refused
    bool took_address = false;  // false when a client in good standing passed an empty bucket
  };
  // Before a password is checked: takes the attempt, or refuses it with the wait.
  Admission Admit(std::string_view client, std::string_view email, TimePoint now);
  // After the check. A success gives back what Admit took and puts the client in good
  // standing for the address; a failure leaves the attempt spent.
  void Succeeded(std::string_view client, std::string_view email, const Admission& admission,
                 TimePoint now);
  // An admitted attempt that was never checked (the password workers were busy).
  void NotChecked(std::string_view client, std::string_view email, const Admission& admission,
                  TimePoint now);

  // An admin's unlock: the address's attempts are whole again, so its owner signs in at
  // once from any device (this instance's count; each instance keeps its own).
  void Unlock(std::string_view email);

  // The key an email address is counted under: trimmed, lower case, at most 320 bytes.
  static std::string AddressKey(std::string_view email);

 private:
  bool InGoodStanding(const std::string& pair, TimePoint now);

  const Options options_;
  TokenBuckets clients_;
  TokenBuckets addresses_;
  TokenBuckets pairs_;
  std::mutex mu_;
  // "<client> <address>" → until when the client is in good standing; guarded by mu_.
  std::unordered_map<std::string, TimePoint> trusted_;
};

}  // namespace tandem
