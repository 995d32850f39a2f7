#include "http/contact_routes.h"

#include <fmt/format.h>
#include <boost/beast/http/field.hpp>

#include <algorithm>
#include <charconv>

#include "auth/permissions.h"
#include "contact/unsubscribe_token.h"
#include "core/text.h"
#include "core/time_format.h"
#include "http/api_common.h"
#include "http/api_schemas.h"
#include "http/audit_routes.h"
#include "http/query_params.h"
#include "leads/lead_json.h"

namespace tandem::http {
namespace {

using nlohmann::json;
namespace s = schema;
namespace bhttp = boost::beast::http;

Status CheckKnownKeys(const json& body, const std::vector<std::string>& known) {
  for (const auto& [key, value] : body.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return Unprocessable(
          "unknown_field",
          fmt::format("field \"{}\" is not known here (known: {})", key, fmt::join(known, ", ")));
    }
  }
  return OkStatus();
}

StatusOr<std::optional<std::string>> OptionalString(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end()) return std::optional<std::string>();
  if (it->is_null()) return std::optional<std::string>("");
  if (!it->is_string())
    return Unprocessable("invalid_field", fmt::format("{} must be a string", name));
  return std::optional<std::string>(it->get<std::string>());
}

// do_not_contact: a list of channels (reasons from do_not_contact_reasons), a list of
// {channel, reason}, an object channel → reason, or null to clear them all.
StatusOr<std::map<std::string, std::string>> ParseDoNotContact(const json& body,
                                                               const json& value) {
  std::map<std::string, std::string> dnc;
  const json reasons = body.value("do_not_contact_reasons", json::object());
  auto bad = Unprocessable("invalid_field",
                           "do_not_contact must be a list of channels ([\"call\"]) or of "
                           "{channel, reason} objects");
  if (value.is_null()) return dnc;  // clears every do-not-contact
  if (value.is_object()) {
    for (const auto& [channel, reason] : value.items()) {
      dnc[channel] = reason.is_string() ? reason.get<std::string>() : "";
    }
    return dnc;
  }
  if (!value.is_array()) return bad;
  for (const json& item : value) {
    if (item.is_string()) {
      std::string channel = item.get<std::string>();
      dnc[channel] =
          reasons.is_object() && reasons.contains(channel) && reasons[channel].is_string()
              ? reasons[channel].get<std::string>()
              : "";
    } else if (item.is_object() && item.contains("channel") && item["channel"].is_string()) {
      dnc[item["channel"].get<std::string>()] = item.value("reason", "");
    } else {
      return bad;
    }
  }
  return dnc;
}

// out_of_office: {from, until} (dates or times) or null.
StatusOr<std::optional<OutOfOfficeInput>> ParseOutOfOffice(const json& value) {
  if (value.is_null()) return std::optional<OutOfOfficeInput>();
  if (!value.is_object()) {
    return Unprocessable("invalid_field", "out_of_office must be {from, until} or null");
  }
  TANDEM_ASSIGN_OR_RETURN(auto from, TimeField(value, "from"));
  TANDEM_ASSIGN_OR_RETURN(auto until, TimeField(value, "until"));
  if (!from || !until) {
    return Unprocessable("invalid_field", "out_of_office needs both from and until");
  }
  // Dates are days in the lead's own zone; "until" a date means through that day.
  OutOfOfficeInput ooo;
  ooo.from = *from;
  ooo.until = *until;
  ooo.from_is_date = value["from"].get<std::string>().size() == 10;
  ooo.until_is_date = value["until"].get<std::string>().size() == 10;
  return std::optional<OutOfOfficeInput>(ooo);
}

StatusOr<PreferencesChange> ParsePreferences(const json& body) {
  static const std::vector<std::string> kKnown = {
      "preferred_channel", "timezone", "do_not_contact", "do_not_contact_reasons", "out_of_office",
      "address_source", "unsubscribed",
      // shown by GET, ignored on PUT so a read-modify-write round trip works
      "lead_id", "effective_timezone", "timezone_source", "unsubscribed_at", "consent"};
  TANDEM_RETURN_IF_ERROR(CheckKnownKeys(body, kKnown));
  PreferencesChange change;
  TANDEM_ASSIGN_OR_RETURN(change.preferred_channel, OptionalString(body, "preferred_channel"));
  TANDEM_ASSIGN_OR_RETURN(change.timezone, OptionalString(body, "timezone"));
  TANDEM_ASSIGN_OR_RETURN(auto source, OptionalString(body, "address_source"));
  if (source && !source->empty()) change.address_source = source;
  if (auto it = body.find("do_not_contact"); it != body.end()) {
    TANDEM_ASSIGN_OR_RETURN(change.do_not_contact, ParseDoNotContact(body, *it));
  }
  if (auto it = body.find("out_of_office"); it != body.end()) {
    TANDEM_ASSIGN_OR_RETURN(change.out_of_office, ParseOutOfOffice(*it));
  }
  if (auto it = body.find("unsubscribed"); it != body.end()) {
    if (!it->is_boolean())
      return Unprocessable("invalid_field", "unsubscribed must be true or false");
    change.unsubscribed = it->get<bool>();
  }
  return change;
}

