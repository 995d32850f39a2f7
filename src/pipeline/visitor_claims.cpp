// Which waiting events a pipeline batch beside others takes (visitor_claims.h).
#include "pipeline/visitor_claims.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "pipeline/event_pipeline.h"

namespace tandem {

void VisitorLinks::Join(const std::string& a, const std::string& b) {
  const std::string ra = Root(a), rb = Root(b);
  if (ra == rb) return;
  parent_[ra] = rb;
  if (blocked_.erase(ra) > 0) blocked_.insert(rb);
}

void VisitorLinks::Block(const std::string& node) { blocked_.insert(Root(node)); }

bool VisitorLinks::blocked(const std::string& node) { return blocked_.contains(Root(node)); }

const std::string& VisitorLinks::Root(const std::string& node) {
  auto it = parent_.find(node);
  if (it == parent_.end()) return node;
  const std::string& root = Root(it->second);
  it->second = root;  // the next look-up goes straight there
  return it->second;
}

namespace {

// `events` but those processed meanwhile (by a batch that held them before).
StatusOr<std::vector<StoredEvent>> StillWaiting(ProcessingTxn& txn,
                                                std::vector<StoredEvent> events) {
  if (events.empty()) return events;
  std::vector<int64_t> ids;
  ids.reserve(events.size());
  for (const StoredEvent& e : events) ids.push_back(e.id);
  TANDEM_ASSIGN_OR_RETURN(std::vector<int64_t> waiting, txn.StillUnprocessed(ids));
  if (waiting.size() < events.size()) {
    std::set<int64_t> still(waiting.begin(), waiting.end());
    std::erase_if(events, [&](const StoredEvent& e) { return !still.contains(e.id); });
  }
  return events;
}

}  // namespace

StatusOr<std::vector<StoredEvent>> HoldVisitors(ProcessingTxn& txn, std::vector<StoredEvent> events,
                                                VisitorLinks& links, int64_t* first_left) {
  const auto name = [](const Identity& id) {
    return fmt::format("{}:{}", IdentityKindName(id.kind), id.value);
  };
  const auto person = [](int64_t p) { return fmt::format("#{}", p); };
  // Each event's identities; then those of all, once each.
  std::vector<std::vector<Identity>> carried;
  carried.reserve(events.size());
  std::vector<Identity> ids;
  std::vector<std::string> names;
  std::map<std::string, size_t> index;  // into ids
  for (const StoredEvent& e : events) {
    carried.push_back(IdentitiesToLookUp(ExtractEventIdentities(e)));
    for (const Identity& id : carried.back()) {
      if (index.emplace(name(id), ids.size()).second) {
        ids.push_back(id);
        names.push_back(name(id));
      }
    }
  }
  // Those of visitors not left yet; then the persons they point to.
  std::vector<Identity> free;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!links.blocked(names[i])) free.push_back(ids[i]);
  }
  TANDEM_ASSIGN_OR_RETURN(std::vector<bool> held_free, txn.TryHold(free, {}));
  std::vector<bool> held(ids.size(), false);
  for (size_t i = 0; i < free.size(); ++i) held[index.at(name(free[i]))] = held_free[i];
  TANDEM_ASSIGN_OR_RETURN(std::vector<int64_t> before, txn.CurrentPersons(ids));
  std::vector<int64_t> persons;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (held[i] && before[i] != 0 && !links.blocked(person(before[i])))
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
  // An identity is one visitor with the persons it points to (before and after a merge).
  for (size_t i = 0; i < ids.size(); ++i) {
    for (int64_t p : {before[i], after[i]}) {
      if (p > 0) links.Join(names[i], person(p));
    }
  }
  std::vector<StoredEvent> kept;
  for (size_t e = 0; e < events.size(); ++e) {
    // What an event carries together is one visitor from this event on: a later event
    // of either side waits for one left before it.
    const std::vector<Identity>& own = carried[e];
    for (size_t k = 1; k < own.size(); ++k) links.Join(name(own[0]), name(own[k]));
    bool holds = true;
    for (const Identity& id : own) {
      const size_t i = index.at(name(id));
      const int64_t p = after[i];
      if (!held[i] || links.blocked(names[i]) || before[i] != p ||
          (p != 0 && !holding.contains(p))) {
        holds = false;
        break;
      }
    }
    if (holds) {
      kept.push_back(std::move(events[e]));
      continue;
    }
    // Left: so is every later event of its visitor.
    if (*first_left == 0) *first_left = events[e].id;
    if (!own.empty()) links.Block(name(own[0]));
  }
  // An event kept before a later one was left may share a person with it only if the
  // later one came after it: order holds.
  return StillWaiting(txn, std::move(kept));
}

StatusOr<Claim> ClaimInOrder(ProcessingTxn& txn, size_t limit, int max_reads) {
  TANDEM_ASSIGN_OR_RETURN(const int64_t cursor, txn.Cursor());
  Claim claim{.through = cursor};
  if (!txn.concurrent()) {  // alone: the next events, whoever they belong to
    TANDEM_ASSIGN_OR_RETURN(claim.events, txn.UnprocessedAfter(cursor, limit));
    if (!claim.events.empty()) claim.through = claim.events.back().id;
    claim.read = claim.events.size();
    return claim;
  }
  VisitorLinks links;
  int64_t first_left = 0;  // the first event read and left
  int64_t after = cursor;
  for (int read = 0; read < max_reads && claim.events.size() < limit; ++read) {
    TANDEM_ASSIGN_OR_RETURN(auto events, txn.UnprocessedAfter(after, limit - claim.events.size()));
    if (events.empty()) break;
    claim.read += events.size();
    const bool full = events.size() == limit - claim.events.size();
    after = events.back().id;
    TANDEM_ASSIGN_OR_RETURN(auto kept, HoldVisitors(txn, std::move(events), links, &first_left));
    for (StoredEvent& e : kept) claim.events.push_back(std::move(e));
    if (!full) break;
  }
  // Up to the first event left, every event read is processed (by this batch or by the
  // one that held it), and every event not read was processed before.
  claim.through = first_left != 0 ? std::max(cursor, first_left - 1) : after;
  return claim;
}

}  // namespace tandem
