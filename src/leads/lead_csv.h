// Leads as CSV, for the lead export (GET /api/v1/leads?format=csv, `tandem export
// leads`): every lead a list query matches, in the list's order, read a page at a time
// (by keyset, as the list's cursor does) and handed on a page at a time, so the set is
// never held whole. Cells go through CsvCell (core/csv_cell.h): quoted as RFC 4180 says
// and never run as a spreadsheet formula.
//
// Pages are read one after another, not in one snapshot: in the default order (newest
// created first) every lead that exists throughout the export appears exactly once; in
// an order by score, SLA or update time a lead that changes meanwhile may move.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "auth/auth_store.h"
#include "auth/user.h"
#include "leads/lead.h"
#include "leads/lead_store.h"
#include "scoring/scorer.h"

namespace tandem {

// The export's columns, one CSV line.
std::string LeadCsvHeader();

// One lead's CSV line. `owner` is null when nobody owns the lead (or its owner is gone).
void AppendLeadCsvRow(std::string& out, const LeadRecord& lead, const UserRecord* owner,
                      const ScoreExplanation& score);

// The keyset position just after `lead` in `query`'s order: where the next page starts.
LeadQuery::After PositionAfter(const LeadQuery& query, const LeadRecord& lead);

// Writes the header and every lead `query` matches (its limit is the page size; its
// `after`, if any, where to begin) to `write`, one call per page, the first beginning
// with the header, with scores as the API shows them at query.score_at. Stops at the
// first error of the store or of `write`. Answers how many leads were written.
// REQUIRES: query.limit >= 1.
StatusOr<int64_t> WriteLeadsCsv(LeadListing& listing, LeadReads& reads, UserReads& users,
                                LeadQuery query, const std::function<Status(std::string)>& write);

}  // namespace tandem
