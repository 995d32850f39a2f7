// WorkloadGenerator: realistic website traffic as Segment messages.
//
// Visitors arrive through the channels a B2B marketing site sees (Google Ads with
// keywords, LinkedIn, Twitter, the newsletter, organic search, referrals, direct),
// land on a page, read a few more, sometimes download content or fill in a form and
// identify themselves, and sometimes come back. Deterministic for a seed, so the
// benchmarks and the demo workspace are repeatable. Every message has a unique
// messageId.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/clock.h"

namespace tandem {

class WorkloadGenerator {
 public:
  WorkloadGenerator(uint64_t seed, TimePoint start);

  // One visit of one visitor: the messages it sends, in order, as JSON objects.
  std::vector<std::string> NextVisit();
  // At least `count` messages, whole visits at a time.
  std::vector<std::string> Messages(size_t count);

  // Fraction of visitors who identify themselves, 0..1 (default 0.10).
  void set_identify_rate(double rate) { identify_rate_ = rate; }
  // Mean time between visits (default 40 s), so histories span realistic days.
  void set_visit_gap(std::chrono::milliseconds gap) { visit_gap_ = gap; }
  // Time runs `speedup` times faster (default 1): every gap, between visits and between
  // a visit's pages, divided by it — as many visitors as before in a shorter span.
  void set_pace(int speedup) { pace_ = std::max(speedup, 1); }
  // How many different people the visitors are (default 1,440: every combination of the
  // generator's names and companies); more make more leads, told apart by a number.
  void set_people(size_t people) { people_ = std::max<size_t>(people, 1); }

 private:
  struct Visitor {
    std::string anonymous_id;
    std::string user_id;  // set once identified
    int person = 0;       // index into the generated people
  };

  std::string NextMessageId();
  size_t Pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }

  std::mt19937_64 rng_;
  uint64_t seed_;
  uint64_t next_message_ = 0;
  TimePoint now_;
  double identify_rate_ = 0.10;
  std::chrono::milliseconds visit_gap_{40000};
  int pace_ = 1;
  size_t people_ = 1440;
  std::vector<Visitor> returning_;
};

}  // namespace tandem
