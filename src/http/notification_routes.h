// A signed-in user's notifications (the bell) and where they hear of each kind:
//   GET  /api/v1/notifications            ?unread=true&limit=&before=ntf_N, newest first,
//                                         with the count of unread ones
//   POST /api/v1/notifications/read       {"ids":["ntf_N"]} or {"all":true}
//   GET  /api/v1/notification-settings    each kind: in the app, by email
//   PUT  /api/v1/notification-settings    {"choices":{"new_lead":{"app":true,"email":false}}}
// Everyone sees and changes only their own.
#pragma once

#include "core/clock.h"
#include "http/router.h"
#include "store/store.h"

namespace tandem::http {

// Everything must outlive the router.
void RegisterNotificationRoutes(Router& router, Store& store, const Clock& clock);

}  // namespace tandem::http
