#include "http/inbound_routes.h"

#include <fmt/format.h>

#include "auth/permissions.h"
#include "core/ids.h"
#include "core/time_format.h"
#include "http/api_common.h"
#include "http/api_schemas.h"

namespace tandem::http {
namespace {

using nlohmann::json;
namespace s = schema;

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
  spec.response = s::Object(
      {{"id", s::String("in_…")},
       {"duplicate", s::Boolean("received before: this is that record; nothing changed")},
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
       {"detail", s::AnyObject("why it is this class, what it names, the changes made")}},
      {"id", "duplicate", "class", "status"});
  spec.errors = {400, 401, 403, 413, 422};
  return spec;
}

}  // namespace

json InboundJson(const InboundMessage& m, bool duplicate) {
  json detail = json::parse(m.detail, nullptr, false);
  if (!detail.is_object()) detail = json::object();
  json out = {{"id", m.uid},
              {"duplicate", duplicate},
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
