#include "http/email_json.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "core/time_format.h"
#include "email/lint.h"
#include "http/api_common.h"
#include "leads/lead_json.h"

namespace tandem::http {
namespace {

using nlohmann::json;

json TimeOrNull(const std::optional<TimePoint>& t) {
  return t ? json(FormatIsoTime(*t)) : json(nullptr);
}

json UserOrNull(const std::optional<int64_t>& id) {
  return id ? json(UserIdText(*id)) : json(nullptr);
}

json IdOrNull(const std::optional<int64_t>& id, const char* prefix) {
  return id ? json(fmt::format("{}{}", prefix, *id)) : json(nullptr);
}

json FindingsJson(const std::vector<email::Finding>& findings) {
  json out = json::array();
  for (const email::Finding& f : findings) {
    out.push_back({{"code", f.code},
                   {"severity", email::SeverityName(f.severity)},
                   {"where", f.where},
                   {"message", f.message},
                   {"fix", f.fix}});
  }
  return out;
}

StatusOr<std::optional<std::string>> OptionalString(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) {
    return Unprocessable("invalid_field", fmt::format("{} must be a string", name));
  }
  return std::optional<std::string>(it->get<std::string>());
}

}  // namespace

std::optional<int64_t> ParsePrefixedId(std::string_view text, std::string_view prefix) {
  if (!text.starts_with(prefix)) return std::nullopt;
  text.remove_prefix(prefix.size());
  int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

json TemplateJson(const StoredTemplate& t) {
  return {{"key", t.key},
          {"version", t.version},
          {"name", t.name},
          {"purpose", PurposeName(t.purpose)},
          {"subject", t.subject},
          {"preheader", t.preheader},
          {"html", t.html},
          {"layout", t.layout},
          {"created_by", UserOrNull(t.created_by)},
          {"created_at", FormatIsoTime(t.created_at)}};
}

json FilterJson(const SavedFilter& f) {
  return {{"id", fmt::format("flt_{}", f.id)},
          {"name", f.name},
          {"query", f.query},
          {"created_by", UserOrNull(f.created_by)},
          {"created_at", FormatIsoTime(f.created_at)},
          {"updated_at", FormatIsoTime(f.updated_at)}};
}

json SendJson(const EmailSend& s) {
  return {{"id", s.uid},
          {"kind", SendKindName(s.kind)},
          {"lead_id", IdOrNull(s.lead_id, "ld_")},
          {"broadcast_id", IdOrNull(s.broadcast_id, "bc_")},
          {"user_id", UserOrNull(s.user_id)},
          {"touch_id", s.touch_id ? json(*s.touch_id) : json(nullptr)},
          {"template", s.template_key.empty() ? json(nullptr) : json(s.template_key)},
          {"template_version", s.template_version > 0 ? json(s.template_version) : json(nullptr)},
          {"to", s.to_address},
          {"subject", s.subject},
          {"message_id", s.message_id},
          {"status", SendStatusName(s.status)},
          {"reason", s.reason},
          {"attempts", s.attempts},
          {"smtp_code", std::max<int64_t>(s.last_code, 0)},
          {"last_error", s.last_error},
          {"created_at", FormatIsoTime(s.created_at)},
          {"sent_at", TimeOrNull(s.sent_at)},
          {"updated_at", FormatIsoTime(s.updated_at)},
          {"engagement",
           {{"opens", s.opens},
            {"machine_opens", s.machine_opens},
            {"clicks", s.clicks},
            {"first_opened_at", TimeOrNull(s.first_opened_at)},
            {"first_clicked_at", TimeOrNull(s.first_clicked_at)}}}};
}

json EngagementJson(const EmailEngagement& e) {
  return {{"kind", EngagementKindName(e.kind)},
          {"url", e.url.empty() ? json(nullptr) : json(e.url)},
          {"machine", !e.machine.empty()},
          {"why_machine", e.machine.empty() ? json(nullptr) : json(e.machine)},
          {"user_agent", e.user_agent},
          {"ip", e.ip},
          {"at", FormatIsoTime(e.at)}};
}

json BroadcastJson(const Broadcast& b, const SendCounts& counts) {
  json by_status = json::object();
  int64_t total = 0;
  for (const char* status : {"queued", "sending", "sent", "retrying", "bounced", "refused",
                             "interrupted", "cancelled", "failed"}) {
    auto it = counts.by_status.find(status);
    const int64_t n = it == counts.by_status.end() ? 0 : it->second;
    by_status[status] = n;
    total += n;
  }
  json refused = json::object();
  for (const auto& [code, n] : counts.refused_by_reason) refused[code] = n;
  return {{"id", fmt::format("bc_{}", b.id)},
          {"name", b.name},
          {"template", b.template_key},
          {"template_version", b.template_version},
          {"filter_id", fmt::format("flt_{}", b.filter_id)},
          {"filter_query", b.filter_query},
          {"state", BroadcastStateName(b.state)},
          {"scheduled_at", TimeOrNull(b.scheduled_at)},
          {"started_at", TimeOrNull(b.started_at)},
          {"finished_at", TimeOrNull(b.finished_at)},
          {"created_by", UserOrNull(b.created_by)},
          {"created_at", FormatIsoTime(b.created_at)},
          {"updated_at", FormatIsoTime(b.updated_at)},
          {"test_phase", b.test_phase.empty() ? json(nullptr) : json(b.test_phase)},
          {"test_experiment_id",
           b.test_experiment_id ? json(fmt::format("ex_{}", *b.test_experiment_id)) : json()},
          {"rest_arm", b.rest_arm ? json(*b.rest_arm) : json()},
          {"progress",
           {{"recipients_done", total}, {"by_status", by_status}, {"refused_by_reason", refused}}}};
}

json AudienceJson(const AudienceCount& count) {
  json by_reason = json::object();
  for (const auto& [code, n] : count.excluded_by_reason) by_reason[code] = n;
  return {{"leads", count.leads},
          {"included", count.included},
          {"excluded", count.excluded},
          {"excluded_by_reason", by_reason}};
}

json ProblemsJson(const std::vector<TemplateProblem>& problems) {
  json out = json::array();
  for (const TemplateProblem& p : problems) {
    out.push_back({{"part", p.part},
                   {"line", p.line},
                   {"column", p.column},
                   {"code", p.code},
                   {"message", p.message}});
  }
  return out;
}

json CompositionJson(const Composition& c) {
  json rendered = nullptr;
  if (c.rendered) {
    rendered = {{"subject", c.rendered->subject},
                {"preheader", c.rendered->preheader},
                {"html", c.rendered->html},
                {"text", c.rendered->text}};
  }
  return {{"to", c.to_address},
          {"template", c.source.key},
          {"template_version", c.source.version},
          {"rendered", rendered},
          {"problems", ProblemsJson(c.problems)},
          {"findings", FindingsJson(c.findings)},
          {"compliance", ReasonsToJson(c.compliance)},
          {"gate",
           c.gate ? json{{"allowed", c.gate->allowed}, {"reasons", ReasonsToJson(c.gate->reasons)}}
                  : json(nullptr)},
          {"blocked", c.Blocked()}};
}

StatusOr<ComposeRequest> ParseComposeRequest(const json& body) {
  ComposeRequest request;
  TANDEM_ASSIGN_OR_RETURN(request.template_key, StringField(body, "template"));
  if (request.template_key.empty()) {
    return Unprocessable("invalid_field", "template is required (an email template's key)");
  }
  if (auto it = body.find("version"); it != body.end() && !it->is_null()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 1) {
      return Unprocessable("invalid_field", "version must be a positive integer");
    }
    request.version = it->get<int64_t>();
  }
  TANDEM_ASSIGN_OR_RETURN(request.subject, OptionalString(body, "subject"));
  TANDEM_ASSIGN_OR_RETURN(request.preheader, OptionalString(body, "preheader"));
  TANDEM_ASSIGN_OR_RETURN(request.html, OptionalString(body, "html"));
  return request;
}

