// The sources of events over HTTP, for marketing and admins:
//   GET  /api/v1/sources   every source: its write key, the snippet for a website, and
//                          when its last event was stored
//   POST /api/v1/sources   {"name"}: a new source with a new write key
#pragma once

#include <functional>
#include <string>

#include "core/clock.h"
#include "http/router.h"
#include "store/store.h"

namespace tandem::http {

// Everything must outlive the router. `web_address` gives the address (ending in "/")
// the snippet loads the script from.
void RegisterSourceRoutes(Router& router, Store& store, const Clock& clock,
                          std::function<std::string()> web_address);

}  // namespace tandem::http
