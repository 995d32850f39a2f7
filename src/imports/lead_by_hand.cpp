#include "imports/lead_by_hand.h"

#include <fmt/format.h>

#include "identity/email.h"

namespace tandem {
namespace {

StatusOr<std::optional<int64_t>> OwnerOf(const nlohmann::json& body, const UserRecord& by,
                                         const std::vector<UserRecord>& users) {
  auto it = body.find("owner");
  if (it == body.end() || it->is_null()) {
    if (by.role == Role::kSalesRep) return std::optional<int64_t>(by.id);
    return std::optional<int64_t>();
  }
  const std::string owner = it->get<std::string>();
  if (owner == "me") return std::optional<int64_t>(by.id);
  for (const UserRecord& u : users) {
    if (("usr_" + std::to_string(u.id)) == owner ||
        (owner.find('@') != std::string::npos &&
         NormalizeEmail(u.email) == NormalizeEmail(owner))) {
      if (!u.active) {
        return Unprocessable("inactive_user", fmt::format("owner {} is not an active user", owner));
      }
      return std::optional<int64_t>(u.id);
    }
  }
  return Unprocessable("unknown_user",
                       fmt::format("owner {} is not a user of this workspace", owner));
}

}  // namespace

StatusOr<LeadByHand> ReadLeadByHand(const nlohmann::json& body, const UserRecord& by,
                                    const std::vector<UserRecord>& users) {
  if (!body.is_object()) return InvalidArgument("invalid_body", "the body must be a JSON object");
  CsvRecord record;
  ColumnMapping mapping;
  for (const auto& [key, value] : body.items()) {
    std::optional<ImportField> field = ParseImportField(key);
    if (!field) {
      return InvalidArgument("invalid_field",
                             fmt::format("unknown field \"{}\": a lead takes email, first_name, "
                                         "last_name, name, title, company, domain, phone, "
                                         "country, city, timezone, owner, address_source, "
                                         "consent_basis, consent_wording, email_opt_out, "
                                         "do_not_call",
                                         key));
    }
    const bool flag = *field == ImportField::kEmailOptOut || *field == ImportField::kDoNotCall;
    if (value.is_null()) continue;
    if (flag ? !value.is_boolean() : !value.is_string()) {
      return InvalidArgument("invalid_field", fmt::format("\"{}\" must be {}", key,
                                                          flag ? "true or false" : "a string"));
    }
    if (*field == ImportField::kOwner) continue;  // a user, not a cell (below)
    record.fields.push_back(flag ? (value.get<bool>() ? "true" : "false")
                                 : value.get<std::string>());
    mapping.columns.push_back(field);
  }
  for (const char* required : {"email", "address_source", "consent_basis"}) {
    auto it = body.find(required);
    if (it == body.end() || !it->is_string() || it->get<std::string>().empty()) {
      return Unprocessable(
          "missing_field",
          fmt::format("\"{}\" is required{}", required,
                      std::string_view(required) == "address_source"
                          ? ": where the address came from (form, event, api, import, "
                            "purchased, harvested)"
                      : std::string_view(required) == "consent_basis"
                          ? ": consent (they agreed to email marketing, with consent_wording) "
                            "or none"
                          : ""));
    }
  }
  auto read = ReadLeadRow(record, mapping, ImportDefaults{});
  if (auto* problem = std::get_if<CsvProblem>(&read)) {
    // "line 0: why" → "why": a form has no lines.
    const size_t colon = problem->message.find(": ");
    return Unprocessable("invalid_lead", colon == std::string::npos
                                             ? problem->message
                                             : problem->message.substr(colon + 2));
  }
  LeadByHand out;
  out.lead = std::move(std::get<ImportedLead>(read));
  TANDEM_ASSIGN_OR_RETURN(out.owner_id, OwnerOf(body, by, users));
  return out;
}

}  // namespace tandem
