// The merge fields an email template may use: what Tandem knows about the recipient
// (the lead, its company, its owner, the content it last engaged with), the campaign,
// the sender and the recipient's links. Names are lower case with a dot between the
// record and the attribute ("lead.first_name"). Immutable tables: thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tandem::email {

struct MergeField {
  std::string name;         // "lead.first_name"
  std::string description;  // for the editor's list and the error messages
};

// Every merge field, grouped by record, in the order the editor lists them.
const std::vector<MergeField>& MergeFields();

// The index of `name` in MergeFields(), or nullopt when it is not a merge field.
std::optional<size_t> MergeFieldIndex(std::string_view name);

// The merge fields a mistyped `name` most likely meant, nearest first (at most three):
// the same name in another case, a small edit away ("lead.frist_name"), or the same
// attribute under another record ("first_name", "contact.first_name").
std::vector<std::string> NearMergeFields(std::string_view name);

}  // namespace tandem::email
