// GET /api/v1/leads, in parts: the query string into a LeadQuery, the page's why-now
// lines, the cursor of the next page, the file of every matching lead. Internal to the leads
// routes.
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "http/csv_exports.h"
#include "http/http_types.h"
#include "leads/lead_engine.h"
#include "store/store.h"

namespace tandem::http {

struct LeadListRequest {
  LeadQuery query;
  std::string sort;  // as named in the query string: score, created, sla, updated
  bool why_now = false;
  bool csv = false;  // format=csv: every matching lead, streamed (PrepareLeadsCsv)
};

// Reads the list's query string: 400 invalid_parameter (naming it) for an unknown
// parameter or a bad value, in the order the parameters are listed in docs/api.md.
StatusOr<LeadListRequest> ParseLeadList(const HttpRequest& request, const UserRecord& user,
                                        const LeadEngine& engine, TimePoint now);

// format=csv: GET /api/v1/leads as a file of every matching lead (leads/lead_csv.h), in
// the list's order, read kLeadsCsvPage leads at a time. Who exports what follows the
// reports: marketing, sales managers and admins every lead, a sales rep the rep's own
// (403 for a filter on anyone else's), viewers nothing.
bool AsksForCsv(const HttpRequest& request);
inline constexpr size_t kLeadsCsvPage = 1000;
StatusOr<CsvDownload> PrepareLeadsCsv(Store& store, const LeadEngine& engine,
                                      const HttpRequest& request, const UserRecord& user,
                                      TimePoint now);

// The brief's why-now section of each lead, in order: one store read for the whole page
// (Store::ListWhyNowActivity), the same answer as the brief's own.
inline constexpr size_t kWhyNowEventsRead = 500;  // per lead; one with more reads them all
StatusOr<std::vector<nlohmann::json>> WhyNowForPage(Store& store, const LeadEngine& engine,
                                                    std::span<const LeadRecord> leads,
                                                    TimePoint now);

// The cursor after the last lead of a full page; "null" when the page is not full.
std::string NextLeadCursor(const LeadListRequest& list, const std::vector<LeadRecord>& leads);

}  // namespace tandem::http