StatusOr<TouchInput> ParseTouch(const json& body) {
  TANDEM_RETURN_IF_ERROR(CheckKnownKeys(
      body, {"channel", "purpose", "direction", "note", "override", "override_reason"}));
  TouchInput in;
  TANDEM_ASSIGN_OR_RETURN(std::string channel, StringField(body, "channel"));
  TANDEM_ASSIGN_OR_RETURN(std::string purpose, StringField(body, "purpose"));
  TANDEM_ASSIGN_OR_RETURN(in.direction, StringField(body, "direction"));
  TANDEM_ASSIGN_OR_RETURN(in.note, StringField(body, "note"));
  TANDEM_ASSIGN_OR_RETURN(in.override_reason, StringField(body, "override_reason"));
  if (auto it = body.find("override"); it != body.end() && !it->is_null()) {
    if (!it->is_boolean()) return Unprocessable("invalid_field", "override must be true or false");
    in.override = it->get<bool>();
  }
  if (channel.empty()) {
    return Unprocessable("invalid_field", fmt::format("channel is required (one of {})",
                                                      fmt::join(ContactChannelNames(), ", ")));
  }
  TANDEM_ASSIGN_OR_RETURN(in.channel, ChannelField("channel", channel));
  TANDEM_ASSIGN_OR_RETURN(in.purpose,
                          PurposeField("purpose", purpose.empty() ? "sales_outreach" : purpose));
  if (in.direction.empty()) in.direction = "outbound";
  return in;
}

const std::map<std::string, std::string> kLeadPath = {{"id", "the lead, ld_<n>"},
                                                      {"touch_id", "the touch, tch_<n>"}};

RouteSpec Spec(std::string method, std::string action, std::string summary, json response) {
  RouteSpec spec{.method = std::move(method),
                 .path = "/api/v1/leads/{id}/" + std::move(action),
                 .summary = std::move(summary),
                 .tag = "contact"};
  spec.path_params = kLeadPath;
  spec.response = std::move(response);
  spec.errors = {404};
  return spec;
}

json PreferencesBody() {
  return s::Object({{"preferred_channel", s::NullableString("email, call, sms, …")},
                    {"timezone", s::NullableString("an IANA zone")},
                    {"do_not_contact", s::ArrayOf(s::String())},
                    {"out_of_office", {{"type", json::array({"object", "null"})}}},
                    {"unsubscribed", s::Boolean()}});
}

json ConsentBody() {
  return s::Object({{"purpose", s::String()},
                    {"status", s::String("granted (the default) or withdrawn")},
                    {"method", s::String("form, api (the default), …")},
                    {"form_id", s::String()},
                    {"wording", s::String("what the person agreed to")},
                    {"source", s::String()},
                    {"at", s::String("when; now by default")},
                    {"evidence", s::String()}},
                   {"purpose"});
}

json TouchBody() {
  return s::Object({{"channel", s::String()},
                    {"purpose", s::String("sales_outreach by default")},
                    {"direction", s::Enum({"outbound", "inbound"})},
                    {"note", s::String()},
                    {"override", s::Boolean()},
                    {"override_reason", s::String()}},
                   {"channel"});
}

json CheckAnswer() {
  return s::Object({{"allowed", s::Boolean()},
                    {"reasons", s::ArrayOf(s::AnyObject())},
                    {"lead_id", s::String()},
                    {"channel", s::String()},
                    {"purpose", s::String()},
                    {"checked_at", s::String()}},
                   {"allowed", "reasons"});
}

}  // namespace

