// The authorization matrix: who may call each route, written once. Every route the
// server answers has rows here (authorization_matrix_test.cpp checks each cell with a
// real request, and fails for a route without a row); docs/operations.md's "Security"
// section is this table in words: keep the two alike.
#pragma once

namespace tandem::matrix {

// The callers, in the order of a row's letters.
enum Caller { kAdmin, kManager, kRep, kMarketing, kViewer, kWriteKey, kNoCredentials, kBadToken };
inline constexpr int kCallers = 8;
inline constexpr const char* kCallerNames[kCallers] = {
    "admin", "sales_manager", "sales_rep", "marketing", "viewer", "write_key", "none", "bad_token"};

// Whose lead the row's {id} is: the sales_rep's own, another rep's, nobody's.
enum class Lead { kNone, kOwn, kOther, kUnowned, kEach };

// What a cell does besides sending the row's request.
enum class Probe {
  kRequest,
  // Ask the API for the lead's unsubscribe link and use it to re-subscribe the person,
  // who had unsubscribed; "allowed" means the person is subscribed again.
  kResubscribeWithApiLink,
};

// One row: a route, whose lead, and the expected answer of each caller.
//   Y  allowed and done (2xx or 3xx)
//   y  allowed (anything but 401, 403 or 5xx: e.g. 404 for a file that is not there)
//   G  allowed through, then refused by the contact gate (409 contact_refused)
//   N  refused: 403
//   H  refused as if it did not exist: 404 (another user's token: its existence is not
//      told to someone who may not manage it)
//   U  refused: 401 (no credentials, or not ones this route takes)
// Letters: admin, sales_manager, sales_rep, marketing, viewer | write key, none, bad token.
// `fix` names a change the row's expectation needs that this tree may not have yet.
struct Row {
  const char* route;  // "METHOD /path", {placeholders} filled per cell
  Lead lead;
  const char* expect;
  const char* body = "";
  const char* fix = "";
  Probe probe = Probe::kRequest;
};

inline constexpr const char* kConsent =
    R"({"purpose":"email_marketing","status":"granted","method":"form","form_id":"newsletter","wording":"Send me the monthly newsletter"})";
inline constexpr const char* kOutbound =
    R"({"channel":"email","purpose":"sales_outreach","direction":"outbound","note":"intro"})";
inline constexpr const char* kInbound =
    R"({"channel":"email","purpose":"sales_outreach","direction":"inbound","note":"they wrote"})";
inline constexpr const char* kCampaignNew =
    R"({"key":"{new_key}","name":"Spring","utm_campaign":"{new_key}","offer":"A free audit"})";
inline constexpr const char* kCampaignPut =
    R"({"name":"Spring","utm_campaign":"{campaign}","offer":"A free audit"})";
inline constexpr const char* kContentNew =
    R"({"asset_id":"{new_key}","title":"SEM guide","topic":"sem","problem":"Paid search eats the budget","questions":["How is it measured?","Who owns it?"],"funnel_stage":"consideration"})";
inline constexpr const char* kContentPut =
    R"({"title":"SEM guide","topic":"sem","problem":"Paid search eats the budget","questions":["How is it measured?","Who owns it?"],"funnel_stage":"consideration"})";

inline constexpr const char* kTemplateNew =
    R"({"key":"{new_key}","name":"Spring","purpose":"email_marketing","subject":"Spring news for {{company.name | you}}","html":"<p>Is this for you?</p>"})";
inline constexpr const char* kTemplatePut =
    R"({"name":"Spring","purpose":"email_marketing","subject":"Spring news, again","html":"<p>Is this for you?</p>"})";
inline constexpr const char* kSalesEmail = R"({"template":"{sales_template}"})";
inline constexpr const char* kBroadcastNew =
    R"({"name":"Spring","template":"{template}","filter_id":"{filter}"})";

inline constexpr const char* kNurtureNew =
    R"({"name":"{new_key}","kind":"nurture","steps":[{"kind":"email","template":"{template}"},{"kind":"task","wait_days":2,"note":"Check the lead"}]})";
inline constexpr const char* kOneToOneNew =
    R"({"name":"{new_key}","kind":"one_to_one","steps":[{"kind":"email","template":"{sales_template}"},{"kind":"call","wait_days":3,"note":"Call about the offsite"}]})";

inline constexpr const char* kExperimentNew =
    R"({"key":"{new_key}","name":"Headline","kind":"web","variants":[{"key":"a","weight":0.5},{"key":"b","weight":0.5}]})";

inline constexpr const char* kInboundMime =
    "From: Pat Kim <pat@travel.example>\r\nTo: news@meetco.example\r\n"
    "Subject: Out of Office\r\nAuto-Submitted: auto-replied\r\n"
    "Message-ID: <matrix@travel.example>\r\n\r\nAway this week.\r\n";

inline constexpr const char* kRolesFix =
    "role rules written once (marketing stages; no acting on a higher role)";
inline constexpr const char* kResubscribeFix =
    "a re-subscribe needs the person, not a link staff can get";
inline constexpr const char* kTokensFix = "API tokens can be listed and revoked";
inline constexpr const char* kConfirmFix =
    "inbound touches by others need a manager's confirmation";

inline const Row kMatrix[] = {
    // Public: the web app, health, the snippet, the browser library's settings.
    {"GET /", Lead::kNone, "YYYYY YYY"},
    {"GET /app", Lead::kNone, "yyyyy yyy"},
    {"GET /app/{file}", Lead::kNone, "yyyyy yyy"},
    {"GET /demo", Lead::kNone, "yyyyy yyy"},
    {"GET /demo/{file}", Lead::kNone, "yyyyy yyy"},
    {"GET /healthz", Lead::kNone, "YYYYY YYY"},
    // The callers here are on this machine: with no [metrics] token or listener, that is
    // who may scrape; from elsewhere /metrics needs the token or an address of its own.
    {"GET /metrics", Lead::kNone, "YYYYY YYY"},
    {"GET /t.js?k={write_key}", Lead::kNone, "YYYYY YYY"},
    {"GET /v1/projects/{write_key}/settings", Lead::kNone, "YYYYY YYY"},
    // Signing in: anyone may try; a session is the signed-in user's.
    {"POST /auth/login", Lead::kNone, "YYYYY YYY",
     R"({"email":"{login_email}","password":"{login_password}"})"},
    {"GET /auth/session", Lead::kNone, "YYYYY UUU"},
    {"POST /auth/logout", Lead::kNone, "YYYYY UUU"},
    // A password link's page: the link's secret is the credential (an unknown one: 404).
    {"POST /auth/password-link", Lead::kNone, "yyyyy yyy", R"({"token":"not-a-link"})"},
    {"POST /auth/password", Lead::kNone, "yyyyy yyy",
     R"({"token":"not-a-link","password":"tulip-meadow-2031"})"},
    // Ingest (POST and the CORS preflight of every ingest path) is added from IngestPaths():
    // the write key only, "UUUUU YUU"; preflights "YYYYY YYY".
    // The person's preference page: the signed link is the credential.
    {"GET /u/{token}", Lead::kOwn, "YYYYY YYY"},
    {"POST /u/{token}", Lead::kOwn, "YYYYY YYY", "List-Unsubscribe=One-Click"},
    {"POST /u/{token}", Lead::kOwn, "NNNNN UUU", "choice=resubscribe", kResubscribeFix,
     Probe::kResubscribeWithApiLink},
    // Tracking links: the signed link is the credential; one nobody signed is a 404 for all.
    {"GET /t/c/em_unsigned/AAAAAAAAAAAAAAAAAAAAAA?u=https%3A%2F%2Fa.example%2F", Lead::kNone,
     "yyyyy yyy"},
    {"HEAD /t/c/em_unsigned/AAAAAAAAAAAAAAAAAAAAAA?u=https%3A%2F%2Fa.example%2F", Lead::kNone,
     "yyyyy yyy"},
    {"GET /t/o/em_unsigned/AAAAAAAAAAAAAAAAAAAAAA.gif", Lead::kNone, "yyyyy yyy"},
    {"HEAD /t/o/em_unsigned/AAAAAAAAAAAAAAAAAAAAAA.gif", Lead::kNone, "yyyyy yyy"},
    // The API's description (OpenAPI 3.1): public, like the documentation it is.
    {"GET /api/v1/openapi.json", Lead::kNone, "YYYYY YYY"},
    // Leads: everyone signed in reads everything.
    {"GET /api/v1/leads", Lead::kNone, "YYYYY UUU"},
    // Every matching lead as a file: as the reports, a rep the rep's own, no viewer.
    {"GET /api/v1/leads?format=csv", Lead::kNone, "YYYYN UUU"},
    {"GET /api/v1/leads?format=csv&owner=none", Lead::kNone, "YYNYN UUU"},
    {"GET /api/v1/leads/{id}", Lead::kEach, "YYYYY UUU"},
    {"GET /api/v1/leads/{id}/timeline", Lead::kEach, "YYYYY UUU"},
    {"GET /api/v1/leads/{id}/score", Lead::kEach, "YYYYY UUU"},
    {"GET /api/v1/leads/{id}/brief", Lead::kEach, "YYYYY UUU"},
    {"GET /api/v1/leads/{id}/preferences", Lead::kEach, "YYYYY UUU"},
    {"GET /api/v1/leads/{id}/consents", Lead::kEach, "YYYYY UUU"},
    {"GET /api/v1/leads/{id}/touches", Lead::kEach, "YYYYY UUU"},
    {"GET /api/v1/leads/{id}/contact-check?channel=email", Lead::kEach, "YYYYY UUU"},
    {"GET /api/v1/leads/{id}/unsubscribe-link", Lead::kEach, "YYYYY UUU"},
    // Working a lead: its owner, managers, admins; marketing on leads nobody owns, and
    // only in marketing stages.
    {"PATCH /api/v1/leads/{id}", Lead::kOwn, "YYYNN UUU", R"({"title":"CTO"})"},
    {"PATCH /api/v1/leads/{id}", Lead::kOther, "YYNNN UUU", R"({"title":"CTO"})"},
    {"PATCH /api/v1/leads/{id}", Lead::kUnowned, "YYNYN UUU", R"({"title":"CTO"})"},
    {"PATCH /api/v1/leads/{id}", Lead::kOwn, "YYYNN UUU", R"({"stage":"mql"})"},
    {"PATCH /api/v1/leads/{id}", Lead::kOther, "YYNNN UUU", R"({"stage":"mql"})"},
    {"PATCH /api/v1/leads/{id}", Lead::kUnowned, "YYNYN UUU", R"({"stage":"mql"})"},
    {"PATCH /api/v1/leads/{id}", Lead::kOwn, "YYYNN UUU", R"({"stage":"sal"})"},
    {"PATCH /api/v1/leads/{id}", Lead::kOther, "YYNNN UUU", R"({"stage":"sal"})"},
    {"PATCH /api/v1/leads/{id}", Lead::kUnowned, "YYNNN UUU", R"({"stage":"sal"})", kRolesFix},
    {"PATCH /api/v1/leads/{id}", Lead::kOwn, "YYYNN UUU",
     R"({"stage":"disqualified","reason":"spam"})"},
    {"PATCH /api/v1/leads/{id}", Lead::kOther, "YYNNN UUU",
     R"({"stage":"disqualified","reason":"spam"})"},
    {"PATCH /api/v1/leads/{id}", Lead::kUnowned, "YYNNN UUU",
     R"({"stage":"disqualified","reason":"spam"})", kRolesFix},
    {"PATCH /api/v1/leads/{id}", Lead::kEach, "YYNNN UUU",
     R"({"owner_id":"{new_rep}","reason":"territory change"})"},
    {"POST /api/v1/leads/{id}/outcome", Lead::kOwn, "YYYNN UUU", R"({"disposition":"accepted"})"},
    {"POST /api/v1/leads/{id}/outcome", Lead::kOther, "YYNNN UUU", R"({"disposition":"accepted"})"},
    {"POST /api/v1/leads/{id}/outcome", Lead::kUnowned, "YYNNN UUU",
     R"({"disposition":"accepted"})", kRolesFix},
    // Contact preferences and consents: the owner, managers, admins and marketing.
    {"PUT /api/v1/leads/{id}/preferences", Lead::kOwn, "YYYYN UUU",
     R"({"preferred_channel":"email"})"},
    {"PUT /api/v1/leads/{id}/preferences", Lead::kOther, "YYNYN UUU",
     R"({"preferred_channel":"email"})"},
    {"PUT /api/v1/leads/{id}/preferences", Lead::kUnowned, "YYNYN UUU",
     R"({"preferred_channel":"email"})"},
    {"PATCH /api/v1/leads/{id}/preferences", Lead::kOwn, "YYYYN UUU",
     R"({"do_not_contact":["sms"]})"},
    {"PATCH /api/v1/leads/{id}/preferences", Lead::kOther, "YYNYN UUU",
     R"({"do_not_contact":["sms"]})"},
    {"POST /api/v1/leads/{id}/consents", Lead::kOwn, "YYYYN UUU", kConsent},
    {"POST /api/v1/leads/{id}/consents", Lead::kOther, "YYNYN UUU", kConsent},
    {"POST /api/v1/leads/{id}/consents", Lead::kUnowned, "YYNYN UUU", kConsent},
    // Touches: through the contact gate, which lets only the owner reach out; an inbound
    // touch (the person wrote) is recorded for anyone but the viewer.
    {"POST /api/v1/leads/{id}/touches", Lead::kOwn, "GGYGN UUU", kOutbound},
    {"POST /api/v1/leads/{id}/touches", Lead::kOther, "GGGGN UUU", kOutbound},
    {"POST /api/v1/leads/{id}/touches", Lead::kUnowned, "GGGGN UUU", kOutbound},
    {"POST /api/v1/leads/{id}/touches", Lead::kEach, "YYYYN UUU", kInbound},
    {"POST /api/v1/leads/{id}/touches/{touch_id}/confirm", Lead::kOwn, "YYNNN UUU", "{}",
     kConfirmFix},
    // Users: everyone reads; changes to oneself; managers change reps; nobody acts on a
    // user of a higher role; only admins change roles.
    {"GET /api/v1/users", Lead::kNone, "YYYYY UUU"},
    {"GET /api/v1/users/{user}", Lead::kNone, "YYYYY UUU"},
    {"GET /api/v1/teams", Lead::kNone, "YYYYY UUU"},
    {"PATCH /api/v1/users/{me}", Lead::kNone, "YYYYY UUU", R"({"timezone":"Europe/Berlin"})"},
    {"PATCH /api/v1/users/{new_rep}", Lead::kNone, "YYNNN UUU", R"({"capacity":7})"},
    {"PATCH /api/v1/users/{new_rep}", Lead::kNone, "YYNNN UUU", R"({"active":false})"},
    {"PATCH /api/v1/users/{new_rep}", Lead::kNone, "YNNNN UUU", R"({"role":"sales_manager"})"},
    {"PATCH /api/v1/users/{new_admin}", Lead::kNone, "YNNNN UUU", R"({"active":false})", kRolesFix},
    {"PATCH /api/v1/users/{new_admin}", Lead::kNone, "YNNNN UUU", R"({"name":"Renamed"})",
     kRolesFix},
    {"POST /api/v1/users/{new_rep}/unlock", Lead::kNone, "YYNNN UUU"},
    // The scoring and routing rules: read and tried by managers and marketing, saved by
    // admins (base_version 0 is stale once the start recorded the file's rules: 409).
    {"GET /api/v1/rules", Lead::kNone, "YYNYN UUU"},
    {"GET /api/v1/rules/versions", Lead::kNone, "YYNYN UUU"},
    {"POST /api/v1/rules/dry-run", Lead::kNone, "YYNYN UUU",
     R"({"toml":"[routing]\naccount_match = true\n"})"},
    {"PUT /api/v1/rules", Lead::kNone, "yNNNN UUU",
     R"({"toml":"[routing]\naccount_match = true\n","base_version":0})"},
    // Accounts: everyone signed in reads them.
    {"GET /api/v1/accounts", Lead::kNone, "YYYYY UUU"},
    {"GET /api/v1/accounts/{account}", Lead::kNone, "yyyyy UUU"},
    // Notifications: everyone their own.
    {"GET /api/v1/notifications", Lead::kNone, "YYYYY UUU"},
    {"POST /api/v1/notifications/read", Lead::kNone, "YYYYY UUU", R"({"all":true})"},
    {"GET /api/v1/notification-settings", Lead::kNone, "YYYYY UUU"},
    {"PUT /api/v1/notification-settings", Lead::kNone, "YYYYY UUU",
     R"({"choices":{"mention":{"email":true}}})"},
    // Webhook endpoints (from tandem.toml): admins see their deliveries and test them.
    {"GET /api/v1/webhooks", Lead::kNone, "YNNNN UUU"},
    {"GET /api/v1/webhooks/deliveries?endpoint=http%3A%2F%2F127.0.0.1%3A9%2Fnone", Lead::kNone,
     "yNNNN UUU"},
    {"POST /api/v1/webhooks/test", Lead::kNone, "yNNNN UUU",
     R"({"url":"http://127.0.0.1:9/none"})"},
    // Sources: their write keys and snippets are marketing's (and admins').
    {"GET /api/v1/sources", Lead::kNone, "YNNYN UUU"},
    {"POST /api/v1/sources", Lead::kNone, "YNNYN UUU", R"({"name":"{new_key}"})"},
    {"POST /api/v1/users", Lead::kNone, "YYNNN UUU",
     R"({"email":"{new_key}@invited.example","name":"Invited","role":"viewer"})"},
    {"POST /api/v1/users", Lead::kNone, "YNNNN UUU",
     R"({"email":"{new_key}@invited.example","name":"Invited","role":"sales_manager"})"},
    {"POST /api/v1/users/{new_rep}/password-link", Lead::kNone, "YYNNN UUU"},
    {"POST /api/v1/users/{new_admin}/password-link", Lead::kNone, "YNNNN UUU"},
    {"POST /api/v1/users/{new_admin}/unlock", Lead::kNone, "YNNNN UUU"},
    // Reports: managers, marketing, admins.
    {"GET /api/v1/reports/leaks", Lead::kNone, "YYNYN UUU"},
    {"GET /api/v1/reports/hygiene", Lead::kNone, "YYNYN UUU"},
    {"GET /api/v1/reports/funnel?from=2026-01-01&to=2026-02-01", Lead::kNone, "YYYYN UUU"},
    {"GET /api/v1/reports/funnel?from=2026-01-01&to=2026-02-01&format=csv&all=true", Lead::kNone,
     "YYYYN UUU"},
    {"GET /api/v1/reports/attribution?from=2026-01-01&to=2026-02-01&format=csv&all=true",
     Lead::kNone, "YYYYN UUU"},
    {"GET /api/v1/reports/speed-to-lead?from=2026-01-01&to=2026-02-01&by=rep", Lead::kNone,
     "YYYYN UUU"},
    {"GET /api/v1/reports/outcomes?from=2026-01-01&to=2026-02-01&by=keyword", Lead::kNone,
     "YYYYN UUU"},
    {"GET /api/v1/reports/attribution?from=2026-01-01&to=2026-02-01&by=source&model=w_shaped",
     Lead::kNone, "YYYYN UUU"},
    // A lead's deals explained: a rep only the rep's own.
    {"GET /api/v1/reports/attribution/leads/{id}", Lead::kOwn, "YYYYN UUU"},
    {"GET /api/v1/reports/attribution/leads/{id}", Lead::kOther, "YYNYN UUU"},
    // The leads behind a figure: a rep's own only (the scope narrows, as the report's).
    {"GET /api/v1/reports/funnel/leads?from=2026-01-01&to=2026-02-01&stage=mql", Lead::kNone,
     "YYYYN UUU"},
    {"GET /api/v1/reports/outcomes/leads?from=2026-01-01&to=2026-02-01&outcome=rejected",
     Lead::kNone, "YYYYN UUU"},
    {"GET /api/v1/reports/speed-to-lead/leads?from=2026-01-01&to=2026-02-01&bucket=never",
     Lead::kNone, "YYYYN UUU"},
    {"GET /api/v1/reports/attribution/leads?from=2026-01-01&to=2026-02-01&stage=customer",
     Lead::kNone, "YYYYN UUU"},
    // The catalogs: everyone reads; marketing and admins change them.
    {"GET /api/v1/campaigns", Lead::kNone, "YYYYY UUU"},
    {"GET /api/v1/campaigns/{campaign}", Lead::kNone, "YYYYY UUU"},
    {"POST /api/v1/campaigns", Lead::kNone, "YNNYN UUU", kCampaignNew},
    {"PUT /api/v1/campaigns/{campaign}", Lead::kNone, "YNNYN UUU", kCampaignPut},
    {"DELETE /api/v1/campaigns/{campaign}", Lead::kNone, "YNNYN UUU"},
    {"GET /api/v1/content", Lead::kNone, "YYYYY UUU"},
    {"GET /api/v1/content/{asset}", Lead::kNone, "YYYYY UUU"},
    {"POST /api/v1/content", Lead::kNone, "YNNYN UUU", kContentNew},
    {"PUT /api/v1/content/{asset}", Lead::kNone, "YNNYN UUU", kContentPut},
    {"DELETE /api/v1/content/{asset}", Lead::kNone, "YNNYN UUU"},
    // The pre-send check changes nothing: everyone signed in may run it.
    {"POST /api/v1/emails/lint", Lead::kNone, "YYYYY UUU",
     R"({"subject":"A question?","html":"<p>Is this for you?</p>"})"},
    // Email templates: everyone reads; marketing and admins write them.
    {"GET /api/v1/email-templates", Lead::kNone, "YYYYY UUU"},
    {"POST /api/v1/email-templates", Lead::kNone, "YNNYN UUU", kTemplateNew},
    {"GET /api/v1/email-templates/{template}", Lead::kNone, "YYYYY UUU"},
    {"PUT /api/v1/email-templates/{template}", Lead::kNone, "YNNYN UUU", kTemplatePut},
    {"GET /api/v1/email-templates/{template}/versions/{version}", Lead::kNone, "YYYYY UUU"},
    {"GET /api/v1/email-merge-fields", Lead::kNone, "YYYYY UUU"},
    // One-to-one email is a touch: the gate lets only the owner reach out; a preview
    // records nothing.
    {"POST /api/v1/leads/{id}/emails/preview", Lead::kEach, "YYYYY UUU", kSalesEmail},
    {"POST /api/v1/leads/{id}/emails", Lead::kOwn, "GGYGN UUU", kSalesEmail},
    {"POST /api/v1/leads/{id}/emails", Lead::kOther, "GGGGN UUU", kSalesEmail},
    {"POST /api/v1/leads/{id}/emails", Lead::kUnowned, "GGGGN UUU", kSalesEmail},
    {"GET /api/v1/leads/{id}/emails", Lead::kEach, "YYYYY UUU"},
    {"GET /api/v1/emails/{email_id}", Lead::kNone, "yyyyy UUU"},
    // Saved lead filters: everyone reads; anyone but a viewer saves one; its author,
    // managers, marketing and admins change it.
    {"GET /api/v1/lead-filters", Lead::kNone, "YYYYY UUU"},
    {"POST /api/v1/lead-filters", Lead::kNone, "YYYYN UUU",
     R"({"name":"{new_key}","query":"stage=mql"})"},
    {"PUT /api/v1/lead-filters/{filter}", Lead::kNone, "YYNYN UUU",
     R"({"name":"{new_key}","query":"stage=mql,sal"})"},
    {"DELETE /api/v1/lead-filters/{filter}", Lead::kNone, "YYNYN UUU"},
    // Broadcasts: everyone reads and counts; marketing and admins draft, test and send.
    // Sequences: everyone reads; nurture is marketing's and admins'; a one-to-one
    // sequence is its rep's and their managers'; enrolments follow who may work the lead.
    {"GET /api/v1/sequences", Lead::kNone, "YYYYY UUU"},
    {"POST /api/v1/sequences", Lead::kNone, "YNNYN UUU", kNurtureNew},
    {"POST /api/v1/sequences", Lead::kNone, "YYYNN UUU", kOneToOneNew},
    {"GET /api/v1/sequences/{sequence}", Lead::kNone, "YYYYY UUU"},
    {"PUT /api/v1/sequences/{sequence}", Lead::kNone, "YNNYN UUU", R"({"name":"{new_key}"})"},
    {"PUT /api/v1/sequences/{rep_sequence}", Lead::kNone, "YYYNN UUU", R"({"name":"{new_key}"})"},
    {"GET /api/v1/sequences/{sequence}/enrolments", Lead::kNone, "YYYYY UUU"},
    {"POST /api/v1/sequences/{sequence}/enrolments", Lead::kUnowned, "YYNYN UUU",
     R"({"lead_id":"{id}"})"},
    {"POST /api/v1/sequences/{sequence}/enrolments", Lead::kOwn, "YYYNN UUU",
     R"({"lead_id":"{id}"})"},
    {"POST /api/v1/sequences/{rep_sequence}/enrolments", Lead::kOwn, "YYYNN UUU",
     R"({"lead_id":"{id}"})"},
    {"GET /api/v1/leads/{id}/enrolments", Lead::kEach, "YYYYY UUU"},
    {"GET /api/v1/enrolments/{enrolment}", Lead::kUnowned, "YYYYY UUU"},
    {"POST /api/v1/enrolments/{enrolment}/pause", Lead::kUnowned, "YYNYN UUU", "{}"},
    {"POST /api/v1/enrolments/{enrolment}/resume", Lead::kUnowned, "yyNyN UUU", "{}"},
    {"POST /api/v1/enrolments/{enrolment}/stop", Lead::kUnowned, "YYNYN UUU", "{}"},
    {"GET /api/v1/sequence-tasks", Lead::kNone, "YYYYY UUU"},
    {"POST /api/v1/sequence-tasks/{task}/done", Lead::kNone, "yyyyy UUU", "{}"},
    {"GET /api/v1/broadcasts", Lead::kNone, "YYYYY UUU"},
    {"POST /api/v1/broadcasts", Lead::kNone, "YNNYN UUU", kBroadcastNew},
    {"GET /api/v1/broadcasts/{broadcast}", Lead::kNone, "YYYYY UUU"},
    {"GET /api/v1/broadcasts/{broadcast}/sends", Lead::kNone, "YYYYY UUU"},
    {"POST /api/v1/broadcasts/{broadcast}/audience", Lead::kNone, "YYYYY UUU", "{}"},
    {"POST /api/v1/broadcasts/{broadcast}/preview", Lead::kUnowned, "YYYYY UUU",
     R"({"lead_id":"{id}"})"},
    {"POST /api/v1/broadcasts/{broadcast}/test", Lead::kUnowned, "YNNYN UUU",
     R"({"lead_id":"{id}"})"},
    {"POST /api/v1/broadcasts/{broadcast}/schedule", Lead::kNone, "YNNYN UUU", "{}"},
    {"POST /api/v1/broadcasts/{broadcast}/pause", Lead::kNone, "yNNyN UUU", "{}"},
    {"POST /api/v1/broadcasts/{broadcast}/resume", Lead::kNone, "yNNyN UUU", "{}"},
    {"POST /api/v1/broadcasts/{broadcast}/cancel", Lead::kNone, "YNNYN UUU", "{}"},
    // Experiments: managers, marketing and admins read; marketing and admins run them.
    {"GET /api/v1/experiments", Lead::kNone, "YYNYN UUU"},
    {"POST /api/v1/experiments", Lead::kNone, "YNNYN UUU", kExperimentNew},
    {"GET /api/v1/experiments/{experiment}", Lead::kNone, "YYNYN UUU"},
    {"PUT /api/v1/experiments/{experiment}", Lead::kNone, "YNNYN UUU", R"({"name":"Renamed"})"},
    {"POST /api/v1/experiments/{experiment}/versions", Lead::kNone, "YNNYN UUU", "{}"},
    {"POST /api/v1/experiments/{experiment}/start", Lead::kNone, "YNNYN UUU", "{}"},
    {"POST /api/v1/experiments/{running_experiment}/stop", Lead::kNone, "YNNYN UUU", "{}"},
    {"GET /api/v1/experiments/{experiment}/results", Lead::kNone, "YYNYN UUU"},
    {"GET /api/v1/experiments-sample-size?baseline=0.05", Lead::kNone, "YYNYN UUU"},
    // The audit trail: admins only.
    {"GET /api/v1/audit", Lead::kNone, "YNNNN UUU"},
    {"GET /api/v1/audit/verify", Lead::kNone, "YNNNN UUU"},
    // A person's whole record, for an access request: admins only.
    {"GET /api/v1/persons/{id}/record", Lead::kEach, "YNNNN UUU"},
    // Leads from outside a web page: by hand (anyone who works leads), a file (marketing,
    // managers, admins).
    {"POST /api/v1/leads", Lead::kNone, "YYYYN UUU",
     R"({"email":"{new_key}@intake.example","address_source":"event","consent_basis":"none"})"},
    {"POST /api/v1/imports", Lead::kNone, "YYNYN UUU", "email\r\n{new_key}@import.example\r\n"},
    // Erasing a person: admins only.
    {"DELETE /api/v1/persons/{id}", Lead::kEach, "YNNNN UUU", R"({"reason":"the person asked"})"},
    // Received email: an inbound mail webhook's token (marketing) or an admin.
    {"POST /api/v1/inbound/mime", Lead::kNone, "YNNYN UUU", kInboundMime},
    // What came back is read like a lead's emails: by anyone signed in.
    {"GET /api/v1/inbound?owner=me&class=reply", Lead::kNone, "YYYYY UUU"},
    {"GET /api/v1/inbound/{inbound}", Lead::kNone, "yyyyy UUU"},
    {"GET /api/v1/inbound/{inbound}/raw", Lead::kNone, "yyyyy UUU"},
    // API tokens: one's own; admins revoke anyone's.
    {"GET /api/v1/tokens", Lead::kNone, "YYYYY UUU", "", kTokensFix},
    {"POST /api/v1/tokens", Lead::kNone, "YYYYY UUU", R"({"name":"ci","expires_in_days":30})",
     kTokensFix},
    {"DELETE /api/v1/tokens/{own_token_id}", Lead::kNone, "YYYYY UUU", "", kTokensFix},
    {"DELETE /api/v1/tokens/{others_token_id}", Lead::kNone, "YHHHH UUU", "", kTokensFix},
};

}  // namespace tandem::matrix
