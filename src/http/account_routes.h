// Accounts over HTTP — the companies leads work at, by their domain — for everyone
// signed in (the accounts page):
//   GET /api/v1/accounts            ?q=text&limit=: the accounts with the most leads first
//   GET /api/v1/accounts/{domain}   one account: its leads counted and its owner
// The account's people are GET /api/v1/leads?account=domain; their journeys, each lead's
// timeline.
#pragma once

#include "core/clock.h"
#include "http/router.h"
#include "store/store.h"

namespace tandem::http {

// Everything must outlive the router.
void RegisterAccountRoutes(Router& router, Store& store, const Clock& clock);

}  // namespace tandem::http
