#include "leads/lead_csv.h"

#include <fmt/format.h>

#include <future>
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

// Reads the first touch's source, medium and campaign (strings at its top level) as the
// JSON text is lexed, without building it: this runs once per exported lead.
class FirstTouchReader : public nlohmann::json_sax<nlohmann::json> {
 public:
  std::string source, medium, campaign;

  bool key(string_t& name) override {
    wanted_ = depth_ != 1          ? nullptr
              : name == "source"   ? &source
              : name == "medium"   ? &medium
              : name == "campaign" ? &campaign
                                   : nullptr;
    return true;
  }
  bool string(string_t& value) override {
    if (wanted_ != nullptr) *wanted_ = std::move(value);
    wanted_ = nullptr;
    return true;
  }
  bool start_object(std::size_t) override { return Enter(); }
  bool end_object() override { return Leave(); }
  bool start_array(std::size_t) override { return Enter(); }
  bool end_array() override { return Leave(); }
  bool null() override { return Scalar(); }
  bool boolean(bool) override { return Scalar(); }
  bool number_integer(number_integer_t) override { return Scalar(); }
  bool number_unsigned(number_unsigned_t) override { return Scalar(); }
  bool number_float(number_float_t, const string_t&) override { return Scalar(); }
  bool binary(binary_t&) override { return Scalar(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    source.clear();  // a touch that is not JSON has none of them
    medium.clear();
    campaign.clear();
    return false;
  }

 private:
  bool Enter() {
    ++depth_;
    wanted_ = nullptr;
    return true;
  }
  bool Leave() {
    --depth_;
    return true;
  }
  bool Scalar() {
    wanted_ = nullptr;
    return true;
  }

  int depth_ = 0;
  std::string* wanted_ = nullptr;
};

// The first touch's source, medium and campaign ("" each when it has none).
void FirstTouchCells(std::string& out, const std::string& first_touch) {
  FirstTouchReader touch;
  if (!first_touch.empty()) nlohmann::json::sax_parse(first_touch, &touch);
  Cell(out, touch.source);
  Cell(out, touch.medium);
  Cell(out, touch.campaign);
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

namespace {

// A page of leads and their score items, read together.
struct LeadPage {
  std::vector<LeadRecord> leads;
  std::map<int64_t, std::vector<ScoreItem>> items;
};

StatusOr<LeadPage> ReadPage(LeadListing& listing, LeadReads& reads, const LeadQuery& query) {
  LeadPage page;
  TANDEM_ASSIGN_OR_RETURN(page.leads, listing.ListLeads(query));
  std::vector<int64_t> ids;
  ids.reserve(page.leads.size());
  for (const LeadRecord& lead : page.leads) ids.push_back(lead.id);
  TANDEM_ASSIGN_OR_RETURN(page.items, reads.ListScoreItemsOf(ids));
  return page;
}

}  // namespace

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
  StatusOr<LeadPage> page = ReadPage(listing, reads, query);
  for (;;) {
    if (!page.ok()) return page.status();
    const bool last = page->leads.size() < query.limit;
    // The next page is read while this one is written (the store may be called from any
    // thread): reading and writing take about as long as each other.
    std::future<StatusOr<LeadPage>> next;
    if (!last) {
      query.after = PositionAfter(query, page->leads.back());
      next = std::async(std::launch::async,
                        [&listing, &reads, query] { return ReadPage(listing, reads, query); });
    }
    for (const LeadRecord& lead : page->leads) {
      const ScoreExplanation score =
          Explain(std::move(page->items[lead.id]), query.half_life_days, query.score_at);
      const auto owner = lead.owner_id ? owners.find(*lead.owner_id) : owners.end();
      AppendLeadCsvRow(chunk, lead, owner != owners.end() ? &owner->second : nullptr, score);
    }
    written += static_cast<int64_t>(page->leads.size());
    Status sent = chunk.empty() ? OkStatus() : write(std::move(chunk));
    chunk.clear();
    if (last) return sent.ok() ? StatusOr<int64_t>(written) : StatusOr<int64_t>(sent);
    page = next.get();  // waited for even when the write failed: it reads our references
    if (!sent.ok()) return sent;
  }
}

}  // namespace tandem
