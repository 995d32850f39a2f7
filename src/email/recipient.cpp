#include "email/recipient.h"

#include <nlohmann/json.hpp>

#include "core/text.h"

namespace tandem {
namespace {

void Put(MergeValues& values, std::string_view name, std::string_view value) {
  std::string_view trimmed = TrimSpace(value);
  if (!trimmed.empty()) values[std::string(name)] = std::string(trimmed);
}

std::string FirstWord(std::string_view name) {
  name = TrimSpace(name);
  return std::string(name.substr(0, name.find(' ')));
}

std::string Trait(const nlohmann::json& traits, const char* key) {
  auto it = traits.find(key);
  return it != traits.end() && it->is_string() ? it->get<std::string>() : "";
}

void PutLead(MergeValues& values, const LeadRecord& lead) {
  const auto traits = nlohmann::json::parse(lead.traits, nullptr, false);
  const bool object = traits.is_object();
  std::string first = object ? Trait(traits, "firstName") : "";
  if (first.empty() && object) first = Trait(traits, "first_name");
  if (first.empty()) first = FirstWord(lead.name);
  std::string last = object ? Trait(traits, "lastName") : "";
  if (last.empty() && object) last = Trait(traits, "last_name");
  Put(values, "lead.first_name", first);
  Put(values, "lead.last_name", last);
  Put(values, "lead.name", lead.name);
  Put(values, "lead.email", lead.email);
  Put(values, "lead.title", lead.title);
  if (object) Put(values, "lead.phone", Trait(traits, "phone"));
  Put(values, "company.name", lead.company_name);
  Put(values, "company.domain", lead.account_domain);
}

}  // namespace

std::optional<ContentAsset> LastEngagedContent(const BriefEvents& events, const Catalog& catalog) {
  for (auto it = events.rbegin(); it != events.rend(); ++it) {
    const ContentAsset* asset = catalog.MatchContent(it->asset_id, it->title, it->path);
    if (asset != nullptr) return *asset;
  }
  return std::nullopt;
}

std::optional<Campaign> FirstTouchCampaign(const LeadRecord& lead, const Catalog& catalog) {
  if (lead.first_touch.empty()) return std::nullopt;
  const auto touch = nlohmann::json::parse(lead.first_touch, nullptr, false);
  if (!touch.is_object()) return std::nullopt;
  const std::string utm = Trait(touch, "campaign");
  const Campaign* campaign = utm.empty() ? nullptr : catalog.FindCampaign(utm);
  if (campaign == nullptr) return std::nullopt;
  return *campaign;
}

MergeValues MergeValuesFor(const RecipientFacts& facts, const EmailConfig& config) {
  MergeValues values;
  PutLead(values, facts.lead);
  if (facts.owner) {
    Put(values, "owner.name", facts.owner->name);
    Put(values, "owner.first_name", FirstWord(facts.owner->name));
    Put(values, "owner.email", facts.owner->email);
  }
  if (facts.content) {
    Put(values, "content.title", facts.content->title);
    Put(values, "content.topic", facts.content->topic);
    Put(values, "content.problem", facts.content->problem);
  }
  if (facts.campaign) {
    Put(values, "campaign.name", facts.campaign->name);
    Put(values, "campaign.offer", facts.campaign->offer);
  }
  Put(values, "sender.company_name", config.company_name);
  Put(values, "sender.postal_address", config.postal_address);
  Put(values, "links.unsubscribe_url", facts.unsubscribe_url);
  Put(values, "links.preferences_url", facts.unsubscribe_url);
  return values;
}

std::string UnsubscribeUrl(std::string_view public_url, std::string_view token) {
  while (public_url.ends_with('/')) public_url.remove_suffix(1);
  return std::string(public_url) + "/u/" + std::string(token);
}

}  // namespace tandem