StatusOr<StoredTemplate> ParseTemplateBody(const json& body, bool with_key) {
  static const std::vector<std::string> kKnown = {"key",       "name", "purpose", "subject",
                                                  "preheader", "html", "layout"};
  for (const auto& [name, value] : body.items()) {
    if (std::find(kKnown.begin(), kKnown.end(), name) == kKnown.end()) {
      return Unprocessable("invalid_field", fmt::format("unknown field \"{}\"", name));
    }
  }
  StoredTemplate t;
  if (with_key) {
    TANDEM_ASSIGN_OR_RETURN(t.key, StringField(body, "key"));
  }
  TANDEM_ASSIGN_OR_RETURN(t.name, StringField(body, "name"));
  TANDEM_ASSIGN_OR_RETURN(std::string purpose, StringField(body, "purpose"));
  if (!purpose.empty()) {
    TANDEM_ASSIGN_OR_RETURN(t.purpose, PurposeField("purpose", purpose));
  }
  TANDEM_ASSIGN_OR_RETURN(t.subject, StringField(body, "subject"));
  TANDEM_ASSIGN_OR_RETURN(t.preheader, StringField(body, "preheader"));
  TANDEM_ASSIGN_OR_RETURN(t.html, StringField(body, "html"));
  TANDEM_ASSIGN_OR_RETURN(std::string layout, StringField(body, "layout"));
  if (!layout.empty()) t.layout = layout;
  return t;
}

}  // namespace tandem::http
