// The catalogs marketing maintains so that sales hears what marketing said: campaigns
// (who they target, the message, the offer) and content (what each asset is about and
// what to ask someone who engaged with it). Events are matched to entries by UTM
// campaign, asset id or title, and page path pattern.
//
// Entries are plain values; parsing and validation live here so that the API, the
// CLI import (TOML or CSV) and tandem.toml accept exactly the same thing.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace tandem {

struct Campaign {
  std::string key;           // unique; defaults to utm_campaign
  std::string name;          // what marketing calls it
  std::string utm_campaign;  // matched case-insensitively against context.campaign.name
  std::string persona;       // who it was aimed at
  std::string key_message;   // what it told them
  std::string offer;         // what it offered
  std::string starts_on;     // YYYY-MM-DD or ""
  std::string ends_on;
  std::string origin = "api";  // api | import | config
  TimePoint updated_at;
};

struct ContentAsset {
  std::string asset_id;     // unique; matched against properties.asset_id
  std::string title;        // matched case-insensitively against properties.title
  std::string url_pattern;  // a path glob ("/resources/guide*"); "" matches no page
  std::string topic;
  std::string funnel_stage;            // awareness | consideration | decision
  std::string problem;                 // the problem the asset speaks to
  std::vector<std::string> questions;  // 2 to 4 discovery questions
  std::string origin = "api";
  TimePoint updated_at;
};

const std::vector<std::string>& FunnelStages();

struct Catalog {
  std::vector<Campaign> campaigns;
  std::vector<ContentAsset> content;

  // The campaign whose utm_campaign is `utm` (any case); nullptr when none.
  const Campaign* FindCampaign(std::string_view utm) const;
  // The asset an event is about: by asset id, else by title, else the first whose
  // url_pattern matches the page path. nullptr when none.
  const ContentAsset* MatchContent(std::string_view asset_id, std::string_view title,
                                   std::string_view path) const;
};

// Reads and validates one entry from JSON (API bodies). `where` prefixes messages.
// Missing required fields, wrong types, unknown keys, a bad date or funnel stage, and
// fewer than 2 or more than 4 questions are errors.
StatusOr<Campaign> CampaignFromJson(const nlohmann::json& body, std::string_view where);
StatusOr<ContentAsset> ContentFromJson(const nlohmann::json& body, std::string_view where);
nlohmann::json CampaignToJson(const Campaign& campaign);
nlohmann::json ContentToJson(const ContentAsset& asset);

// A catalog file: TOML with [[campaigns]] and [[content]] tables, or CSV whose header
// names the kind (a utm_campaign column: campaigns; an asset_id column: content;
// questions separated by "|"). Errors name the file and line. Duplicate keys in one
// file are errors.
StatusOr<Catalog> ParseCatalogFile(std::string_view text, std::string_view origin);
StatusOr<Catalog> ParseCatalogCsv(std::string_view text, std::string_view origin);
StatusOr<Catalog> ParseCatalogToml(std::string_view text, std::string_view origin);

}  // namespace tandem
