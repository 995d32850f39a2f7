#include "email/merge_fields.h"

#include <algorithm>
#include <cctype>

namespace tandem::email {
namespace {

std::vector<MergeField> BuildMergeFields() {
  return {
      {"lead.first_name", "The recipient's first name"},
      {"lead.last_name", "The recipient's last name"},
      {"lead.name", "The recipient's full name"},
      {"lead.email", "The recipient's email address"},
      {"lead.title", "The recipient's job title"},
      {"lead.phone", "The recipient's phone number, when known"},
      {"company.name", "The recipient's company"},
      {"company.domain", "The recipient's company's web domain (example.com)"},
      {"owner.name", "The full name of the salesperson who owns the lead"},
      {"owner.first_name", "The first name of the salesperson who owns the lead"},
      {"owner.email", "The email address of the salesperson who owns the lead"},
      {"owner.title", "The job title of the salesperson who owns the lead"},
      {"content.title",
       "The title of the piece of content the recipient last engaged with (from the catalog)"},
      {"content.topic", "The topic of the piece of content the recipient last engaged with"},
      {"content.problem",
       "The problem the piece of content the recipient last engaged with addresses"},
      {"content.url", "The address of the piece of content the recipient last engaged with"},
      {"campaign.name", "The name of the campaign this email belongs to"},
      {"campaign.offer", "The campaign's offer (a guide, a trial, a webinar seat)"},
      {"sender.company_name", "The sending company's name ([email] company_name)"},
      {"sender.postal_address", "The sending company's postal address ([email] postal_address)"},
      {"links.unsubscribe_url", "The recipient's signed one-click unsubscribe link"},
      {"links.preferences_url", "The recipient's page to choose which email they receive"},
  };
}

std::string Lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

// Levenshtein distance, stopping early: anything over `limit` is reported as limit + 1.
size_t EditDistance(std::string_view a, std::string_view b, size_t limit) {
  const size_t longer = std::max(a.size(), b.size());
  const size_t shorter = std::min(a.size(), b.size());
  if (longer - shorter > limit) return limit + 1;
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    size_t row_min = row[0];
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
      row_min = std::min(row_min, row[j]);
    }
    if (row_min > limit) return limit + 1;
  }
  return std::min(row[b.size()], limit + 1);
}

std::string_view Attribute(std::string_view name) {
  const size_t dot = name.rfind('.');
  return dot == std::string_view::npos ? name : name.substr(dot + 1);
}

}  // namespace

const std::vector<MergeField>& MergeFields() {
  static const std::vector<MergeField> fields = BuildMergeFields();
  return fields;
}

std::optional<size_t> MergeFieldIndex(std::string_view name) {
  const std::vector<MergeField>& fields = MergeFields();
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == name) return i;
  }
  return std::nullopt;
}

std::vector<std::string> NearMergeFields(std::string_view name) {
  const std::string wanted = Lower(name);
  const size_t limit = std::max<size_t>(2, wanted.size() / 5);
  std::vector<std::pair<size_t, std::string>> near;  // (distance, field)
  for (const MergeField& field : MergeFields()) {
    size_t distance = EditDistance(wanted, field.name, limit);
    // "first_name" or "contact.first_name": the same attribute of another record.
    const std::string attribute = Lower(Attribute(wanted));
    if (distance > limit && EditDistance(attribute, Attribute(field.name), 1) <= 1) {
      distance = limit;
    }
    if (distance <= limit) near.emplace_back(distance, field.name);
  }
  std::stable_sort(near.begin(), near.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> names;
  for (size_t i = 0; i < near.size() && i < 3; ++i) {
    if (near[i].first > near[0].first && near[0].first == 0) break;  // only the case differs
    names.push_back(near[i].second);
  }
  return names;
}

}  // namespace tandem::email
