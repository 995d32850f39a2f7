// Requests about a person's data over HTTP, for admins:
//   GET /api/v1/persons/{person}/record   everything Tandem holds about the person (ld_N or
//                                         their email address), as one JSON download
//   DELETE /api/v1/persons/{person}       erases the person ({"reason"} required)
#pragma once

#include <string>

#include "core/clock.h"
#include "http/router.h"
#include "leads/lead_engine.h"
#include "store/store.h"

namespace tandem::http {

// The person a path names: "ld_N" (following merges) or an email address they gave;
// 404 when none.
StatusOr<int64_t> FindPerson(Store& store, std::string_view text);

// Everything must outlive the router; `secret` (the server's signing secret) keys an
// erased person's addresses, and is read when a request comes.
void RegisterPersonRoutes(Router& router, Store& store, const LeadEngine& engine,
                          const Clock& clock, const std::string& secret);

}  // namespace tandem::http
