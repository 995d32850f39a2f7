// The CSV exports over a real server: GET /api/v1/leads?format=csv streams every lead a
// filter matches (more than a page, each once, in the list's order), as each role may see
// them, with cells a spreadsheet reads as text and a CSV parser gives back whole; a
// report's format=csv&all=true gives every page of groups in one file; each export is in
// the audit trail; bad parameters are 400s that name them.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "http/report_fixture.h"

namespace tandem::testing {
namespace {

using nlohmann::json;
using Records = std::vector<std::vector<std::string>>;

// RFC 4180, as a spreadsheet reads it: quoted cells may hold commas, quotes ("") and
// line breaks; records end with CRLF. Fails the test on text that is not such CSV.
Records ParseCsv(const std::string& text) {
  Records out;
  std::vector<std::string> record;
  std::string cell;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"') {
      EXPECT_TRUE(cell.empty()) << "a quote inside an unquoted cell at byte " << i;
      quoted = true;
    } else if (c == ',') {
      record.push_back(std::move(cell));
      cell.clear();
    } else if (c == '\r') {
      EXPECT_TRUE(i + 1 < text.size() && text[i + 1] == '\n') << "a CR alone at byte " << i;
    } else if (c == '\n') {
      record.push_back(std::move(cell));
      cell.clear();
      out.push_back(std::move(record));
      record.clear();
    } else {
      cell += c;
    }
  }
  EXPECT_FALSE(quoted) << "the file ends inside a quoted cell";
  EXPECT_TRUE(cell.empty() && record.empty()) << "the last record has no line end";
  return out;
}

// The records as maps by the header's names.
std::vector<std::map<std::string, std::string>> Rows(const Records& records) {
  std::vector<std::map<std::string, std::string>> out;
  for (size_t r = 1; r < records.size(); ++r) {
    EXPECT_EQ(records[r].size(), records[0].size()) << "record " << r;
    std::map<std::string, std::string> row;
    for (size_t c = 0; c < records[0].size() && c < records[r].size(); ++c) {
      row[records[0][c]] = records[r][c];
    }
    out.push_back(std::move(row));
  }
  return out;
}

class ExportApiTest : public ReportFixture {
 protected:
  static constexpr int kLeads = 1200;  // more than a page of the export (1,000) and the list

  void SetUp() override {
    OpenStoreWithTeam();
    AddUser("admin@x.example", "admin", &token_admin_);
    Start();
  }

  // kLeads leads written straight into the store (the pipeline would take long): every
  // third lead created at the same minute, so the order falls back on ids across a page's
  // end; rep a owns one in three, rep b one in three; one in four is an MQL.
  void SeedLeads() {
    auto txn = raw_store_->BeginLeadTxn();
    ASSERT_TRUE(txn.ok()) << txn.status().ToString();
    for (int i = 0; i < kLeads; ++i) {
      LeadRecord l;
      l.id = 5000 + i;
      l.email = fmt::format("p{}@co{}.example", i, i % 7);
      l.name = fmt::format("Lead {}", i);
      l.company_name = fmt::format("Co {}", i % 7);
      l.account_domain = fmt::format("co{}.example", i % 7);
      l.stage = i % 4 == 0 ? Stage::kMql : Stage::kLead;
      if (i % 3 == 0) l.owner_id = rep_a_;
      if (i % 3 == 1) l.owner_id = rep_b_;
      l.team = l.owner_id ? "sales" : "";
      l.fit = i % 50;  // kept with the lead for the order, and as the score item it sums
      l.created_at = l.updated_at = clock_.Now() - std::chrono::minutes(i / 3);
      ASSERT_TRUE((*txn)->PutLead(l).ok());
      if (l.fit > 0) {
        ScoreItem fit{.axis = ScoreAxis::kFit, .rule = "size", .points = l.fit, .at = l.created_at};
        ASSERT_TRUE((*txn)->AddScoreItem(l.id, fit).ok());
      }
      seeded_.push_back(l);
    }
    ASSERT_TRUE((*txn)->Commit().ok());
  }

