#include "http/inbound_routes.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "auth/permissions.h"
#include "core/ids.h"
#include "core/text.h"
#include "core/time_format.h"
#include "email/inbound_classify.h"
#include "email/mime.h"
#include "http/api_common.h"
#include "http/api_schemas.h"
#include "http/email_json.h"
#include "http/query_params.h"

namespace tandem::http {
namespace {

using nlohmann::json;
namespace s = schema;

json MessageSchema() {
  return s::Object(
      {{"id", s::String("in_…")},
       {"via", s::Enum({"api", "imap"})},
       {"class", s::Enum({"reply", "hard_bounce", "soft_bounce", "auto_reply", "complaint"})},
       {"status", s::Enum({"applied", "unmatched", "untrusted"})},
       {"message_id", s::String()},
       {"from", s::String()},
       {"subject", s::String()},
       {"lead_id", s::NullableString("ld_… it was matched to")},
       {"email_id", s::NullableString("em_… it answers")},
       {"matched_by", s::String("message_id | address | \"\"")},
       {"size", s::Integer("bytes of the whole message")},
       {"truncated", s::Boolean("only the first 256 KB were read and kept")},
       {"received_at", s::String()},
       {"detail", s::AnyObject("why it is this class, what it names, the changes made; "
                               "`excerpt`: the start of what the sender wrote")}},
      {"id", "class", "status", "from", "subject", "received_at"});
}

RouteSpec ReceiveSpec() {
  RouteSpec spec{.method = "POST",
                 .path = "/api/v1/inbound/mime",
                 .summary =
                     "Hand Tandem a received email (reply, bounce, automatic reply, "
                     "complaint) to act on",
                 .tag = "email"};
  spec.request_content_type = "message/rfc822";
  spec.request_body =
      s::String("the raw message (RFC 5322), as received; the first 256 KB are read and kept");
  spec.status = 201;
  spec.response = MessageSchema();
  spec.response["properties"]["duplicate"] =
      s::Boolean("received before: this is that record; nothing changed");
  spec.response["required"] = {"id", "duplicate", "class", "status"};
  spec.errors = {400, 401, 403, 413, 422};
  return spec;
}

// "a,b" into its distinct parts, each one of `allowed`; the error names the parameter.
StatusOr<std::vector<std::string>> OneOfEach(std::string_view name, std::string_view text,
                                             const std::vector<std::string_view>& allowed) {
  std::vector<std::string> out;
  for (;;) {
    const size_t comma = std::min(text.find(','), text.size());
    const std::string_view part = TrimSpace(text.substr(0, comma));
    if (std::find(allowed.begin(), allowed.end(), part) == allowed.end()) {
      return InvalidArgument(
          "invalid_parameter",
          part.empty()
              ? fmt::format("{} has an empty value; give one or more of {}, separated "
                            "by commas",
                            name, fmt::join(allowed, ", "))
              : fmt::format("{} \"{}\" is not one of {}", name, part, fmt::join(allowed, ", ")));
    }
    if (std::find(out.begin(), out.end(), part) == out.end()) out.emplace_back(part);
    if (comma == text.size()) return out;
    text.remove_prefix(comma + 1);
  }
}

}  // namespace

json InboundJson(const InboundMessage& m, bool duplicate) {
  json detail = json::parse(m.detail, nullptr, false);
  if (!detail.is_object()) detail = json::object();
  json out = {{"id", m.uid},
              {"duplicate", duplicate},
              {"via", m.via},
              {"class", m.kind},
              {"status", m.status},
              {"message_id", m.message_id},
              {"from", m.from_address},
              {"subject", m.subject},
              {"lead_id", m.lead_id ? json(LeadIdText(*m.lead_id)) : json()},
              {"email_id", detail.contains("email_id") ? detail["email_id"] : json()},
              {"matched_by", m.matched_by},
              {"size", m.size},
              {"truncated", m.truncated},
              {"received_at", FormatIsoTime(m.received_at)},
              {"detail", detail}};
  return out;
}

void InboundRoutes::Register(Router& router) {
  router.Add(ReceiveSpec(),
             Authed(store_, clock_, [this](const HttpRequest& request, const UserRecord& user) {
               return Receive(request, user);
             }));
  RegisterReads(router);
}

void InboundRoutes::RegisterReads(Router& router) {
  RouteSpec list{.method = "GET",
                 .path = "/api/v1/inbound",
                 .summary = "Received email (replies, bounces, automatic replies), newest first",
                 .tag = "email"};
  list.query = {
      {"owner", "me, or usr_<n>: about leads this user owns"},
      {"lead", "ld_<n>: about this lead"},
      {"class", "reply, hard_bounce, soft_bounce, auto_reply, complaint (comma-separated)"},
      {"status", "applied, unmatched, untrusted (comma-separated)"},
      {"limit", "1 to 200"},
      {"cursor", "from the previous page"}};
  list.response = s::PageOf(MessageSchema());
  list.errors = {400, 404};
  router.Add(std::move(list),
             Authed(store_, clock_,
                    [this](const HttpRequest& r, const UserRecord& u) { return List(r, u); }));
  RouteSpec one{.method = "GET",
                .path = "/api/v1/inbound/{inbound_id}",
                .summary = "One received email with its text",
                .tag = "email"};
  one.path_params = {{"inbound_id", "in_…"}};
  one.response = s::Object({{"text", s::String("the text as received (at most 64 KB)")},
                            {"own_text", s::String("what the sender wrote, without the quote")}},
                           {});
  one.errors = {404};
  router.Add(std::move(one),
             Authed(store_, clock_, [this](const HttpRequest& r, const UserRecord&) {
               return One(r, /*raw=*/false);
             }));
  RouteSpec raw{.method = "GET",
                .path = "/api/v1/inbound/{inbound_id}/raw",
                .summary = "The received email's bytes as kept (the evidence)",
                .tag = "email"};
  raw.path_params = {{"inbound_id", "in_…"}};
  raw.content_type = "message/rfc822";
  raw.response = s::String("the message, as received (its first 256 KB)");
  raw.errors = {404};
  router.Add(std::move(raw),
             Authed(store_, clock_, [this](const HttpRequest& r, const UserRecord&) {
               return One(r, /*raw=*/true);
             }));
}

Response InboundRoutes::List(const HttpRequest& request, const UserRecord& user) {
  const auto params = ParseQuery(request.query());
  auto limit = IntParam(params, "limit", 50, 1, 200);
  if (!limit.ok()) return ErrorResponse(limit.status());
  InboundQuery query;
  query.limit = static_cast<size_t>(*limit);
  if (auto it = params.find("owner"); it != params.end()) {
    if (it->second == "me") {
      query.owner_id = user.id;
    } else if (auto id = ParsePrefixedId(it->second, "usr_")) {
      query.owner_id = *id;
    } else {
      return ErrorResponse(400, "invalid_parameter", "owner must be me or usr_<n>");
    }
  }
  if (auto it = params.find("lead"); it != params.end()) {
    auto lead = FindLeadId(store_, it->second);
    if (!lead.ok()) return ErrorResponse(lead.status());
    query.lead_id = *lead;
  }
  if (auto it = params.find("class"); it != params.end()) {
    auto kinds = OneOfEach("class", it->second,
                           {"reply", "hard_bounce", "soft_bounce", "auto_reply", "complaint"});
    if (!kinds.ok()) return ErrorResponse(kinds.status());
    query.kinds = std::move(*kinds);
  }
  if (auto it = params.find("status"); it != params.end()) {
    auto statuses = OneOfEach("status", it->second, {"applied", "unmatched", "untrusted"});
    if (!statuses.ok()) return ErrorResponse(statuses.status());
    query.statuses = std::move(*statuses);
  }
  if (auto it = params.find("cursor"); it != params.end()) {
    auto before = ParsePrefixedId(it->second, "");
    if (!before) return ErrorResponse(400, "invalid_cursor", "cursor is not one this list gave");
    query.before_id = *before;
  }
  auto rows = store_.ListInbound(query);
  if (!rows.ok()) return ErrorResponse(rows.status());
  json out = {{"items", json::array()}, {"next_cursor", nullptr}};
  for (const InboundMessage& m : *rows) out["items"].push_back(ListedJson(m));
  if (rows->size() == query.limit) out["next_cursor"] = std::to_string(rows->back().id);
  return Json(200, out);
}

Response InboundRoutes::One(const HttpRequest& request, bool raw) {
  const std::string uid = UrlDecode(request.params.Get("inbound_id"));
  auto found = store_.GetInbound(uid);
  if (!found.ok()) return ErrorResponse(found.status());
  if (!*found) return ErrorResponse(404, "not_found", fmt::format("no received email {}", uid));
  const InboundMessage& m = **found;
  if (raw) {
    // Someone else's bytes, on this origin: downloaded, never sniffed or rendered.
    Response res = Text(200, "message/rfc822", m.raw);
    res.set(boost::beast::http::field::content_disposition,
            fmt::format("attachment; filename=\"{}.eml\"", m.uid));
    res.set("X-Content-Type-Options", "nosniff");
    res.set("Content-Security-Policy", "sandbox; default-src 'none'");
    return res;
  }
  json out = ListedJson(m);
  auto parsed = email::ParseMime(m.raw);
  const std::string text =
      parsed.ok() ? parsed->text.substr(0, std::min(parsed->text.size(), kMaxTextBytes)) : "";
  out["text"] = text;
  out["own_text"] = email::OwnText(text);
  return Json(200, out);
}

json InboundRoutes::ListedJson(const InboundMessage& m) {
  json out = InboundJson(m, false);
  out.erase("duplicate");
  return out;
}

Response InboundRoutes::Receive(const HttpRequest& request, const UserRecord& user) {
  if (Status allowed = Require(user, Permission::kReceiveMail, "hand Tandem received email");
      !allowed.ok()) {
    return ErrorResponse(allowed);
  }
  const std::string& body = request.message.body();
  if (body.empty()) {
    return ErrorResponse(InvalidArgument("empty_body", "the body must be the raw email"));
  }
  if (body.size() > kMaxBodyBytes) {
    return ErrorResponse(TooLarge(
        "body_too_large",
        fmt::format("the email is {} bytes; at most {} are taken", body.size(), kMaxBodyBytes)));
  }
  auto received = mail_.Receive(body, static_cast<int64_t>(body.size()), "api", clock_.Now());
  if (!received.ok()) return ErrorResponse(received.status());
  return Json(received->duplicate ? 200 : 201, InboundJson(received->message, received->duplicate));
}

}  // namespace tandem::http
