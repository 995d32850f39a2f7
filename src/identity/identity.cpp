#include "identity/identity.h"

#include <algorithm>

namespace tandem {

std::string_view IdentityKindName(IdentityKind kind) {
  switch (kind) {
    case IdentityKind::kAnonymousId:
      return "anonymous_id";
    case IdentityKind::kUserId:
      return "user_id";
    case IdentityKind::kEmail:
      return "email";
  }
  return "unknown";
}

std::optional<IdentityKind> ParseIdentityKind(std::string_view name) {
  if (name == "anonymous_id") return IdentityKind::kAnonymousId;
  if (name == "user_id") return IdentityKind::kUserId;
  if (name == "email") return IdentityKind::kEmail;
  return std::nullopt;
}

std::vector<Identity> IdentitiesToLookUp(const EventIdentities& ids) {
  std::vector<Identity> out;
  auto add = [&out](IdentityKind kind, const std::string& value) {
    if (value.empty()) return;
    Identity id{kind, value};
    if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(std::move(id));
  };
  // Order is priority: the first identity found decides the person when no userId does.
  add(IdentityKind::kUserId, ids.user_id);
  add(IdentityKind::kAnonymousId, ids.anonymous_id);
  add(IdentityKind::kEmail, ids.email);
  add(IdentityKind::kUserId, ids.previous_id);
  add(IdentityKind::kAnonymousId, ids.previous_id);
  return out;
}

StitchPlan PlanStitch(const EventIdentities& ids, std::span<const KnownIdentity> known) {
  StitchPlan plan;
  plan.email = ids.email;
  std::string user_id = ids.user_id;
  auto find_known = [&known](const Identity& id) -> const KnownIdentity* {
    for (const auto& k : known) {
      if (k.identity == id) return &k;
    }
    return nullptr;
  };

  std::vector<Identity> conflicting;
  for (const Identity& id : IdentitiesToLookUp(ids)) {
    const KnownIdentity* k = find_known(id);
    if (k == nullptr) continue;
    if (plan.person_id == k->person_id) continue;
    bool compatible = k->person_user_id.empty() || user_id.empty() || k->person_user_id == user_id;
    if (!compatible) {
      conflicting.push_back(id);
      continue;
    }
    if (!plan.person_id) {
      plan.person_id = k->person_id;
    } else if (std::find(plan.merge_from.begin(), plan.merge_from.end(), k->person_id) ==
               plan.merge_from.end()) {
      plan.merge_from.push_back(k->person_id);
    }
    if (user_id.empty()) user_id = k->person_user_id;
  }

  // New identities join the person, except an alias's previousId, which is only
  // recorded when nothing knew it (then as an anonymousId, what it almost always is).
  auto is_known = [&](const Identity& id) {
    return find_known(id) != nullptr ||
           std::find(conflicting.begin(), conflicting.end(), id) != conflicting.end();
  };
  auto attach = [&](IdentityKind kind, const std::string& value) {
    if (value.empty()) return;
    Identity id{kind, value};
    if (!is_known(id) &&
        std::find(plan.attach.begin(), plan.attach.end(), id) == plan.attach.end()) {
      plan.attach.push_back(std::move(id));
    }
  };
  attach(IdentityKind::kUserId, ids.user_id);
  attach(IdentityKind::kAnonymousId, ids.anonymous_id);
  attach(IdentityKind::kEmail, ids.email);
  if (!ids.previous_id.empty() && !is_known({IdentityKind::kUserId, ids.previous_id}) &&
      !is_known({IdentityKind::kAnonymousId, ids.previous_id})) {
    attach(IdentityKind::kAnonymousId, ids.previous_id);
  }
  plan.user_id = user_id;
  if (plan.person_id && plan.merge_from.empty() && plan.attach.empty() && plan.email.empty()) {
    const KnownIdentity* target = nullptr;
    for (const auto& k : known) {
      if (k.person_id == *plan.person_id) target = &k;
    }
    plan.person_changed = target == nullptr || target->person_user_id != user_id;
  }
  return plan;
}

}  // namespace tandem