  // One lead with the given text fields, created after the seeded ones.
  void AddLead(int64_t id, const std::string& name, const std::string& company,
               const std::string& title, const std::string& email) {
    auto txn = raw_store_->BeginLeadTxn();
    ASSERT_TRUE(txn.ok());
    LeadRecord l;
    l.id = id;
    l.email = email;
    l.name = name;
    l.company_name = company;
    l.title = title;
    l.created_at = l.updated_at = clock_.Now() + std::chrono::minutes(1);
    ASSERT_TRUE((*txn)->PutLead(l).ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }

  // The export's rows, after checking the answer is a streamed CSV attachment.
  std::vector<std::map<std::string, std::string>> Export(const std::string& query,
                                                         const std::string& token) {
    HttpResult r = Call("GET", "/api/v1/leads?format=csv" + query, token);
    EXPECT_EQ(r.status, 200u) << r.body.substr(0, 300);
    EXPECT_EQ(r.headers["Content-Type"], "text/csv; charset=utf-8");
    EXPECT_EQ(r.headers["Content-Disposition"], "attachment; filename=\"leads-2026-11-22.csv\"");
    EXPECT_EQ(r.headers["Transfer-Encoding"], "chunked");
    const Records records = ParseCsv(r.body);
    EXPECT_FALSE(records.empty());
    if (!records.empty()) {
      EXPECT_EQ(records[0][0], "id");
    }
    return Rows(records);
  }

  // The seeded leads `keep` selects, in the list's default order (newest first, then
  // the higher id).
  std::vector<std::string> Expected(const std::function<bool(const LeadRecord&)>& keep) {
    std::vector<LeadRecord> leads;
    for (const LeadRecord& l : seeded_) {
      if (keep(l)) leads.push_back(l);
    }
    std::sort(leads.begin(), leads.end(), [](const LeadRecord& a, const LeadRecord& b) {
      return a.created_at != b.created_at ? a.created_at > b.created_at : a.id > b.id;
    });
    std::vector<std::string> ids;
    for (const LeadRecord& l : leads) ids.push_back(fmt::format("ld_{}", l.id));
    return ids;
  }

  static std::vector<std::string> Ids(const std::vector<std::map<std::string, std::string>>& rows) {
    std::vector<std::string> ids;
    for (const auto& row : rows) ids.push_back(row.at("id"));
    return ids;
  }

  json AuditEntries() {
    HttpResult r = Call("GET", "/api/v1/audit?action=export", token_admin_);
    EXPECT_EQ(r.status, 200u) << r.body;
    return json::parse(r.body)["items"];
  }

  std::string token_admin_;
  std::vector<LeadRecord> seeded_;
};

TEST_F(ExportApiTest, EveryLeadOnceInTheListsOrder) {
  SeedLeads();
  const auto rows = Export("", token_manager_);
  const std::vector<std::string> ids = Ids(rows);
  ASSERT_EQ(ids.size(), static_cast<size_t>(kLeads));
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size()) << "a lead twice";
  EXPECT_EQ(ids, Expected([](const LeadRecord&) { return true; }));
  // The same order as the JSON list's pages, and each lead's fields as the list shows them.
  const json first_page = json::parse(Call("GET", "/api/v1/leads?limit=3", token_manager_).body);
  for (size_t i = 0; i < 3; ++i) {
    const json& lead = first_page["items"][i];
    EXPECT_EQ(rows[i].at("id"), lead["id"]);
    EXPECT_EQ(rows[i].at("email"), lead["email"]);
    EXPECT_EQ(rows[i].at("stage"), lead["stage"]);
    EXPECT_EQ(rows[i].at("created_at"), lead["created_at"]);
    EXPECT_EQ(std::stod(rows[i].at("fit")), lead["score"]["fit"].get<double>());
    EXPECT_EQ(std::stod(rows[i].at("total_score")), lead["score"]["total"].get<double>());
    EXPECT_EQ(rows[i].at("owner_email"), lead["owner"].is_null() ? "" : lead["owner"]["email"]);
  }
  // Sorted by score instead: the same leads, highest score first.
  const auto by_score = Export("&sort=score", token_manager_);
  ASSERT_EQ(by_score.size(), static_cast<size_t>(kLeads));
  for (size_t i = 1; i < by_score.size(); ++i) {
    ASSERT_GE(std::stod(by_score[i - 1].at("total_score")),
              std::stod(by_score[i].at("total_score")))
        << "row " << i;
  }
  EXPECT_EQ(by_score.front().at("total_score"), "49");
  EXPECT_EQ(by_score.back().at("total_score"), "0");
  const std::vector<std::string> score_ids = Ids(by_score);
  EXPECT_EQ(std::set<std::string>(score_ids.begin(), score_ids.end()).size(), score_ids.size());
}

TEST_F(ExportApiTest, FiltersAreTheLists) {
  SeedLeads();
  EXPECT_EQ(Ids(Export("&stage=mql", token_marketing_)),
            Expected([](const LeadRecord& l) { return l.stage == Stage::kMql; }));
  const int64_t rep_b = rep_b_;
  const auto owned = Export(fmt::format("&owner=usr_{}&stage=mql", rep_b_), token_marketing_);
  EXPECT_EQ(Ids(owned), Expected([rep_b](const LeadRecord& l) {
              return l.owner_id == rep_b && l.stage == Stage::kMql;
            }));
  ASSERT_FALSE(owned.empty());
  EXPECT_EQ(owned[0].at("owner_email"), "b@x.example");
  EXPECT_EQ(owned[0].at("team"), "sales");
  EXPECT_EQ(Ids(Export("&owner=none&q=co3.example", token_marketing_)),
            Expected([](const LeadRecord& l) {
              return !l.owner_id && l.email.ends_with("@co3.example");
            }));
  EXPECT_TRUE(Export("&q=nobody-has-this", token_marketing_).empty());
}

