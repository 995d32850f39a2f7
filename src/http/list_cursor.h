// List cursors of GET /api/v1/leads: where the next page starts. A cursor is opaque to
// clients; it names the sort it was made for, the last lead's sort key and id, and the
// moment the listing compares scores at, so every page of one listing agrees.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "core/clock.h"
#include "core/status.h"
#include "leads/lead.h"

namespace tandem::http {

// "<sort>~<null>~<key>~<id>~<score_at_ms>".
std::string EncodeLeadCursor(std::string_view sort, const LeadQuery::After& after,
                             TimePoint score_at);
// The position and scoring moment of a cursor this server handed out for `sort`;
// 400 invalid_cursor for anything else (another sort, a changed or cut text, a key
// that is not a finite number).
StatusOr<std::pair<LeadQuery::After, TimePoint>> DecodeLeadCursor(std::string_view sort,
                                                                  std::string_view text);

}  // namespace tandem::http
