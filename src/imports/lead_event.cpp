#include "imports/lead_event.h"

#include "core/json_text.h"
#include "core/time_format.h"

namespace tandem {
namespace {

// The lead's traits as an identify's JSON object: email, lead, name, firstName, lastName,
// title, phone, timezone, company {name, domain}, address {country, city} (empty ones
// left out).
void AppendTraits(std::string& out, const ImportedLead& lead) {
  out += "{\"email\":";
  AppendJsonString(out, lead.email);
  out += ",\"lead\":true";
  auto put = [&out](std::string_view key, const std::string& value) {
    if (value.empty()) return;
    out += ',';
    AppendJsonString(out, key);
    out += ':';
    AppendJsonString(out, value);
  };
  put("name", lead.name);
  put("firstName", lead.first_name);
  put("lastName", lead.last_name);
  put("title", lead.title);
  put("phone", lead.phone);
  put("timezone", lead.timezone);
  auto object = [&out](std::string_view key, std::pair<std::string_view, const std::string*> a,
                       std::pair<std::string_view, const std::string*> b) {
    if (a.second->empty() && b.second->empty()) return;
    out += ',';
    AppendJsonString(out, key);
    out += ":{";
    bool first = true;
    for (const auto& [name, value] : {a, b}) {
      if (value->empty()) continue;
      if (!first) out += ',';
      first = false;
      AppendJsonString(out, name);
      out += ':';
      AppendJsonString(out, *value);
    }
    out += '}';
  };
  object("company", {"name", &lead.company}, {"domain", &lead.domain});
  object("address", {"country", &lead.country}, {"city", &lead.city});
  out += '}';
}

}  // namespace

EventRecord LeadArrivalEvent(const ImportedLead& lead, std::optional<int64_t> owner_id,
                             nlohmann::json origin, std::string message_id, int64_t source_id,
                             TimePoint now) {
  EventRecord e;
  e.source_id = source_id;
  e.message_id = std::move(message_id);
  e.type = "identify";
  e.timestamp = now;
  e.received_at = now;
  const std::string at = FormatIsoTime(now);
  // Written directly (an import makes a million of these): the same document as
  // {"type","messageId","traits","context":{"tandem":{"import":{...}}},"timestamp",
  // "receivedAt"}.
  std::string& out = e.payload;
  out.reserve(512);
  out += "{\"type\":\"identify\",\"messageId\":";
  AppendJsonString(out, e.message_id);
  out += ",\"traits\":";
  AppendTraits(out, lead);
  out += ",\"context\":{\"tandem\":{\"import\":{";
  std::string origin_text = origin.dump();  // {"file":…,"line":…} or {"added_by":…}
  out.append(origin_text, 1, origin_text.size() - 2);
  out += ",\"address_source\":";
  AppendJsonString(out, lead.address_source);
  out += ",\"consent_basis\":";
  AppendJsonString(out, lead.consent_basis);
  out += lead.email_opt_out ? ",\"email_opt_out\":true" : ",\"email_opt_out\":false";
  out += lead.do_not_call ? ",\"do_not_call\":true" : ",\"do_not_call\":false";
  if (!lead.consent_wording.empty()) {
    out += ",\"consent_wording\":";
    AppendJsonString(out, lead.consent_wording);
  }
  if (owner_id) out += ",\"owner_id\":" + std::to_string(*owner_id);
  out += "}}},\"timestamp\":";
  AppendJsonString(out, at);
  out += ",\"receivedAt\":";
  AppendJsonString(out, at);
  out += "}";
  return e;
}

}  // namespace tandem
