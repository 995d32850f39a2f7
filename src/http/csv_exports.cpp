#include "http/csv_exports.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/beast/http/field.hpp>

#include "audit/audit.h"
#include "core/query_string.h"
#include "core/time_format.h"
#include "http/api_common.h"
#include "http/audit_routes.h"

namespace tandem::http {
namespace {

// Exports read the store for as long as the client takes the file: a few at a time, so
// the store keeps its connections for everyone else.
constexpr int kThreads = 2;
constexpr size_t kWaiting = 2;

}  // namespace

CsvExports::CsvExports(Store& store, const Clock& clock)
    : store_(store),
      clock_(clock),
      workers_(std::make_unique<PasswordWorkers>(kThreads, kWaiting)) {}

CsvExports::~CsvExports() { Stop(); }

void CsvExports::Stop() { workers_->Stop(); }

void CsvExports::Serve(HttpRequest&& request, Responder respond, PrepareCsv prepare) {
  auto job = std::make_shared<std::tuple<HttpRequest, Responder, PrepareCsv>>(
      std::move(request), std::move(respond), std::move(prepare));
  if (!workers_->TrySubmit([this, job] {
        auto& [req, res, prep] = *job;
        Run(req, res, prep);
      })) {
    std::get<1> (*job)(ErrorResponse(
        503, "export_busy", "every export thread is busy sending a file; try again shortly"));
  }
}

void CsvExports::Run(const HttpRequest& request, const Responder& respond,
                     const PrepareCsv& prepare) {
  auto user = Authenticate(store_, clock_, request);
  if (!user.ok()) {
    Response res = ErrorResponse(user.status());
    res.set(boost::beast::http::field::www_authenticate, "Bearer");
    return respond(std::move(res));
  }
  StatusOr<CsvDownload> download = prepare(request, *user);
  if (!download.ok()) return respond(ErrorResponse(download.status()));
  // Recorded before the first byte: nothing is served unaudited.
  if (Status audited = AuditBy(store_, clock_, *user, audit_action::kExported,
                               std::move(download->subject), std::move(download->detail));
      !audited.ok()) {
    return respond(ErrorResponse(audited));
  }
  Response head = Text(200, "text/csv; charset=utf-8", "");
  head.set(boost::beast::http::field::content_disposition,
           fmt::format("attachment; filename=\"{}-{}.csv\"", download->name,
                       FormatIsoTime(clock_.Now()).substr(0, 10)));
  respond.Stream(std::move(head), std::move(download->produce));
}

std::string FilterText(std::string_view query, std::initializer_list<std::string_view> drop) {
  std::string out;
  for (const auto& [name, value] : ParseQuery(query)) {
    if (std::find(drop.begin(), drop.end(), name) != drop.end()) continue;
    if (!out.empty()) out += '&';
    out += UrlEncode(name) + "=" + UrlEncode(value);
  }
  return out;
}

}  // namespace tandem::http
