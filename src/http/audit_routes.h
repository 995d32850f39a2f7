// The audit trail over HTTP, for admins:
//   GET /api/v1/audit          entries oldest first, after a place, by action, subject or user
//   GET /api/v1/audit/verify   whether the chain holds, and where it first breaks
#pragma once

#include "audit/audit_trail.h"
#include "contact/gate.h"
#include "core/clock.h"
#include "http/router.h"
#include "store/store.h"

namespace tandem::http {

// Everything must outlive the router.
void RegisterAuditRoutes(Router& router, Store& store, const Clock& clock);

// `user` read, changed or exported something: recorded, or the reason it could not be
// (the caller answers with it, so nothing is served unaudited).
Status AuditBy(Store& store, const Clock& clock, const UserRecord& user, std::string_view action,
               std::string subject, std::string detail = "{}");

// `user` changed something, which is done: recorded (a failure to record is logged).
void AuditDone(Store& store, const Clock& clock, const UserRecord& user, std::string_view action,
               std::string subject, std::string detail = "{}");

// A touch or an email the contact gate let through only by `user`'s override: recorded
// with the rules it overrode and the record it made (the reason stays on the touch, where
// an erasure reaches it); a failure to record is logged, and the touch stands.
void AuditOverride(Store& store, const Clock& clock, const UserRecord& user, int64_t lead_id,
                   const ContactDecision& decision, std::string_view what);

}  // namespace tandem::http