TEST_F(ExportApiTest, ASalesRepExportsTheRepsOwnLeadsOnly) {
  SeedLeads();
  const int64_t rep_a = rep_a_;
  const auto rows = Export("", token_rep_a_);
  EXPECT_EQ(Ids(rows), Expected([rep_a](const LeadRecord& l) { return l.owner_id == rep_a; }));
  for (const auto& row : rows) ASSERT_EQ(row.at("owner_email"), "a@x.example");
  EXPECT_EQ(Ids(Export("&owner=me&stage=mql", token_rep_a_)),
            Expected([rep_a](const LeadRecord& l) {
              return l.owner_id == rep_a && l.stage == Stage::kMql;
            }));
  // Another rep's leads or nobody's are not the rep's to export; a viewer exports nothing.
  for (const std::string& query : {fmt::format("&owner=usr_{}", rep_b_), std::string("&owner=none"),
                                   std::string("&queued=true")}) {
    HttpResult r = Call("GET", "/api/v1/leads?format=csv" + query, token_rep_a_);
    EXPECT_EQ(r.status, 403u) << query;
    EXPECT_EQ(json::parse(r.body)["error"]["code"], "forbidden") << r.body;
  }
  EXPECT_EQ(Call("GET", "/api/v1/leads?format=csv", token_viewer_).status, 403u);
  EXPECT_EQ(Call("GET", "/api/v1/leads?format=csv", "not-a-token").status, 401u);
}

TEST_F(ExportApiTest, CellsAreTextToASpreadsheetAndWholeToAParser) {
  const std::string hostile_name = "=HYPERLINK(\"http://evil.example\",\"Click\")";
  AddLead(901, hostile_name, "+1 555 0100", "-2+3", "@cmd@evil.example");
  AddLead(902, "Doe, \"Jo\"\nJunior", "Tab\tCo", "\tchief", "jo@x.example");
  const auto rows = Export("", token_manager_);
  ASSERT_EQ(rows.size(), 2u);
  const auto& hostile = rows[1].at("id") == "ld_901" ? rows[1] : rows[0];
  const auto& quoted = rows[1].at("id") == "ld_902" ? rows[1] : rows[0];
  // A formula is shown, not run: the cell begins with an apostrophe.
  EXPECT_EQ(hostile.at("name"), "'" + hostile_name);
  EXPECT_EQ(hostile.at("company"), "'+1 555 0100");
  EXPECT_EQ(hostile.at("title"), "'-2+3");
  EXPECT_EQ(hostile.at("email"), "'@cmd@evil.example");
  // Commas, quotes and line breaks survive the round trip.
  EXPECT_EQ(quoted.at("name"), "Doe, \"Jo\"\nJunior");
  EXPECT_EQ(quoted.at("company"), "Tab\tCo");
  EXPECT_EQ(quoted.at("title"), "'\tchief");
  EXPECT_EQ(quoted.at("email"), "jo@x.example");
}

TEST_F(ExportApiTest, EachExportIsAuditedWithItsFilter) {
  SeedLeads();
  EXPECT_TRUE(AuditEntries().empty());
  Export("&stage=mql&team=sales", token_marketing_);
  Export("", token_rep_a_);
  const json entries = AuditEntries();
  ASSERT_EQ(entries.size(), 2u) << entries;
  EXPECT_EQ(entries[0]["subject"], "leads");
  EXPECT_EQ(entries[0]["detail"]["filter"], "stage=mql&team=sales");
  EXPECT_EQ(entries[0]["detail"]["format"], "csv");
  EXPECT_EQ(entries[1]["user_id"], fmt::format("usr_{}", rep_a_));
  EXPECT_EQ(entries[1]["detail"]["filter"], "");
  // A refused export serves nothing and records nothing.
  EXPECT_EQ(Call("GET", "/api/v1/leads?format=csv", token_viewer_).status, 403u);
  EXPECT_EQ(AuditEntries().size(), 2u);
}

TEST_F(ExportApiTest, BadParametersAreNamed) {
  for (const auto& [query, named] :
       std::vector<std::pair<std::string, std::string>>{{"format=csv&bogus=1", "bogus"},
                                                        {"format=xml", "xml"},
                                                        {"format=csv&limit=10", "limit"},
                                                        {"format=csv&cursor=abc", "cursor"},
                                                        {"format=csv&include=why_now", "include"},
                                                        {"format=csv&stage=nope", "nope"},
                                                        {"format=csv&sort=name", "name"}}) {
    HttpResult r = Call("GET", "/api/v1/leads?" + query, token_manager_);
    EXPECT_EQ(r.status, 400u) << query;
    const json body = json::parse(r.body, nullptr, false);
    EXPECT_EQ(body["error"]["code"], "invalid_parameter") << query << ": " << r.body;
    EXPECT_NE(body["error"]["message"].get<std::string>().find(named), std::string::npos)
        << query << ": " << r.body;
  }
  EXPECT_TRUE(AuditEntries().empty());
}

