#include "leads/lead_csv.h"

#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "core/csv_cell.h"
#include "core/ids.h"
#include "core/time_format.h"

namespace tandem {
namespace {

void Cell(std::string& out, std::string_view text) {
  AppendCsvCell(out, text);
  out += ',';
}

void TimeCell(std::string& out, const std::optional<TimePoint>& t) {
  if (t) out += FormatIsoTime(*t);
  out += ',';
}

void NumberCell(std::string& out, double value) {
  fmt::format_to(std::back_inserter(out), "{},", value);
}

// The first touch's source, medium and campaign ("" each when it has none).
void FirstTouchCells(std::string& out, const std::string& first_touch) {
  nlohmann::json touch;
  if (!first_touch.empty()) touch = nlohmann::json::parse(first_touch, nullptr, false);
  for (const char* name : {"source", "medium", "campaign"}) {
    const auto it = touch.is_object() ? touch.find(name) : touch.end();
    Cell(out, it != touch.end() && it->is_string() ? it->get_ref<const std::string&>() : "");
  }
}

}  // namespace

std::string LeadCsvHeader() {
  return "id,email,name,title,company,domain,country,stage,stage_reason,priority,owner_id,"
         "owner_email,owner_name,team,fit,engagement,total_score,first_touch_source,"
         "first_touch_medium,first_touch_campaign,visits,mql_at,contacted_at,sla_due_at,"
         "sla_met_at,sla_breached_at,created_at,updated_at\r\n";
}

void AppendLeadCsvRow(std::string& out, const LeadRecord& lead, const UserRecord* owner,
                      const ScoreExplanation& score) {
  Cell(out, LeadIdText(lead.id));
  Cell(out, lead.email);
  Cell(out, lead.name);
  Cell(out, lead.title);
  Cell(out, lead.company_name);
  Cell(out, lead.account_domain);
  Cell(out, lead.country);
  Cell(out, StageName(lead.stage));
  Cell(out, lead.stage_reason);
  Cell(out, lead.priority);
  Cell(out, owner != nullptr ? UserIdText(owner->id) : "");
  Cell(out, owner != nullptr ? owner->email : "");
  Cell(out, owner != nullptr ? owner->name : "");
  Cell(out, lead.team);
  NumberCell(out, score.fit);
  NumberCell(out, score.engagement);
  NumberCell(out, score.total);
  FirstTouchCells(out, lead.first_touch);
  fmt::format_to(std::back_inserter(out), "{},", lead.visits);
  TimeCell(out, lead.mql_at);
  TimeCell(out, lead.contacted_at);
  TimeCell(out, lead.sla_due_at);
  TimeCell(out, lead.sla_met_at);
  TimeCell(out, lead.sla_breached_at);
  TimeCell(out, lead.created_at);
  out += FormatIsoTime(lead.updated_at);
  out += "\r\n";
}

LeadQuery::After PositionAfter(const LeadQuery& query, const LeadRecord& lead) {
  LeadQuery::After after;
  after.id = lead.id;
  switch (query.sort) {
    case LeadQuery::Sort::kScore:
      after.key =
          lead.fit + EngagementFromRef(lead.engagement_ref, query.score_at, query.half_life_days);
      break;
    case LeadQuery::Sort::kCreated:
      after.key = static_cast<double>(ToUnixMillis(lead.created_at));
      break;
    case LeadQuery::Sort::kUpdated:
      after.key = static_cast<double>(ToUnixMillis(lead.updated_at));
      break;
    case LeadQuery::Sort::kId:
      break;
    case LeadQuery::Sort::kSla:
      after.is_null = !lead.sla_due_at;
      after.key = lead.sla_due_at ? static_cast<double>(ToUnixMillis(*lead.sla_due_at)) : 0;
      break;
  }
  return after;
}

StatusOr<int64_t> WriteLeadsCsv(LeadListing& listing, LeadReads& reads, UserReads& users,
                                LeadQuery query, const std::function<Status(std::string)>& write) {
  // Owners are few: all of them are read once, not once a page.
  std::map<int64_t, UserRecord> owners;
  {
    TANDEM_ASSIGN_OR_RETURN(std::vector<UserRecord> all, users.ListUsers());
    for (UserRecord& u : all) owners.emplace(u.id, std::move(u));
  }
  std::string chunk = LeadCsvHeader();
  int64_t written = 0;
  for (;;) {
    TANDEM_ASSIGN_OR_RETURN(std::vector<LeadRecord> page, listing.ListLeads(query));
    std::vector<int64_t> ids;
    ids.reserve(page.size());
    for (const LeadRecord& lead : page) ids.push_back(lead.id);
    TANDEM_ASSIGN_OR_RETURN(auto items, reads.ListScoreItemsOf(ids));
    for (const LeadRecord& lead : page) {
      const ScoreExplanation score =
          Explain(std::move(items[lead.id]), query.half_life_days, query.score_at);
      const auto owner = lead.owner_id ? owners.find(*lead.owner_id) : owners.end();
      AppendLeadCsvRow(chunk, lead, owner != owners.end() ? &owner->second : nullptr, score);
    }
    written += static_cast<int64_t>(page.size());
    if (!chunk.empty()) TANDEM_RETURN_IF_ERROR(write(std::move(chunk)));
    chunk.clear();
    if (page.size() < query.limit) return written;
    query.after = PositionAfter(query, page.back());
  }
}

}  // namespace tandem
