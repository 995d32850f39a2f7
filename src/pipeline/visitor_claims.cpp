// Which waiting events a pipeline batch beside others takes (visitor_claims.h).
#include "pipeline/visitor_claims.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "pipeline/event_pipeline.h"

namespace tandem {

StatusOr<std::vector<StoredEvent>> HoldVisitors(ProcessingTxn& txn, std::vector<StoredEvent> events,
                                                Blocked& blocked, int64_t* first_left) {
  const auto name = [](const Identity& id) {
    return fmt::format("{}:{}", IdentityKindName(id.kind), id.value);
  };
  // Each event's identities; then those of all, once each.
  std::vector<std::vector<Identity>> carried;
  carried.reserve(events.size());
  std::vector<Identity> ids;
  std::map<std::string, size_t> index;  // into ids
  for (const StoredEvent& e : events) {
    carried.push_back(IdentitiesToLookUp(ExtractEventIdentities(e)));
    for (const Identity& id : carried.back()) {
      if (index.emplace(name(id), ids.size()).second) ids.push_back(id);
    }
  }
  // Those no earlier event left; then the persons they point to.
  std::vector<Identity> free;
  for (const Identity& id : ids) {
    if (!blocked.ids.contains(name(id))) free.push_back(id);
  }
  TANDEM_ASSIGN_OR_RETURN(std::vector<bool> held_free, txn.TryHold(free, {}));
  std::vector<bool> held(ids.size(), false);
  for (size_t i = 0; i < free.size(); ++i) held[index.at(name(free[i]))] = held_free[i];
  TANDEM_ASSIGN_OR_RETURN(std::vector<int64_t> before, txn.CurrentPersons(ids));
  std::vector<int64_t> persons;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (held[i] && before[i] != 0 && !blocked.persons.contains(before[i]))
      persons.push_back(before[i]);
  }
  std::sort(persons.begin(), persons.end());
  persons.erase(std::unique(persons.begin(), persons.end()), persons.end());
  TANDEM_ASSIGN_OR_RETURN(std::vector<bool> held_persons, txn.TryHold({}, persons));
  std::set<int64_t> holding;
  for (size_t i = 0; i < persons.size(); ++i) {
    if (held_persons[i]) holding.insert(persons[i]);
  }
  // A batch that held one of these persons before may have merged it meanwhile: read
  // again, an identity that points elsewhere now is not held.
  TANDEM_ASSIGN_OR_RETURN(std::vector<int64_t> after, txn.CurrentPersons(ids));
  std::vector<StoredEvent> kept;
  for (size_t e = 0; e < events.size(); ++e) {
    bool holds = true;
    for (const Identity& id : carried[e]) {
      const size_t i = index.at(name(id));
      const int64_t p = after[i];
      if (!held[i] || blocked.ids.contains(name(id)) || before[i] != p ||
          (p != 0 && (!holding.contains(p) || blocked.persons.contains(p)))) {
        holds = false;
        break;
      }
    }
    if (holds) {
      kept.push_back(std::move(events[e]));
      continue;
    }
    // Left: so is every later event of its visitor, as its identities and the persons
    // they point to (before and after a merge) link them.
    if (*first_left == 0) *first_left = events[e].id;
    for (const Identity& id : carried[e]) {
      const size_t i = index.at(name(id));
      blocked.ids.insert(name(id));
      for (int64_t p : {before[i], after[i]}) {
        if (p > 0) blocked.persons.insert(p);
      }
    }
  }
  if (kept.empty()) return kept;
  // An event kept before a later one was left may share a person with it only if the
  // later one came after it: order holds. Those processed meanwhile are done.
  std::vector<int64_t> kept_ids;
  kept_ids.reserve(kept.size());
  for (const StoredEvent& e : kept) kept_ids.push_back(e.id);
  TANDEM_ASSIGN_OR_RETURN(std::vector<int64_t> waiting, txn.StillUnprocessed(kept_ids));
  if (waiting.size() < kept.size()) {
    std::set<int64_t> still(waiting.begin(), waiting.end());
    std::erase_if(kept, [&](const StoredEvent& e) { return !still.contains(e.id); });
  }
  return kept;
}

StatusOr<Claim> ClaimInOrder(ProcessingTxn& txn, size_t limit, int max_reads) {
  TANDEM_ASSIGN_OR_RETURN(const int64_t cursor, txn.Cursor());
  Claim claim{.through = cursor};
  if (!txn.concurrent()) {  // alone: the next events, whoever they belong to
    TANDEM_ASSIGN_OR_RETURN(claim.events, txn.UnprocessedAfter(cursor, limit));
    if (!claim.events.empty()) claim.through = claim.events.back().id;
    return claim;
  }
  Blocked blocked;
  int64_t first_left = 0;  // the first event read and left
  int64_t after = cursor;
  for (int read = 0; read < max_reads && claim.events.size() < limit; ++read) {
    TANDEM_ASSIGN_OR_RETURN(auto events, txn.UnprocessedAfter(after, limit - claim.events.size()));
    if (events.empty()) break;
    const bool full = events.size() == limit - claim.events.size();
    after = events.back().id;
    TANDEM_ASSIGN_OR_RETURN(auto kept, HoldVisitors(txn, std::move(events), blocked, &first_left));
    for (StoredEvent& e : kept) claim.events.push_back(std::move(e));
    if (!full) break;
  }
  // Up to the first event left, every event read is processed (by this batch or by the
  // one that held it), and every event not read was processed before.
  claim.through = first_left != 0 ? std::max(cursor, first_left - 1) : after;
  return claim;
}

}  // namespace tandem
