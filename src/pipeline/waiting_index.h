// WaitingIndex: what the pipeline knows of the events waiting ahead of its cursor — who
// each one is from (its anonymous id, user id and the address it carries, hashed) and
// whether it may change who owns a lead — read from the store as events are committed. It lets a
// backlog be searched for a visitor's waiting events without an index on the events table, whose
// upkeep would slow every acknowledgement.
//
// A hash collision only makes a search return more events than the visitor's, which
// the pipeline then processes in order with them: never fewer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "identity/identity.h"

namespace tandem {

class WaitingIndex {
 public:
  // Whether a waiting event may change who owns a lead, and how surely.
  enum class Urgency {
    kNone,
    kMayMakeLead,  // an identify or alias: it may make a person a lead
    kHandRaise,    // an event the scoring rules may count as a hand-raise
  };

  explicit WaitingIndex(size_t capacity) : capacity_(capacity) {}

  // Takes in an event after the last one added (ids ascending); returns false, taking
  // nothing, when the index holds `capacity` events. An alias's previous id may be a
  // user id or an anonymous id: it is found as either.
  bool Add(int64_t id, std::string_view anonymous_id, std::string_view user_id,
           std::string_view email, Urgency urgency, std::string_view previous_id = {});
  // The last event added; 0 before any.
  int64_t last() const { return last_; }
  size_t size() const { return live_; }
  bool full() const { return entries_.size() >= capacity_; }

  // Forgets the events up to `upto` (processed in commit order).
  void ForgetThrough(int64_t upto);
  // Forgets one event (processed ahead of the others).
  void Forget(int64_t id);
  // Forgets everything; the next Add starts anywhere.
  void Clear();

  // Up to `limit` urgent events: possible hand-raises first, newest first — the
  // prospect still on the site is the one a call can reach now, and behind a backlog
  // the older ones are late already and follow within batches — then the others,
  // oldest first.
  std::vector<int64_t> Urgent(size_t limit) const;
  // The events carrying `identity` with ids in (after, before), oldest first.
  std::vector<int64_t> Carrying(const Identity& identity, int64_t after, int64_t before) const;

 private:
  struct Entry {
    int64_t id;
    uint64_t anonymous;  // hashes; 0: none
    uint64_t user;
    uint64_t email;
    uint64_t previous;
    bool gone;
  };
  using ByHash = std::unordered_map<uint64_t, std::vector<int64_t>>;
  static uint64_t Hash(std::string_view value);
  const Entry* Find(int64_t id) const;

  const size_t capacity_;
  std::deque<Entry> entries_;  // ascending ids; forgotten ones at the front are popped
  ByHash by_anonymous_, by_user_, by_email_;
  // Ascending ids of urgent events, hand-raises first, pruned as they are forgotten.
  std::vector<int64_t> hand_raises_, may_make_lead_;
  int64_t last_ = 0;
  size_t live_ = 0;
};

}  // namespace tandem
