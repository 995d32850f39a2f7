// What one recipient's email is merged from: the lead, its owner, the piece of content
// it last engaged with (from the catalog, so a follow-up names the guide they
// downloaded, not "your interest in the company"), the campaign that brought it, the
// sender, and the recipient's own signed links.
#pragma once

#include <optional>
#include <string>

#include "auth/user.h"
#include "brief/brief_event.h"
#include "catalog/catalog.h"
#include "email/email_config.h"
#include "email/template.h"
#include "leads/lead.h"

namespace tandem {

using email::MergeValues;

struct RecipientFacts {
  LeadRecord lead;
  std::optional<UserRecord> owner;
  std::optional<ContentAsset> content;  // the last asset the lead engaged with
  std::optional<Campaign> campaign;     // the campaign of its first touch
  std::string unsubscribe_url;          // the signed preference page / one-click link
};

// The asset the lead's most recent event that matches the catalog is about.
std::optional<ContentAsset> LastEngagedContent(const BriefEvents& events, const Catalog& catalog);
// The campaign of the lead's first touch (its utm campaign), if the catalog has it.
std::optional<Campaign> FirstTouchCampaign(const LeadRecord& lead, const Catalog& catalog);

// The merge values of every field the recipient has (see MergeFields()); a field
// without a value is absent.
MergeValues MergeValuesFor(const RecipientFacts& facts, const EmailConfig& config);

// "https://host/u/<token>" for the lead's token under `public_url` (no trailing slash).
std::string UnsubscribeUrl(std::string_view public_url, std::string_view token);

}  // namespace tandem
