// Identity stitching: deciding which person an event belongs to.
//
// A person is found through identities: anonymousIds, userIds and normalized email
// addresses. PlanStitch is pure: given the identities an event carries and the persons
// those identities already point to, it says which person the event belongs to, which
// persons turn out to be the same one (merge) and which identities are new. The store
// carries the plan out.
//
// The rule that keeps merges safe: a person holds at most one userId. Two persons with
// different userIds are never merged, even when they share an anonymousId (a shared
// computer) or an email address; the identity stays with the person that had it first.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tandem {

enum class IdentityKind { kAnonymousId, kUserId, kEmail };

std::string_view IdentityKindName(IdentityKind kind);
std::optional<IdentityKind> ParseIdentityKind(std::string_view name);

struct Identity {
  IdentityKind kind;
  std::string value;
  bool operator==(const Identity&) const = default;
};

// An identity that already points to a person.
struct KnownIdentity {
  Identity identity;
  int64_t person_id = 0;
  std::string person_user_id;  // the userId that person holds, or empty
};

// The identities one event carries, as the ingest path normalized them.
struct EventIdentities {
  std::string user_id;
  std::string anonymous_id;
  std::string email;        // normalized; from traits.email or context.traits.email
  std::string previous_id;  // alias: the id being joined to user_id
};

// The identities to look up for an event. An alias's previousId may be either an
// anonymousId or an earlier userId, so it is looked up as both.
std::vector<Identity> IdentitiesToLookUp(const EventIdentities& ids);

struct StitchPlan {
  std::optional<int64_t> person_id;  // the person the event belongs to; nullopt: a new one
  std::vector<int64_t> merge_from;   // persons found to be `person_id`, to merge into it
  std::vector<Identity> attach;      // identities to point at the person
  std::string user_id;               // the userId the person holds after the event
  std::string email;                 // the email the event carries, if any
  // False when the event tells nothing new about an existing person (most page
  // views), so the person's row need not be written.
  bool person_changed = true;
};

// REQUIRES: `known` holds the result of looking up IdentitiesToLookUp(ids).
StitchPlan PlanStitch(const EventIdentities& ids, std::span<const KnownIdentity> known);

}  // namespace tandem
