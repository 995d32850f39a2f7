#include "pipeline/waiting_index.h"

#include <algorithm>
#include <functional>

namespace tandem {

uint64_t WaitingIndex::Hash(std::string_view value) {
  if (value.empty()) return 0;
  const uint64_t h = std::hash<std::string_view>{}(value);
  return h == 0 ? 1 : h;
}

bool WaitingIndex::Add(int64_t id, std::string_view anonymous_id, std::string_view user_id,
                       std::string_view email, Urgency urgency, std::string_view previous_id) {
  if (full()) return false;
  const Entry e{id, Hash(anonymous_id), Hash(user_id), Hash(email), Hash(previous_id), false};
  entries_.push_back(e);
  if (e.anonymous != 0) by_anonymous_[e.anonymous].push_back(id);
  if (e.user != 0) by_user_[e.user].push_back(id);
  if (e.previous != 0) {  // once under each kind
    if (e.previous != e.anonymous) by_anonymous_[e.previous].push_back(id);
    if (e.previous != e.user) by_user_[e.previous].push_back(id);
  }
  if (e.email != 0) by_email_[e.email].push_back(id);
  if (urgency == Urgency::kHandRaise) hand_raises_.push_back(id);
  if (urgency == Urgency::kMayMakeLead) may_make_lead_.push_back(id);
  last_ = id;
  ++live_;
  return true;
}

const WaitingIndex::Entry* WaitingIndex::Find(int64_t id) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), id,
                             [](const Entry& e, int64_t v) { return e.id < v; });
  return it != entries_.end() && it->id == id ? &*it : nullptr;
}

void WaitingIndex::Forget(int64_t id) {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), id,
                             [](const Entry& e, int64_t v) { return e.id < v; });
  if (it == entries_.end() || it->id != id || it->gone) return;
  it->gone = true;
  --live_;
}

void WaitingIndex::ForgetThrough(int64_t upto) {
  const auto drop = [&](ByHash& map, uint64_t key) {
    auto found = map.find(key);
    if (found == map.end()) return;
    std::vector<int64_t>& ids = found->second;
    ids.erase(ids.begin(), std::upper_bound(ids.begin(), ids.end(), upto));
    if (ids.empty()) map.erase(found);
  };
  while (!entries_.empty() && entries_.front().id <= upto) {
    const Entry& e = entries_.front();
    if (e.anonymous != 0) drop(by_anonymous_, e.anonymous);
    if (e.user != 0) drop(by_user_, e.user);
    if (e.email != 0) drop(by_email_, e.email);
    if (e.previous != 0) {
      drop(by_anonymous_, e.previous);
      drop(by_user_, e.previous);
    }
    if (!e.gone) --live_;
    entries_.pop_front();
  }
  for (std::vector<int64_t>* urgent : {&hand_raises_, &may_make_lead_}) {
    urgent->erase(urgent->begin(), std::upper_bound(urgent->begin(), urgent->end(), upto));
    // Urgent events taken ahead are pruned too, so a backlog of them costs no rescans.
    std::erase_if(*urgent, [&](int64_t id) {
      const Entry* e = Find(id);
      return e == nullptr || e->gone;
    });
  }
}

void WaitingIndex::Clear() {
  entries_.clear();
  by_anonymous_.clear();
  by_user_.clear();
  by_email_.clear();
  hand_raises_.clear();
  may_make_lead_.clear();
  last_ = 0;
  live_ = 0;
}

std::vector<int64_t> WaitingIndex::Urgent(size_t limit) const {
  std::vector<int64_t> out;
  const auto take = [&](auto begin, auto end) {
    for (auto it = begin; it != end && out.size() < limit; ++it) {
      const Entry* e = Find(*it);
      if (e != nullptr && !e->gone) out.push_back(*it);
    }
  };
  take(hand_raises_.rbegin(), hand_raises_.rend());
  take(may_make_lead_.begin(), may_make_lead_.end());
  return out;
}

std::vector<int64_t> WaitingIndex::Carrying(const Identity& identity, int64_t after,
                                            int64_t before) const {
  std::vector<int64_t> out;
  const ByHash& map = identity.kind == IdentityKind::kAnonymousId ? by_anonymous_
                      : identity.kind == IdentityKind::kUserId    ? by_user_
                                                                  : by_email_;
  auto found = map.find(Hash(identity.value));
  if (found == map.end()) return out;
  for (auto it = std::upper_bound(found->second.begin(), found->second.end(), after);
       it != found->second.end() && *it < before; ++it) {
    const Entry* e = Find(*it);
    if (e != nullptr && !e->gone) out.push_back(*it);
  }
  return out;
}

}  // namespace tandem