void ContactRoutes::Register(Router& router) {
  auto lead = [this](auto body) { return LeadAuthed(store_, clock_, body); };
  router.Add(Spec("GET", "preferences", "The lead's contact preferences", s::Ref("Preferences")),
             lead([this](const HttpRequest&, const UserRecord&, int64_t id) {
               return GetPreferences(id);
             }));
  for (const char* method : {"PUT", "PATCH"}) {
    RouteSpec spec =
        Spec(method, "preferences", "Change the lead's contact preferences", s::Ref("Preferences"));
    spec.request_body = PreferencesBody();
    spec.errors = {400, 403, 404, 422};
    router.Add(std::move(spec), lead([this](const HttpRequest& r, const UserRecord& u, int64_t id) {
                 return PutPreferences(r, u, id);
               }));
  }
  router.Add(
      Spec("GET", "consents", "The lead's consent records", s::PageOf(s::Ref("Consent"))),
      lead([this](const HttpRequest&, const UserRecord&, int64_t id) { return ListConsents(id); }));
  RouteSpec consent = Spec("POST", "consents", "Record a consent", s::Ref("Consent"));
  consent.request_body = ConsentBody();
  consent.status = 201;
  consent.errors = {400, 403, 404, 422};
  router.Add(std::move(consent), lead([this](const HttpRequest& r, const UserRecord& u,
                                             int64_t id) { return AddConsent(r, u, id); }));
  RouteSpec check = Spec("GET", "contact-check",
                         "Whether the caller may contact the lead now, and why", CheckAnswer());
  check.query = {{"channel", "email, call, sms, …", s::String(), true},
                 {"purpose", "sales_outreach by default"}};
  check.errors = {400, 404, 422};
  router.Add(std::move(check), lead([this](const HttpRequest& r, const UserRecord& u, int64_t id) {
               return ContactCheck(r, u, id);
             }));
  RegisterTouches(router);
  RouteSpec link = Spec("GET", "unsubscribe-link", "The lead's unsubscribe link and headers",
                        s::Object({{"url", s::String()}, {"token", s::String()}}));
  router.Add(std::move(link), lead([this](const HttpRequest& r, const UserRecord&, int64_t id) {
               return UnsubscribeLink(r, id);
             }));
  router.Add("GET", "/u/*", [this](HttpRequest&& request, Responder respond) {
    respond(PreferencePage(request, false));
  });
  router.Add("POST", "/u/*", [this](HttpRequest&& request, Responder respond) {
    respond(PreferencePage(request, true));
  });
}

void ContactRoutes::RegisterTouches(Router& router) {
  auto lead = [this](auto body) { return LeadAuthed(store_, clock_, body); };
  router.Add(
      Spec("GET", "touches", "The lead's touches", s::PageOf(s::Ref("Touch"))),
      lead([this](const HttpRequest&, const UserRecord&, int64_t id) { return ListTouches(id); }));
  RouteSpec add =
      Spec("POST", "touches", "Record a touch, through the contact gate (409 contact_refused)",
           s::Ref("Touch"));
  add.request_body = TouchBody();
  add.status = 201;
  add.errors = {400, 403, 404, 409, 422};
  router.Add(std::move(add), lead([this](const HttpRequest& r, const UserRecord& u, int64_t id) {
               return AddTouch(r, u, id);
             }));
  RouteSpec confirm = Spec("POST", "touches/{touch_id}/confirm",
                           "Confirm an inbound touch someone else recorded", s::Ref("Touch"));
  confirm.errors = {403, 404, 409};
  router.Add(std::move(confirm),
             lead([this](const HttpRequest& r, const UserRecord& u, int64_t id) {
               return ConfirmTouch(u, id, r.params.Get("touch_id"));
             }));
}

Response ContactRoutes::GetPreferences(int64_t lead_id) {
  auto lead = store_.GetLead(lead_id);
  auto prefs = store_.GetContactPrefs(lead_id);
  auto consents = store_.ListConsents(lead_id);
  if (!lead.ok()) return ErrorResponse(lead.status());
  if (!prefs.ok()) return ErrorResponse(prefs.status());
  if (!consents.ok()) return ErrorResponse(consents.status());
  if (!*lead)
    return ErrorResponse(404, "not_found",
                         fmt::format("lead {} does not exist", LeadIdText(lead_id)));
  json traits = json::parse((*lead)->traits, nullptr, false);
  LeadZone zone = FindLeadZone(*prefs, traits.is_object() ? traits : json::object());
  return Json(200, PreferencesToJson(*prefs, *consents, zone));
}

