#include "cli/export_commands.h"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>

#include "audit/audit.h"
#include "cli/audit_commands.h"
#include "cli/commands.h"
#include "core/query_string.h"
#include "leads/lead_csv.h"
#include "leads/lead_filter.h"
#include "leads/lead_json.h"

namespace tandem::cli {
namespace {

// Where the file goes: standard output, or FILE written as FILE.partial and renamed
// when complete, so an export that fails halfway never leaves a file that looks whole.
class Output {
 public:
  explicit Output(std::string path) : path_(std::move(path)) {}
  ~Output() {
    if (file_.is_open()) {
      file_.close();
      std::error_code ignored;
      std::filesystem::remove(Partial(), ignored);
    }
  }

  Status Open() {
    if (path_.empty() || path_ == "-") return OkStatus();
    std::error_code ec;
    if (std::filesystem::exists(path_, ec) || std::filesystem::exists(Partial(), ec)) {
      return InvalidArgument("invalid_out", fmt::format("--out {} exists; name a new file", path_));
    }
    file_.open(Partial(), std::ios::binary);
    if (!file_) {
      return InvalidArgument("invalid_out", fmt::format("cannot write {}", Partial()));
    }
    return OkStatus();
  }

  std::ostream& stream() { return file_.is_open() ? file_ : std::cout; }

  Status Write(std::string_view text) {
    stream() << text;
    if (!stream()) return Unavailable("write_failed", fmt::format("cannot write {}", Name()));
    return OkStatus();
  }

  Status Commit() {
    stream().flush();
    if (!stream()) return Unavailable("write_failed", fmt::format("cannot write {}", Name()));
    if (!file_.is_open()) return OkStatus();
    file_.close();
    std::error_code ec;
    std::filesystem::rename(Partial(), path_, ec);
    if (ec) {
      return Unavailable("write_failed",
                         fmt::format("cannot rename {} to {}: {}", Partial(), path_, ec.message()));
    }
    return OkStatus();
  }

 private:
  std::string Partial() const { return path_ + ".partial"; }
  std::string Name() const { return file_.is_open() ? Partial() : "standard output"; }

  std::string path_;
  std::ofstream file_;
};

// The list's filter parameters from the arguments; an owner given by email is looked up.
StatusOr<LeadFilterValues> FilterValues(Store& store, const ExportLeadsArgs& a) {
  LeadFilterValues values;
  auto put = [&values](const char* name, const std::string& value) {
    if (!value.empty()) values[name] = value;
  };
  std::string owner = a.owner;
  if (owner.find('@') != std::string::npos) {
    TANDEM_ASSIGN_OR_RETURN(auto user, store.FindUserByEmail(owner));
    if (!user) return NotFound("not_found", fmt::format("--owner: no user has email {}", owner));
    owner = UserIdText(user->id);
  } else if (owner == "me") {
    return InvalidArgument("invalid_parameter",
                           "--owner must be an email, a user id (usr_12) or none");
  }
  put("owner", owner);
  put("stage", a.stage);
  put("reason", a.reason);
  put("priority", a.priority);
  put("team", a.team);
  put("min_score", a.min_score);
  put("updated_since", a.updated_since);
  put("source", a.source);
  put("form", a.form);
  put("q", a.q);
  put("sla", a.sla);
  if (a.queued) values["queued"] = "true";
  return values;
}

StatusOr<LeadQuery::Sort> ParseSort(const std::string& sort) {
  if (sort == "score") return LeadQuery::Sort::kScore;
  if (sort == "created") return LeadQuery::Sort::kCreated;
  if (sort == "sla") return LeadQuery::Sort::kSla;
  if (sort == "updated") return LeadQuery::Sort::kUpdated;
  return InvalidArgument("invalid_parameter",
                         fmt::format("--sort \"{}\" must be score, created, sla or updated", sort));
}

std::string FilterText(const LeadFilterValues& values, const std::string& sort) {
  std::string out;
  for (const auto& [name, value] : values) {
    out += fmt::format("{}{}={}", out.empty() ? "" : "&", UrlEncode(name), UrlEncode(value));
  }
  return out + fmt::format("{}sort={}", out.empty() ? "" : "&", UrlEncode(sort));
}

}  // namespace

Status ExportLeads(const Config& config, const ExportLeadsArgs& args) {
  TANDEM_ASSIGN_OR_RETURN(auto store, OpenExistingStore(config));
  TANDEM_ASSIGN_OR_RETURN(LeadFilterValues values, FilterValues(*store, args));
  LeadQuery query;
  TANDEM_RETURN_IF_ERROR(ParseLeadFilter(values, /*me=*/0, query));
  TANDEM_ASSIGN_OR_RETURN(query.sort, ParseSort(args.sort));
  const SystemClock clock;
  query.score_at = clock.Now();
  query.half_life_days = config.scoring.half_life_days;
  query.limit = 1000;
  Output out(args.out);
  TANDEM_RETURN_IF_ERROR(out.Open());
  const nlohmann::json detail = {{"format", "csv"}, {"filter", FilterText(values, args.sort)}};
  TANDEM_RETURN_IF_ERROR(AuditCli(*store, audit_action::kExported, "leads", detail.dump()));
  TANDEM_RETURN_IF_ERROR(WriteLeadsCsv(*store, *store, *store, query, [&out](std::string chunk) {
                           return out.Write(chunk);
                         }).status());
  return out.Commit();
}

Status ExportReport(const Config& config, const std::string& report, const ReportArgs& args,
                    const std::string& out_path) {
  ReportArgs every_page = args;
  every_page.format = "csv";
  every_page.limit.clear();
  every_page.cursor.clear();
  TANDEM_ASSIGN_OR_RETURN(auto store, OpenExistingStore(config));
  Output out(out_path);
  TANDEM_RETURN_IF_ERROR(out.Open());
  // The arguments are checked first: a bad one is no export.
  TANDEM_ASSIGN_OR_RETURN(ReportPages pages, PrepareReport(*store, report, every_page));
  std::string filter = fmt::format("from={}&to={}", UrlEncode(args.from), UrlEncode(args.to));
  for (const auto& [name, value] : {std::pair{"by", args.by},
                                    {"as_of", args.as_of},
                                    {"experiment", args.experiment},
                                    {"model", args.model},
                                    {"half_life_days", args.half_life_days}}) {
    if (!value.empty()) filter += fmt::format("&{}={}", name, UrlEncode(value));
  }
  const nlohmann::json detail = {{"format", "csv"}, {"all", true}, {"filter", filter}};
  TANDEM_RETURN_IF_ERROR(
      AuditCli(*store, audit_action::kExported, "reports/" + report, detail.dump()));
  TANDEM_RETURN_IF_ERROR(WriteReport(std::move(pages), out.stream()));
  return out.Commit();
}

}  // namespace tandem::cli
