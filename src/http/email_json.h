// Email's records as the API shows them (templates, filters, broadcasts, sends, a
// composed message), and the shared parsing of a compose request. Internal to the
// email routes.
#pragma once

#include <nlohmann/json.hpp>

#include "email/broadcasts.h"
#include "email/email_service.h"
#include "http/http_types.h"
#include "store/store.h"

namespace tandem::http {

nlohmann::json TemplateJson(const StoredTemplate& t);
nlohmann::json FilterJson(const SavedFilter& f);
nlohmann::json SendJson(const EmailSend& s);
nlohmann::json EngagementJson(const EmailEngagement& e);
// The broadcast with its progress (`counts` of its sends).
nlohmann::json BroadcastJson(const Broadcast& b, const SendCounts& counts);
nlohmann::json AudienceJson(const AudienceCount& count);
// {to, rendered: {subject, preheader, html, text} | null, problems, findings,
// compliance, blocked}
nlohmann::json CompositionJson(const Composition& c);
nlohmann::json ProblemsJson(const std::vector<TemplateProblem>& problems);

// {"template", "version"?, "subject"?, "preheader"?, "html"?}: 422 naming a bad field.
StatusOr<ComposeRequest> ParseComposeRequest(const nlohmann::json& body);
// A template body (POST, PUT): key (POST only), name, purpose, subject, preheader,
// html, layout. Problems are checked by the caller.
StatusOr<StoredTemplate> ParseTemplateBody(const nlohmann::json& body, bool with_key);

// A page of sends (`limit`, `cursor` from the request's query) for `query`.
Response SendsPage(Store& store, const HttpRequest& request, SendQuery query);

// "bc_12" → 12; "flt_3" → 3.
std::optional<int64_t> ParsePrefixedId(std::string_view text, std::string_view prefix);

}  // namespace tandem::http
