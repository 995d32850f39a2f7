// The scoring and routing rules over HTTP (the rules page):
//   GET  /api/v1/rules            the rules in force, as the TOML tandem.toml would hold
//   GET  /api/v1/rules/versions   every version, newest first: who, when, why
//   POST /api/v1/rules/dry-run    {"toml"}: checked, and what it would change — each
//                                 lead whose score, qualification or team differs
//   PUT  /api/v1/rules            {"toml","note","base_version"}: a new version, in force
//                                 at once (admins)
// Managers, marketing and admins read the rules and try changes; admins save them.
#pragma once

#include <functional>

#include "core/clock.h"
#include "http/router.h"
#include "leads/lead_engine.h"
#include "rules/rule_store.h"
#include "store/store.h"

namespace tandem::http {

// Puts a saved version in force on this instance (the others follow within seconds).
using RulesSaved = std::function<Status(const RuleVersion& version)>;

// Everything must outlive the router.
void RegisterRuleRoutes(Router& router, Store& store, const LeadEngine& engine, const Clock& clock,
                        RulesSaved saved);

}  // namespace tandem::http