Response ContactRoutes::PutPreferences(const HttpRequest& request, const UserRecord& user,
                                       int64_t lead_id) {
  auto body = ParseBody(request);
  if (!body.ok()) return ErrorResponse(body.status());
  auto change = ParsePreferences(*body);
  if (!change.ok()) return ErrorResponse(change.status());
  const TimePoint now = clock_.Now();
  auto prefs = InLeadTxn(store_, [&](LeadTxn& txn) {
    return engine_.UpdatePreferences(txn, lead_id, Actor{user}, *change, now);
  });
  if (!prefs.ok()) return ErrorResponse(prefs.status());
  return GetPreferences(lead_id);
}

Response ContactRoutes::ListConsents(int64_t lead_id) {
  auto consents = store_.ListConsents(lead_id);
  if (!consents.ok()) return ErrorResponse(consents.status());
  json out = {{"items", json::array()}, {"next_cursor", nullptr}};
  for (const ConsentRecord& c : *consents) out["items"].push_back(ConsentToJson(c));
  return Json(200, out);
}

Response ContactRoutes::AddConsent(const HttpRequest& request, const UserRecord& user,
                                   int64_t lead_id) {
  auto body = ParseBody(request);
  if (!body.ok()) return ErrorResponse(body.status());
  if (Status s = CheckKnownKeys(
          *body, {"purpose", "status", "method", "form_id", "wording", "source", "at", "evidence"});
      !s.ok()) {
    return ErrorResponse(s);
  }
  ConsentRecord c;
  auto purpose = StringField(*body, "purpose");
  auto status = StringField(*body, "status");
  auto method = StringField(*body, "method");
  auto form_id = StringField(*body, "form_id");
  auto wording = StringField(*body, "wording");
  auto source = StringField(*body, "source");
  auto evidence = StringField(*body, "evidence");
  auto at = TimeField(*body, "at");
  for (const Status* s : {&purpose.status(), &status.status(), &method.status(), &form_id.status(),
                          &wording.status(), &source.status(), &evidence.status(), &at.status()}) {
    if (!s->ok()) return ErrorResponse(*s);
  }
  const TimePoint now = clock_.Now();
  c.status = status->empty() ? "granted" : *status;
  c.method = method->empty() ? "api" : *method;
  c.form_id = *form_id;
  c.wording = *wording;
  c.address_source = *source;
  c.evidence = *evidence;
  c.at = at->value_or(now);
  auto parsed_purpose = PurposeField("purpose", *purpose);
  if (!parsed_purpose.ok()) return ErrorResponse(parsed_purpose.status());
  c.purpose = *parsed_purpose;
  auto recorded = InLeadTxn(store_, [&](LeadTxn& txn) {
    return engine_.RecordConsent(txn, lead_id, Actor{user}, c, now);
  });
  if (!recorded.ok()) return ErrorResponse(recorded.status());
  auto consents = store_.ListConsents(lead_id);
  if (!consents.ok()) return ErrorResponse(consents.status());
  json out = consents->empty() ? json::object() : ConsentToJson(consents->back());
  std::string effective = ConsentState(*consents, c.purpose);
  out["effective"] = effective.empty() ? "none" : effective;
  return Json(201, out);
}

Response ContactRoutes::ContactCheck(const HttpRequest& request, const UserRecord& user,
                                     int64_t lead_id) {
  auto params = ParseQuery(request.query());
  TouchInput in;
  for (const auto& [name, value] : params) {
    if (name != "channel" && name != "purpose") {
      return ErrorResponse(
          400, "invalid_parameter",
          fmt::format("unknown query parameter \"{}\" (known: channel, purpose)", name));
    }
  }
  const std::string channel = params.count("channel") ? params["channel"] : "";
  const std::string purpose = params.count("purpose") ? params["purpose"] : "sales_outreach";
  if (channel.empty()) {
    return ErrorResponse(
        422, "invalid_field",
        fmt::format("channel is required (one of {})", fmt::join(ContactChannelNames(), ", ")));
  }
  auto parsed_channel = ChannelField("channel", channel);
  if (!parsed_channel.ok()) return ErrorResponse(parsed_channel.status());
  auto parsed_purpose = PurposeField("purpose", purpose);
  if (!parsed_purpose.ok()) return ErrorResponse(parsed_purpose.status());
  in.channel = *parsed_channel;
  in.purpose = *parsed_purpose;
  const TimePoint now = clock_.Now();
  // Read in a transaction so the answer is the one a touch would get at this moment;
  // nothing is written and the transaction is rolled back.
  auto decision = [&]() -> StatusOr<ContactDecision> {
    TANDEM_ASSIGN_OR_RETURN(auto txn, store_.BeginLeadTxn());
    return engine_.CheckContact(*txn, lead_id, Actor{user}, in, now);
  }();
  if (!decision.ok()) return ErrorResponse(decision.status());
  return Json(200, {{"allowed", decision->allowed},
                    {"reasons", ReasonsToJson(decision->reasons)},
                    {"lead_id", LeadIdText(lead_id)},
                    {"channel", ChannelName(in.channel)},
                    {"purpose", PurposeName(in.purpose)},
                    {"checked_at", FormatIsoTime(now)}});
}

