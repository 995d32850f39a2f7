#include "http/import_routes.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "auth/permissions.h"
#include "core/ids.h"
#include "http/api_common.h"
#include "http/api_schemas.h"
#include "http/audit_routes.h"
#include "http/query_params.h"

namespace tandem::http {
namespace {

using nlohmann::json;

constexpr std::string_view kParams[] = {"address_source", "consent_basis", "consent_wording",
                                        "mapping", "dry_run"};

StatusOr<std::map<std::string, ImportField>> ParseMapping(std::string_view text) {
  json given = json::parse(text, nullptr, false);
  if (!given.is_object()) {
    return InvalidArgument("invalid_parameter",
                           "mapping must be a JSON object of column → field, e.g. "
                           "{\"E-Mail-Adresse\":\"email\"}");
  }
  std::map<std::string, ImportField> mapping;
  for (const auto& [column, field] : given.items()) {
    std::optional<ImportField> parsed =
        field.is_string() ? ParseImportField(field.get<std::string>()) : std::nullopt;
    if (!parsed) {
      return InvalidArgument("invalid_parameter",
                             fmt::format("mapping: column \"{}\" names no field Tandem imports "
                                         "({})",
                                         column, field.dump()));
    }
    mapping.emplace(column, *parsed);
  }
  return mapping;
}

StatusOr<ImportOptions> ParseOptions(const HttpRequest& request) {
  const auto params = ParseQuery(request.query());
  TANDEM_RETURN_IF_ERROR(CheckNoControlCharacters(params));
  for (const auto& [name, value] : params) {
    if (std::find(std::begin(kParams), std::end(kParams), name) == std::end(kParams)) {
      return InvalidArgument("invalid_parameter", fmt::format("unknown parameter \"{}\"", name));
    }
  }
  ImportOptions options;
  if (auto v = FindParam(params, "address_source")) options.defaults.address_source = *v;
  if (auto v = FindParam(params, "consent_basis")) options.defaults.consent_basis = *v;
  if (auto v = FindParam(params, "consent_wording")) options.defaults.consent_wording = *v;
  if (auto v = FindParam(params, "dry_run")) {
    if (*v != "true" && *v != "false") {
      return InvalidArgument("invalid_parameter",
                             fmt::format("dry_run=\"{}\" is not true or false", *v));
    }
    options.dry_run = *v == "true";
  }
  if (auto v = FindParam(params, "mapping")) {
    TANDEM_ASSIGN_OR_RETURN(options.mapping, ParseMapping(*v));
  }
  TANDEM_RETURN_IF_ERROR(CheckImportDefaults(options.defaults));
  return options;
}

}  // namespace

ImportRoutes::ImportRoutes(Store& store, const Clock& clock, std::function<void()> on_stored)
    : store_(store), clock_(clock), on_stored_(std::move(on_stored)) {
  thread_ = std::thread([this] { Run(); });
}

ImportRoutes::~ImportRoutes() {
  std::deque<Job> left;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    left.swap(waiting_);
  }
  wake_.notify_all();
  for (Job& job : left) {
    job.respond(ErrorResponse(503, "shutting_down", "the server is stopping; send the file again"));
  }
  thread_.join();
}

void ImportRoutes::Accept(HttpRequest&& request, Responder respond) {
  auto user = Authenticate(store_, clock_, request);
  if (!user.ok()) {
    Response res = ErrorResponse(user.status());
    res.set(boost::beast::http::field::www_authenticate, "Bearer");
    return respond(std::move(res));
  }
  if (Status st = Require(*user, Permission::kImportLeads, "import leads"); !st.ok()) {
    return respond(ErrorResponse(st));
  }
  auto options = ParseOptions(request);
  if (!options.ok()) return respond(ErrorResponse(options.status()));
  if (request.message.body().empty()) {
    return respond(ErrorResponse(400, "empty_body", "the body must be the CSV file"));
  }
  {
    std::lock_guard lock(mu_);
    if (!stopping_ && waiting_.size() < kMaxWaiting) {
      waiting_.push_back({std::move(request), std::move(*user), std::move(*options), respond});
      wake_.notify_one();
      return;
    }
  }
  respond(TooManyRequests("imports_busy",
                          "other imports are running or waiting; send the file again when they "
                          "end",
                          std::chrono::seconds(10)));
}

void ImportRoutes::Run() {
  while (true) {
    std::unique_lock lock(mu_);
    wake_.wait(lock, [this] { return stopping_ || !waiting_.empty(); });
    if (waiting_.empty()) return;  // stopping, nothing left
    Job job = std::move(waiting_.front());
    waiting_.pop_front();
    lock.unlock();
    job.respond(Import(job));
  }
}

Response ImportRoutes::Import(Job& job) {
  const size_t bytes = job.request.message.body().size();
  std::istringstream in(std::move(job.request.message.body()));
  auto key = ImportFileKey(in);
  if (!key.ok()) return ErrorResponse(key.status());
  in.clear();
  in.seekg(0);
  auto users = store_.ListUsers();
  if (!users.ok()) return ErrorResponse(users.status());
  if (!job.options.dry_run) {
    // Recorded before a row is stored (no audit, no import): one cut short is on the
    // trail too.
    const json detail = {{"file", *key},
                         {"bytes", bytes},
                         {"address_source", job.options.defaults.address_source},
                         {"consent_basis", job.options.defaults.consent_basis}};
    if (Status st = AuditBy(store_, clock_, job.user, audit_action::kImported, *key, detail.dump());
        !st.ok()) {
      return ErrorResponse(st);
    }
  }
  auto summary = ImportLeadFile(store_, in, *key, job.options, *users, clock_.Now());
  if (!summary.ok()) return ErrorResponse(summary.status());
  if (job.options.dry_run) return Json(200, ImportSummaryToJson(*summary, true));
  if (summary->stored > 0 && on_stored_) on_stored_();
  spdlog::info("import {}: {} rows, {} stored, {} rejected, by {}", *key, summary->rows,
               summary->stored, summary->rejected.size(), UserIdText(job.user.id));
  return Json(201, ImportSummaryToJson(*summary, false));
}

void ImportRoutes::Register(Router& router) {
  RouteSpec spec{.method = "POST",
                 .path = "/api/v1/imports",
                 .summary = "Import leads from a CSV file (marketing, sales managers, admins)",
                 .tag = "imports"};
  spec.query = {{"address_source",
                 "where the addresses came from, for rows that do not say: form, event, "
                 "api, import (default), purchased or harvested"},
                {"consent_basis", "consent or none (default), for rows that do not say"},
                {"consent_wording", "the text the people agreed to, with consent_basis=consent"},
                {"mapping", "a JSON object: column header → field (email, first_name, owner, …)"},
                {"dry_run", "true: check every row and store none", {{"type", "boolean"}}}};
  spec.request_body = {{"type", "string"}, {"description", "the CSV file"}};
  spec.request_content_type = "text/csv";
  spec.status = 201;
  spec.response = schema::AnyObject(
      "file, dry_run, recognized_as, ignored_columns, encoding, rows, accepted, stored, "
      "already_imported, repeated_addresses, rejected_count, rejected [{line, message}]");
  spec.errors = {400, 401, 403, 413, 422, 429};
  router.Add(std::move(spec), [this](HttpRequest&& request, Responder respond) {
    Accept(std::move(request), std::move(respond));
  });
}

}  // namespace tandem::http
