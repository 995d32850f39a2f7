#include "imports/lead_event.h"

#include "core/time_format.h"

namespace tandem {
namespace {

nlohmann::json TraitsOf(const ImportedLead& lead) {
  nlohmann::json traits = {{"email", lead.email}, {"lead", true}};
  auto put = [&](const char* key, const std::string& value) {
    if (!value.empty()) traits[key] = value;
  };
  put("name", lead.name);
  put("firstName", lead.first_name);
  put("lastName", lead.last_name);
  put("title", lead.title);
  put("phone", lead.phone);
  put("timezone", lead.timezone);
  if (!lead.company.empty() || !lead.domain.empty()) {
    nlohmann::json company = nlohmann::json::object();
    if (!lead.company.empty()) company["name"] = lead.company;
    if (!lead.domain.empty()) company["domain"] = lead.domain;
    traits["company"] = std::move(company);
  }
  if (!lead.country.empty() || !lead.city.empty()) {
    nlohmann::json address = nlohmann::json::object();
    if (!lead.country.empty()) address["country"] = lead.country;
    if (!lead.city.empty()) address["city"] = lead.city;
    traits["address"] = std::move(address);
  }
  return traits;
}

}  // namespace

EventRecord LeadArrivalEvent(const ImportedLead& lead, std::optional<int64_t> owner_id,
                             nlohmann::json origin, std::string message_id, int64_t source_id,
                             TimePoint now) {
  nlohmann::json provenance = std::move(origin);
  provenance["address_source"] = lead.address_source;
  provenance["consent_basis"] = lead.consent_basis;
  provenance["email_opt_out"] = lead.email_opt_out;
  provenance["do_not_call"] = lead.do_not_call;
  if (!lead.consent_wording.empty()) provenance["consent_wording"] = lead.consent_wording;
  if (owner_id) provenance["owner_id"] = *owner_id;
  EventRecord e;
  e.source_id = source_id;
  e.message_id = std::move(message_id);
  e.type = "identify";
  e.timestamp = now;
  e.received_at = now;
  const std::string at = FormatIsoTime(now);
  e.payload = nlohmann::json{{"type", "identify"},
                             {"messageId", e.message_id},
                             {"traits", TraitsOf(lead)},
                             {"context", {{"tandem", {{"import", std::move(provenance)}}}}},
                             {"timestamp", at},
                             {"receivedAt", at}}
                  .dump();
  return e;
}

}  // namespace tandem
