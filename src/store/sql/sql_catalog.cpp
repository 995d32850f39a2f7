#include "store/sql/sql_catalog.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "store/sql/sql_store.h"

namespace tandem::sql {
namespace {

// Bodies were validated when written; one that no longer parses is skipped with its
// key kept out of matching rather than failing every brief.
template <typename T>
std::optional<T> Decode(const std::string& body, std::string_view origin, int64_t updated_ms,
                        StatusOr<T> (*read)(const nlohmann::json&, std::string_view)) {
  auto parsed = read(nlohmann::json::parse(body, nullptr, false), "stored catalog entry");
  if (!parsed.ok()) return std::nullopt;
  parsed->origin = std::string(origin);
  parsed->updated_at = FromUnixMillis(updated_ms);
  return std::move(*parsed);
}

nlohmann::json Body(nlohmann::json entry) {
  entry.erase("origin");
  entry.erase("updated_at");
  return entry;
}

}  // namespace

StatusOr<Catalog> LoadCatalog(Db& db) {
  Catalog catalog;
  TANDEM_ASSIGN_OR_RETURN(
      Statement * campaigns,
      db.Prepare("SELECT body, origin, updated_at FROM campaigns ORDER BY key"));
  TANDEM_ASSIGN_OR_RETURN(
      auto rows, Collect<std::optional<Campaign>>(campaigns, [](const Statement& s) {
        return Decode<Campaign>(s.Text(0), s.TextView(1), s.Int(2), &CampaignFromJson);
      }));
  for (auto& c : rows) {
    if (c) catalog.campaigns.push_back(std::move(*c));
  }
  TANDEM_ASSIGN_OR_RETURN(
      Statement * content,
      db.Prepare("SELECT body, origin, updated_at FROM content_assets ORDER BY asset_id"));
  TANDEM_ASSIGN_OR_RETURN(
      auto assets, Collect<std::optional<ContentAsset>>(content, [](const Statement& s) {
        return Decode<ContentAsset>(s.Text(0), s.TextView(1), s.Int(2), &ContentFromJson);
      }));
  for (auto& a : assets) {
    if (a) catalog.content.push_back(std::move(*a));
  }
  return catalog;
}

Status PutCatalog(Db& db, const Catalog& entries, bool replace) {
  TANDEM_ASSIGN_OR_RETURN(Statement * campaign_exists,
                          db.Prepare("SELECT key FROM campaigns WHERE key = ? OR "
                                     "lower(utm_campaign) = lower(?)"));
  TANDEM_ASSIGN_OR_RETURN(
      Statement * put_campaign,
      db.Prepare(Upsert("campaigns", "key, utm_campaign, body, origin, updated_at", "key")));
  for (const Campaign& c : entries.campaigns) {
    campaign_exists->Bind(1, c.key).Bind(2, c.utm_campaign);
    TANDEM_ASSIGN_OR_RETURN(
        auto keys,
        Collect<std::string>(campaign_exists, [](const Statement& s) { return s.Text(0); }));
    for (const std::string& key : keys) {
      if (key != c.key) {
        return Conflict("catalog_conflict",
                        fmt::format("campaign \"{}\" already matches utm_campaign \"{}\"", key,
                                    c.utm_campaign));
      }
      if (!replace) {
        return Conflict("catalog_conflict",
                        fmt::format("campaign \"{}\" already exists (PUT replaces it)", key));
      }
    }
    const std::string body = Body(CampaignToJson(c)).dump();
    put_campaign->Bind(1, c.key)
        .Bind(2, c.utm_campaign)
        .Bind(3, body)
        .Bind(4, c.origin)
        .Bind(5, ToUnixMillis(c.updated_at));
    Status put = put_campaign->Run();
    put_campaign->Reset();
    TANDEM_RETURN_IF_ERROR(put);
  }
  TANDEM_ASSIGN_OR_RETURN(Statement * content_exists,
                          db.Prepare("SELECT 1 FROM content_assets WHERE asset_id = ?"));
  TANDEM_ASSIGN_OR_RETURN(
      Statement * put_content,
      db.Prepare(Upsert("content_assets", "asset_id, body, origin, updated_at", "asset_id")));
  for (const ContentAsset& a : entries.content) {
    if (!replace) {
      content_exists->Bind(1, a.asset_id);
      TANDEM_ASSIGN_OR_RETURN(bool exists, content_exists->Step());
      content_exists->Reset();
      if (exists) {
        return Conflict("catalog_conflict",
                        fmt::format("content \"{}\" already exists (PUT replaces it)", a.asset_id));
      }
    }
    const std::string body = Body(ContentToJson(a)).dump();
    put_content->Bind(1, a.asset_id)
        .Bind(2, body)
        .Bind(3, a.origin)
        .Bind(4, ToUnixMillis(a.updated_at));
    Status put = put_content->Run();
    put_content->Reset();
    TANDEM_RETURN_IF_ERROR(put);
  }
  return OkStatus();
}

StatusOr<bool> DeleteCampaign(Db& db, std::string_view key) {
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt, db.Prepare("DELETE FROM campaigns WHERE key = ?"));
  stmt->Bind(1, key);
  TANDEM_RETURN_IF_ERROR(stmt->Run());
  return db.Changes() > 0;
}

StatusOr<bool> DeleteContent(Db& db, std::string_view asset_id) {
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt,
                          db.Prepare("DELETE FROM content_assets WHERE asset_id = ?"));
  stmt->Bind(1, asset_id);
  TANDEM_RETURN_IF_ERROR(stmt->Run());
  return db.Changes() > 0;
}

}  // namespace tandem::sql

namespace tandem {

Status SqlStore::PutCatalog(const Catalog& entries, bool replace) {
  return Write([&](sql::Db& db) { return sql::PutCatalog(db, entries, replace); });
}

StatusOr<bool> SqlStore::DeleteCampaign(std::string_view key) {
  bool deleted = false;
  TANDEM_RETURN_IF_ERROR(Write([&](sql::Db& db) -> Status {
    TANDEM_ASSIGN_OR_RETURN(deleted, sql::DeleteCampaign(db, key));
    return OkStatus();
  }));
  return deleted;
}

StatusOr<bool> SqlStore::DeleteContent(std::string_view asset_id) {
  bool deleted = false;
  TANDEM_RETURN_IF_ERROR(Write([&](sql::Db& db) -> Status {
    TANDEM_ASSIGN_OR_RETURN(deleted, sql::DeleteContent(db, asset_id));
    return OkStatus();
  }));
  return deleted;
}

}  // namespace tandem
