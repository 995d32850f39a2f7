#include "imports/lead_import.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>

#include "contact/contact_policy.h"
#include "core/text.h"
#include "identity/email.h"

namespace tandem {
namespace {

struct FieldName {
  ImportField field;
  std::string_view name;
};

constexpr std::array kFieldNames = {
    FieldName{ImportField::kEmail, "email"},
    FieldName{ImportField::kFirstName, "first_name"},
    FieldName{ImportField::kLastName, "last_name"},
    FieldName{ImportField::kName, "name"},
    FieldName{ImportField::kTitle, "title"},
    FieldName{ImportField::kCompany, "company"},
    FieldName{ImportField::kDomain, "domain"},
    FieldName{ImportField::kPhone, "phone"},
    FieldName{ImportField::kCountry, "country"},
    FieldName{ImportField::kCity, "city"},
    FieldName{ImportField::kTimezone, "timezone"},
    FieldName{ImportField::kOwner, "owner"},
    FieldName{ImportField::kAddressSource, "address_source"},
    FieldName{ImportField::kConsentBasis, "consent_basis"},
    FieldName{ImportField::kConsentWording, "consent_wording"},
    FieldName{ImportField::kEmailOptOut, "email_opt_out"},
    FieldName{ImportField::kDoNotCall, "do_not_call"},
};

struct KnownHeader {
  std::string_view header;  // lower case
  ImportField field;
};

// The headers CRMs and spreadsheets write, lower case: HubSpot's contact export,
// Salesforce's lead and contact reports, Tandem's own field names.
constexpr std::array kKnownHeaders = {
    KnownHeader{"email", ImportField::kEmail},
    KnownHeader{"email address", ImportField::kEmail},
    KnownHeader{"e-mail", ImportField::kEmail},
    KnownHeader{"e-mail address", ImportField::kEmail},
    KnownHeader{"first name", ImportField::kFirstName},
    KnownHeader{"firstname", ImportField::kFirstName},
    KnownHeader{"last name", ImportField::kLastName},
    KnownHeader{"lastname", ImportField::kLastName},
    KnownHeader{"full name", ImportField::kName},
    KnownHeader{"job title", ImportField::kTitle},
    KnownHeader{"position", ImportField::kTitle},
    KnownHeader{"company name", ImportField::kCompany},
    KnownHeader{"account name", ImportField::kCompany},
    KnownHeader{"company domain name", ImportField::kDomain},
    KnownHeader{"website", ImportField::kDomain},
    KnownHeader{"website url", ImportField::kDomain},
    KnownHeader{"phone number", ImportField::kPhone},
    KnownHeader{"country/region", ImportField::kCountry},
    KnownHeader{"mailing country", ImportField::kCountry},
    KnownHeader{"mailing city", ImportField::kCity},
    KnownHeader{"time zone", ImportField::kTimezone},
    KnownHeader{"contact owner", ImportField::kOwner},
    KnownHeader{"lead owner", ImportField::kOwner},
    KnownHeader{"owner email", ImportField::kOwner},
    KnownHeader{"contact owner email", ImportField::kOwner},
    KnownHeader{"email opt out", ImportField::kEmailOptOut},
    KnownHeader{"unsubscribed from all email", ImportField::kEmailOptOut},
    KnownHeader{"has opted out of email", ImportField::kEmailOptOut},
    KnownHeader{"do not call", ImportField::kDoNotCall},
    KnownHeader{"consent text", ImportField::kConsentWording},
};

// A header or a cell as compared: trimmed, in lower case.
std::string Folded(std::string_view text) { return LowerAscii(TrimSpace(text)); }

std::optional<ImportField> KnownField(const std::string& folded) {
  if (auto field = ParseImportField(folded)) return field;  // Tandem's own names
  for (const KnownHeader& h : kKnownHeaders) {
    if (h.header == folded) return h.field;
  }
  if (folded == "company") return ImportField::kCompany;
  if (folded == "phone") return ImportField::kPhone;
  return std::nullopt;
}

std::string RecognizedAs(const std::vector<std::string>& folded) {
  const auto has = [&](std::string_view h) {
    return std::find(folded.begin(), folded.end(), h) != folded.end();
  };
  if (has("record id") || has("contact owner") || has("lifecycle stage")) return "HubSpot";
  if (has("lead id") || has("contact id") || has("lead owner") || has("email opt out")) {
    return "Salesforce";
  }
  return "Tandem";
}

std::string Trimmed(std::string_view text) { return std::string(TrimSpace(text)); }

// A yes/no cell: empty is no.
std::optional<bool> Flag(std::string_view cell) {
  const std::string f = Folded(cell);
  if (f.empty() || f == "false" || f == "no" || f == "n" || f == "0") return false;
  if (f == "true" || f == "yes" || f == "y" || f == "1" || f == "x") return true;
  return std::nullopt;
}

CsvProblem Rejected(int64_t line, std::string_view why) {
  return {line, fmt::format("line {}: {}", line, why)};
}

// Sets `field` (any but the email) of `lead` to the cell `value`; what is wrong with the
// cell, or "".
std::string Assign(ImportedLead& lead, ImportField field, const std::string& value) {
  using Text = std::string ImportedLead::*;
  static const std::map<ImportField, Text> kText = {
      {ImportField::kFirstName, &ImportedLead::first_name},
      {ImportField::kLastName, &ImportedLead::last_name},
      {ImportField::kName, &ImportedLead::name},
      {ImportField::kTitle, &ImportedLead::title},
      {ImportField::kCompany, &ImportedLead::company},
      {ImportField::kDomain, &ImportedLead::domain},
      {ImportField::kPhone, &ImportedLead::phone},
      {ImportField::kCountry, &ImportedLead::country},
      {ImportField::kCity, &ImportedLead::city},
      {ImportField::kTimezone, &ImportedLead::timezone},
      {ImportField::kOwner, &ImportedLead::owner},
      {ImportField::kConsentWording, &ImportedLead::consent_wording}};
  if (auto it = kText.find(field); it != kText.end()) {
    lead.*(it->second) = value;
  } else if (field == ImportField::kAddressSource || field == ImportField::kConsentBasis) {
    // Empty: the import's default stands.
    if (!value.empty()) {
      (field == ImportField::kAddressSource ? lead.address_source : lead.consent_basis) =
          Folded(value);
    }
  } else if (field == ImportField::kEmailOptOut || field == ImportField::kDoNotCall) {
    const std::optional<bool> flag = Flag(value);
    if (!flag) {
      return fmt::format("{} \"{}\" must be yes or no (true/false, 1/0)", ImportFieldName(field),
                         value);
    }
    (field == ImportField::kEmailOptOut ? lead.email_opt_out : lead.do_not_call) = *flag;
  }
  return "";
}

}  // namespace

std::string_view ImportFieldName(ImportField field) {
  for (const FieldName& f : kFieldNames) {
    if (f.field == field) return f.name;
  }
  return "";
}

std::optional<ImportField> ParseImportField(std::string_view name) {
  for (const FieldName& f : kFieldNames) {
    if (f.name == name) return f.field;
  }
  return std::nullopt;
}

StatusOr<std::map<std::string, ImportField>> ReadMappingFile(
    const std::vector<CsvRecord>& records) {
  std::map<std::string, ImportField> out;
  for (const CsvRecord& r : records) {
    if (r.fields.size() != 2) {
      return Unprocessable("invalid_mapping",
                           fmt::format("mapping line {}: give two fields, the file's column and "
                                       "a lead field, e.g. \"E-Mail-Adresse,email\"",
                                       r.line));
    }
    const std::string column = Folded(r.fields[0]);
    const std::string field = Folded(r.fields[1]);
    if (column == "column" && field == "field") continue;  // the header
    const std::optional<ImportField> parsed = ParseImportField(field);
    if (!parsed) {
      std::vector<std::string_view> names;
      for (const FieldName& f : kFieldNames) names.push_back(f.name);
      return Unprocessable("invalid_mapping",
                           fmt::format("mapping line {}: \"{}\" is no lead field (fields: {})",
                                       r.line, r.fields[1], fmt::join(names, ", ")));
    }
    out[column] = *parsed;
  }
  return out;
}

StatusOr<ColumnMapping> MapColumns(const std::vector<std::string>& header,
                                   const std::map<std::string, ImportField>& custom) {
  ColumnMapping mapping;
  std::vector<std::string> folded;
  for (const std::string& h : header) folded.push_back(Folded(h));
  mapping.recognized_as = custom.empty() ? RecognizedAs(folded) : "mapping file";
  std::map<ImportField, size_t> taken;  // field -> column
  for (size_t i = 0; i < header.size(); ++i) {
    std::optional<ImportField> field;
    if (auto it = custom.find(folded[i]); it != custom.end()) {
      field = it->second;
    } else {
      field = KnownField(folded[i]);
    }
    if (field) {
      auto [it, fresh] = taken.emplace(*field, i);
      if (!fresh) {
        return Unprocessable(
            "invalid_columns",
            fmt::format("columns {} (\"{}\") and {} (\"{}\") both give {}: map one of them "
                        "elsewhere in a mapping file",
                        it->second + 1, header[it->second], i + 1, header[i],
                        ImportFieldName(*field)));
      }
    } else {
      mapping.ignored.push_back(header[i]);
    }
    mapping.columns.push_back(field);
  }
  if (!taken.contains(ImportField::kEmail)) {
    return Unprocessable("invalid_columns",
                         "no column gives the email address (Email, Email Address, E-mail…); "
                         "name it in a mapping file, e.g. \"E-Mail-Adresse,email\"");
  }
  return mapping;
}

std::variant<ImportedLead, CsvProblem> ReadLeadRow(const CsvRecord& record,
                                                   const ColumnMapping& mapping,
                                                   const ImportDefaults& defaults) {
  ImportedLead lead;
  lead.line = record.line;
  lead.address_source = defaults.address_source;
  lead.consent_basis = defaults.consent_basis;
  if (record.fields.size() > mapping.columns.size()) {
    return Rejected(record.line, fmt::format("{} fields where the header has {} columns",
                                             record.fields.size(), mapping.columns.size()));
  }
  std::string raw_email;
  for (size_t i = 0; i < record.fields.size(); ++i) {
    if (!mapping.columns[i]) continue;
    const std::string value = Trimmed(record.fields[i]);
    if (*mapping.columns[i] == ImportField::kEmail) {
      raw_email = value;
    } else if (std::string why = Assign(lead, *mapping.columns[i], value); !why.empty()) {
      return Rejected(record.line, why);
    }
  }
  lead.email = NormalizeEmail(raw_email);
  if (raw_email.empty()) return Rejected(record.line, "no email address");
  if (lead.email.empty()) {
    return Rejected(record.line, fmt::format("email \"{}\" is not an email address", raw_email));
  }
  if (lead.name.empty()) lead.name = Trimmed(lead.first_name + " " + lead.last_name);
  if (lead.consent_wording.empty()) lead.consent_wording = defaults.consent_wording;
  const auto& sources = AddressSources();
  if (std::find(sources.begin(), sources.end(), lead.address_source) == sources.end()) {
    return Rejected(record.line, fmt::format("address source \"{}\" must be one of {}",
                                             lead.address_source, fmt::join(sources, ", ")));
  }
  if (lead.consent_basis != "consent" && lead.consent_basis != "none") {
    return Rejected(record.line, fmt::format("consent basis \"{}\" must be consent or none",
                                             lead.consent_basis));
  }
  if (lead.consent_basis == "consent" &&
      (lead.address_source == "purchased" || lead.address_source == "harvested")) {
    return Rejected(record.line,
                    fmt::format("a {} address carries no consent given to you: its consent "
                                "basis must be none",
                                lead.address_source));
  }
  if (lead.consent_basis == "consent" && lead.consent_wording.empty()) {
    return Rejected(record.line,
                    "consent basis consent needs the consent's wording: the text the person "
                    "agreed to (a consent wording column, or the import's default)");
  }
  return lead;
}

}  // namespace tandem