// A report with more groups than its page: all=true gives them all in one file, the
// header and the total once, the same rows as the pages of JSON.
TEST_F(ExportApiTest, AReportsEveryPageInOneFile) {
  std::string batch = R"({"batch":[)";
  const std::vector<std::string> sources = {"alpha", "beta, \"the second\"", "gamma", "delta",
                                            "=epsilon"};
  for (size_t i = 0; i < sources.size(); ++i) {
    batch += fmt::format(
        R"({}{{"type":"page","userId":"u{}","messageId":"p{}","properties":{{"path":"/"}},"context":{{"campaign":{{"source":{},"name":"c"}}}}}},)"
        R"({{"type":"identify","userId":"u{}","messageId":"i{}","traits":{{"email":"u{}@acme.example"}}}},)"
        R"({{"type":"track","userId":"u{}","messageId":"t{}","event":"Demo Requested"}})",
        i ? "," : "", i, i, json(sources[i]).dump(), i, i, i, i, i);
  }
  Ingest(batch + "]}");
  const std::string range = "from=2026-11-01&to=2026-12-01&by=source";
  HttpResult r = Call("GET", "/api/v1/reports/funnel?" + range + "&format=csv&all=true&limit=2",
                      token_marketing_);
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.headers["Content-Disposition"], "attachment; filename=\"funnel-2026-11-22.csv\"");
  EXPECT_EQ(r.headers.count("Link"), 0u);
  const Records records = ParseCsv(r.body);
  ASSERT_GE(records.size(), 2u);
  EXPECT_EQ(records[0][0], "scope");
  std::vector<std::string> groups;
  int totals = 0;
  for (size_t i = 1; i < records.size(); ++i) {
    if (records[i][0] == "total") ++totals;
    if (records[i][0] == "group") groups.push_back(records[i][1]);
    EXPECT_NE(records[i][0], "scope") << "a second header at record " << i;
  }
  EXPECT_EQ(totals, 1);
  std::vector<std::string> expected = sources;
  expected[4] = "'" + expected[4];  // shown, not run
  std::sort(expected.begin(), expected.end());
  std::vector<std::string> sorted = groups;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, expected);
  // The JSON report's groups, page after page, are the same.
  const json whole = json::parse(
      Call("GET", "/api/v1/reports/funnel?" + range + "&limit=1000", token_marketing_).body);
  EXPECT_EQ(whole["groups"].size(), sources.size());
  EXPECT_EQ(whole["next_cursor"], nullptr);
  // Audited with its filter; bad combinations are named.
  const json entries = AuditEntries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0]["subject"], "reports/funnel");
  EXPECT_EQ(entries[0]["detail"]["filter"], "by=source&from=2026-11-01&limit=2&to=2026-12-01");
  for (const auto& [query, named] : std::vector<std::pair<std::string, std::string>>{
           {"&all=true", "format=csv"},
           {"&format=csv&all=yes", "yes"},
           {"&format=csv&all=true&cursor=x", "cursor"},
           {"&format=csv&all=true&limit=0", "limit"}}) {
    HttpResult bad = Call("GET", "/api/v1/reports/funnel?" + range + query, token_marketing_);
    EXPECT_EQ(bad.status, 400u) << query << ": " << bad.body;
    EXPECT_NE(bad.body.find(named), std::string::npos) << query << ": " << bad.body;
  }
  EXPECT_EQ(
      Call("GET", "/api/v1/reports/funnel?" + range + "&format=csv&all=true", token_viewer_).status,
      403u);
  EXPECT_EQ(AuditEntries().size(), 1u);
  // A rep's file holds the rep's own leads' figures, as the report does.
  HttpResult rep =
      Call("GET", "/api/v1/reports/funnel?" + range + "&format=csv&all=true", token_rep_a_);
  ASSERT_EQ(rep.status, 200u) << rep.body;
  const json rep_report =
      json::parse(Call("GET", "/api/v1/reports/funnel?" + range, token_rep_a_).body);
  const Records rep_records = ParseCsv(rep.body);
  ASSERT_GE(rep_records.size(), 2u);
  EXPECT_EQ(rep_records[1][0], "total");
  EXPECT_EQ(rep_records[1][2], rep_report["total"]["counts"]["lead"].dump());
}

}  // namespace
}  // namespace tandem::testing