Response ContactRoutes::AddTouch(const HttpRequest& request, const UserRecord& user,
                                 int64_t lead_id) {
  auto body = ParseBody(request);
  if (!body.ok()) return ErrorResponse(body.status());
  auto input = ParseTouch(*body);
  if (!input.ok()) return ErrorResponse(input.status());
  // Check and record in one transaction; a refusal is committed too (for the reports).
  // The touch's time is read once the transaction holds the write lock, so touches
  // decided one after another are also stamped in that order.
  TimePoint now;
  auto result = [&]() -> StatusOr<TouchResult> {
    TANDEM_ASSIGN_OR_RETURN(auto txn, store_.BeginLeadTxn());
    now = clock_.Now();
    TANDEM_ASSIGN_OR_RETURN(TouchResult r,
                            engine_.RecordTouch(*txn, lead_id, Actor{user}, *input, now));
    TANDEM_RETURN_IF_ERROR(txn->Commit());
    return r;
  }();
  if (!result.ok()) return ErrorResponse(result.status());
  if (!result->touch) {
    std::string message = "the contact gate refused this touch";
    for (const ContactReason& r : result->decision.reasons) {
      if (r.severity == "block") {
        message = fmt::format("{}: {}", r.code, r.message);
        break;
      }
    }
    return Json(409, {{"allowed", false},
                      {"reasons", ReasonsToJson(result->decision.reasons)},
                      {"error", {{"code", "contact_refused"}, {"message", message}}}});
  }
  AuditOverride(store_, clock_, user, lead_id, result->decision,
                "tch_" + std::to_string(result->touch->id));
  json out = TouchToJson(*result->touch);
  out["allowed"] = true;
  out["reasons"] = ReasonsToJson(result->decision.reasons);
  return Json(201, out);
}

Response ContactRoutes::ConfirmTouch(const UserRecord& user, int64_t lead_id,
                                     std::string_view touch_text) {
  int64_t touch_id = 0;
  std::string_view digits = touch_text.starts_with("tch_") ? touch_text.substr(4) : touch_text;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), touch_id);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() ||
      touch_id <= 0) {
    return ErrorResponse(
        404, "not_found",
        fmt::format("touch \"{}\" does not exist (touch ids look like tch_12)", touch_text));
  }
  const TimePoint now = clock_.Now();
  auto touch = InLeadTxn(store_, [&](LeadTxn& txn) {
    return engine_.ConfirmInboundTouch(txn, lead_id, Actor{user}, touch_id, now);
  });
  if (!touch.ok()) return ErrorResponse(touch.status());
  return Json(200, TouchToJson(*touch));
}

Response ContactRoutes::ListTouches(int64_t lead_id) {
  auto touches = store_.ListTouches(lead_id, TimePoint{});
  if (!touches.ok()) return ErrorResponse(touches.status());
  json out = {{"items", json::array()}, {"next_cursor", nullptr}};
  for (const TouchRecord& t : *touches) out["items"].push_back(TouchToJson(t));
  return Json(200, out);
}

std::string ContactRoutes::BaseUrl(const HttpRequest& request) const {
  if (!options_.public_url.empty()) {
    std::string url = options_.public_url;
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
  }
  auto host = request.message.find(bhttp::field::host);
  std::string h = host == request.message.end()
                      ? "127.0.0.1"
                      : std::string(host->value().data(), host->value().size());
  return "http://" + h;
}

Response ContactRoutes::UnsubscribeLink(const HttpRequest& request, int64_t lead_id) {
  std::string token = MakeUnsubscribeToken(secret_, lead_id);
  std::string url = BaseUrl(request) + "/u/" + token;
  // The link every email carries: it shows the person's choices and unsubscribes; it
  // never subscribes anyone again (that needs a confirmation sent to the address).
  return Json(200, {{"lead_id", LeadIdText(lead_id)},
                    {"scope", "unsubscribe"},
                    {"token", token},
                    {"url", url},
                    {"headers",
                     {{"List-Unsubscribe", "<" + url + ">"},
                      {"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"}}}});
}

}  // namespace tandem::http
