// What a row of a lead import file says: the columns of a CRM's or a spreadsheet's export
// mapped to a lead's fields (HubSpot's and Salesforce's headers recognized, anything else
// through a mapping file), and each row read into a lead or rejected with its line and
// why. Every row carries where its address came from and the basis for marketing to it;
// the file's own columns for them win over the import's defaults.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/status.h"
#include "imports/csv_reader.h"

namespace tandem {

enum class ImportField {
  kEmail,
  kFirstName,
  kLastName,
  kName,
  kTitle,
  kCompany,
  kDomain,
  kPhone,
  kCountry,
  kCity,
  kTimezone,
  kOwner,           // the owner's email address (or their name, as HubSpot exports it)
  kAddressSource,   // form, event, api, import, purchased, harvested
  kConsentBasis,    // consent or none
  kConsentWording,  // what the person agreed to
  kEmailOptOut,     // unsubscribed from marketing email
  kDoNotCall,
};

std::string_view ImportFieldName(ImportField field);
std::optional<ImportField> ParseImportField(std::string_view name);

// Which field each column of the file gives (nullopt: ignored).
struct ColumnMapping {
  std::vector<std::optional<ImportField>> columns;
  std::vector<std::string> ignored;  // the headers of ignored columns
  std::string recognized_as;         // "HubSpot", "Salesforce", "Tandem" or "mapping file"
};

// The mapping a mapping file gives: its records "column,field" (a header line
// "column,field" first). Unprocessable naming the line of an unknown field.
StatusOr<std::map<std::string, ImportField>> ReadMappingFile(const std::vector<CsvRecord>& records);

// Maps the header row: `custom` first (by exact header, case-insensitive), then the
// headers HubSpot, Salesforce and Tandem write. Unprocessable when no column gives the
// email address, or two give the same field.
StatusOr<ColumnMapping> MapColumns(const std::vector<std::string>& header,
                                   const std::map<std::string, ImportField>& custom = {});

struct ImportDefaults {
  std::string address_source = "import";
  std::string consent_basis = "none";
  std::string consent_wording;  // for rows with consent whose file gives none
};

struct ImportedLead {
  int64_t line = 0;
  std::string email;  // normalized
  std::string name;   // the full name (from first and last when the file splits it)
  std::string first_name, last_name, title, company, domain, phone, country, city, timezone;
  std::string owner;
  std::string address_source;
  std::string consent_basis;
  std::string consent_wording;
  bool email_opt_out = false;
  bool do_not_call = false;
};

// The lead a record gives, or why it is rejected ("line 12: email \"bob@\" is not an email
// address").
std::variant<ImportedLead, CsvProblem> ReadLeadRow(const CsvRecord& record,
                                                   const ColumnMapping& mapping,
                                                   const ImportDefaults& defaults);

}  // namespace tandem
