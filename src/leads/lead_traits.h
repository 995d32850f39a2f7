// Lead traits, accounts and attribution: what an identify says about a person, which
// company it belongs to, and where a visit came from. Pure functions over JSON.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace tandem {

// Maps the many shapes clients send onto one: company as a string becomes
// company.name, website/company_domain become company.domain, employees/company_size
// become company.size, firstName/lastName make name. Keys Tandem does not know are kept.
nlohmann::json NormalizeTraits(const nlohmann::json& traits);

// Merges `incoming` (normalized) into `current`, one level deep for "company".
// Returns the dotted names of the traits whose value changed.
std::vector<std::string> MergeTraits(nlohmann::json& current, const nlohmann::json& incoming);

bool IsFreeMailDomain(std::string_view domain);
// A host name by RFC 1035 (at most 253 characters, labels of letters, digits and
// hyphens), with at least two labels.
bool IsHostName(std::string_view host);
// The account a lead belongs to: company.domain, else the email's domain unless it is
// a free-mail provider; lower case, without "www."; empty when none.
std::string AccountDomainFor(const nlohmann::json& traits, std::string_view email);

// Where a visit came from. Present on an event when it starts a visit from somewhere:
// UTM campaign fields, or a referrer from another site.
struct Touch {
  std::string source, medium, campaign, term, content, referrer_domain, landing_page;
  TimePoint at;
  int64_t event_id = 0;
};

// The touch an event carries, if it is the start of a visit (see above) or the first
// event seen (`first` = true; then a plain page view counts as "direct").
std::optional<Touch> TouchFromMessage(const nlohmann::json& message, TimePoint at, int64_t event_id,
                                      bool first);
nlohmann::json TouchToJson(const Touch& touch);

// The lead's country as the reports group it: traits address.country, else country,
// as the client wrote it (JSON strings only) to its first 256 characters; "" when none.
std::string CountryOf(const nlohmann::json& traits);
// The band of company.size — a number, or text that starts with digits ("250",
// "51-200") — as the reports group it: "1-10", "11-50", "51-200", "201-1000",
// "1001-5000", "5001+"; "" when there is none or it is below 1. The back-fill of
// store/schema/*/0017_lead_dimensions.sql repeats these two rules in SQL.
std::string CompanySizeBand(const nlohmann::json& traits);

// The host of a URL, lower case, without "www." ("" when none).
std::string HostOf(std::string_view url);

}  // namespace tandem
