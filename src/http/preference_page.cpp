// ContactRoutes: the person's own pages — the preference page a manage link opens
// (/u/<token>, RFC 8058 one-click) and the page a re-subscription confirmation opens.
#include <fmt/format.h>
#include <boost/beast/http/field.hpp>

#include <algorithm>

#include "contact/gate.h"
#include "contact/unsubscribe_token.h"
#include "core/text.h"
#include "http/api_common.h"
#include "http/contact_routes.h"
#include "http/query_params.h"

namespace tandem::http {
namespace {

namespace bhttp = boost::beast::http;

// "jane@example.com" → "j***@example.com": enough for the person to recognise it.
std::string MaskEmail(std::string_view email) {
  size_t at = email.find('@');
  if (at == std::string_view::npos || at == 0) return "your address";
  return std::string(email.substr(0, 1)) + "***" + std::string(email.substr(at));
}

Response TryAgain() { return Html(503, Page("Try again", "<p>Please try again in a minute.</p>")); }

std::string Button(std::string_view choice, std::string_view label, bool primary) {
  return fmt::format(
      "<form method=\"post\"><input type=\"hidden\" name=\"choice\" value=\"{}\"><button{}>{}"
      "</button></form>",
      choice, primary ? " class=\"primary\"" : "", label);
}

std::string Header(const HttpRequest& request, bhttp::field field) {
  auto it = request.message.find(field);
  return it == request.message.end() ? "" : std::string(it->value().data(), it->value().size());
}

}  // namespace

std::string Page(std::string_view title, std::string_view content) {
  return fmt::format(
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
      "content=\"width=device-width,initial-scale=1\"><title>{}</title><style>body{{font:16px/1.5 "
      "system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1f2328}}"
      "button{{font:inherit;padding:.5rem 1rem;margin:.25rem 0;width:100%;cursor:pointer}}"
      ".primary{{background:#1f6feb;color:#fff;border:0;border-radius:6px}}"
      ".note{{color:#59636e;font-size:.9rem}}</style></head><body>{}</body></html>",
      HtmlEscape(title), content);
}

Response ContactRoutes::PreferencePage(const HttpRequest& request, bool post) {
  std::string_view token = request.path().substr(std::string_view("/u/").size());
  // Only a confirmation sent to the address carries a second dot (and an expiry).
  if (std::count(token.begin(), token.end(), '.') == 2) {
    return ConfirmPage(request, token, post);
  }
  auto not_found = [] {
    return Html(404, Page("Link not valid",
                          "<h1>This link is not valid</h1><p>The unsubscribe link is incomplete "
                          "or was changed. Please use the link from the most recent email.</p>"));
  };
  auto lead_id = VerifyUnsubscribeToken(secret_, token);
  if (!lead_id) return not_found();
  auto resolved = store_.ResolveLeadId(*lead_id);  // the person may have been merged since
  if (!resolved.ok()) return TryAgain();
  if (!*resolved) return not_found();
  const TimePoint now = clock_.Now();
  std::string done;
  if (post) {
    // RFC 8058: the one-click body is "List-Unsubscribe=One-Click"; the page's own
    // buttons send "choice=…".
    auto form = ParseQuery(request.message.body());
    std::string choice = form.count("choice") ? form["choice"] : "all_email";
    if (choice == "resubscribe") {
      // This link is the one staff can read too: it only asks the person to confirm.
      auto sent = RequestResubscribe(**resolved, now);
      if (!sent.ok()) return TryAgain();
      done = *sent;
    } else {
      OptOut opt_out = OptOut::kAllEmail;
      if (choice == "marketing") {
        opt_out = OptOut::kMarketingEmail;
      } else if (choice == "everything") {
        opt_out = OptOut::kEverything;
      } else if (choice != "all_email") {
        return Html(400, Page("Unknown choice", "<p>That choice is not one this page offers.</p>"));
      }
      const std::string how = form.count("List-Unsubscribe") ? "one_click" : "preference_page";
      auto applied = InLeadTxn(store_, [&](LeadTxn& txn) -> StatusOr<bool> {
        TANDEM_RETURN_IF_ERROR(engine_.ApplyOptOut(txn, **resolved, opt_out, how, now));
        return true;
      });
      if (!applied.ok()) return TryAgain();
      done = choice == "marketing"    ? "You will no longer receive marketing emails."
             : choice == "everything" ? "We will not contact you again, by email or any other way."
                                      : "You are unsubscribed from all our emails.";
    }
  }
  auto lead = store_.GetLead(**resolved);
  auto prefs = store_.GetContactPrefs(**resolved);
  auto consents = store_.ListConsents(**resolved);
  if (!lead.ok() || !prefs.ok() || !consents.ok() || !*lead) return TryAgain();
  const bool unsubscribed = prefs->unsubscribed_at.has_value();
  const bool marketing = ConsentState(*consents, Purpose::kEmailMarketing) == "granted";
  std::string status = unsubscribed ? "You are unsubscribed from all our emails."
                       : marketing  ? "You receive our emails, including marketing emails."
                                    : "You receive only personal emails from our team.";
  std::string content = fmt::format("<h1>Email preferences</h1><p class=\"note\">For {}</p>",
                                    HtmlEscape(MaskEmail((*lead)->email)));
  if (!done.empty()) content += fmt::format("<p role=\"status\"><strong>{}</strong></p>", done);
  content += fmt::format("<p>{}</p>", status);
  if (!unsubscribed) content += Button("all_email", "Unsubscribe from all email", true);
  if (!unsubscribed && marketing)
    content += Button("marketing", "Stop marketing email only", false);
  content += Button("everything", "Do not contact me at all", false);
  if (unsubscribed) {
    content += Button("resubscribe", "Subscribe again", false);
    content +=
        "<p class=\"note\">To subscribe again you confirm from a link we send to your "
        "address.</p>";
  }
  return Html(200, Page("Email preferences", content));
}

StatusOr<std::string> ContactRoutes::RequestResubscribe(int64_t lead_id, TimePoint now) {
  TANDEM_ASSIGN_OR_RETURN(auto lead, store_.GetLead(lead_id));
  TANDEM_ASSIGN_OR_RETURN(ContactPrefs prefs, store_.GetContactPrefs(lead_id));
  TANDEM_ASSIGN_OR_RETURN(auto consents, store_.ListConsents(lead_id));
  if (!lead) return NotFound("not_found", "no such lead");
  if (!lead->email.empty() && !IsOptOutAddress(consents, lead->email)) {
    return std::string(
        "The address we have now is not the one that unsubscribed, so we cannot send a "
        "confirmation to it. Please sign up again on our website.");
  }
  ResubscribeMail mail;
  mail.expires = now + kResubscribeLinkLife;
  const std::string token = MakeResubscribeToken(secret_, lead_id, mail.expires,
                                                 OptOutStateStamp(lead->email, prefs, consents));
  mail.confirm_path = "/u/" + token;
  // Never from the request's Host: whoever sends this request chooses that header, and
  // the link goes to the person's mailbox.
  if (!options_.public_url.empty()) {
    std::string base = options_.public_url;
    while (base.ends_with('/')) base.pop_back();
    mail.confirm_url = base + mail.confirm_path;
  }
  TANDEM_ASSIGN_OR_RETURN(bool sent, InLeadTxn(store_, [&](LeadTxn& txn) {
                            return engine_.RequestResubscribe(txn, lead_id, mail, now);
                          }));
  const std::string masked = HtmlEscape(MaskEmail(lead->email));
  if (lead->email.empty()) {
    return std::string(
        "We have no address to send a confirmation to, so we cannot subscribe "
        "you again from here.");
  }
  if (!sent) {
    return fmt::format(
        "We sent a confirmation link to {} a few minutes ago. Please open it to "
        "subscribe again.",
        masked);
  }
  return fmt::format(
      "We sent a link to {}. Open it to confirm that you want our emails again; "
      "until then nothing changes.",
      masked);
}

Response ContactRoutes::ConfirmPage(const HttpRequest& request, std::string_view token, bool post) {
  auto expired = [] {
    return Html(404, Page("Link not valid",
                          "<h1>This confirmation link does not work</h1><p>It has expired, was "
                          "used already, or your email choice changed since it was sent. Ask "
                          "for a new one from the unsubscribe link in any of our emails.</p>"));
  };
  auto claim = ParseResubscribeToken(token);
  if (!claim) return expired();
  auto lead = store_.GetLead(claim->lead_id);
  auto prefs = store_.GetContactPrefs(claim->lead_id);
  auto consents = store_.ListConsents(claim->lead_id);
  if (!lead.ok() || !prefs.ok() || !consents.ok()) return TryAgain();
  const TimePoint now = clock_.Now();
  if (!*lead || !VerifyResubscribeToken(secret_, token, *claim,
                                        OptOutStateStamp((*lead)->email, *prefs, *consents), now)) {
    return expired();
  }
  std::string content = fmt::format("<h1>Subscribe again</h1><p class=\"note\">For {}</p>",
                                    HtmlEscape(MaskEmail((*lead)->email)));
  if (!post) {
    // Opening the link changes nothing (mail scanners open links too); the button does.
    content += "<p>Do you want to receive our emails again?</p>";
    content += Button("confirm", "Yes, subscribe me again", true);
    return Html(200, Page("Subscribe again", content));
  }
  auto form = ParseQuery(request.message.body());
  if (!form.count("choice") || form["choice"] != "confirm") {
    return Html(400, Page("Unknown choice", "<p>That choice is not one this page offers.</p>"));
  }
  ResubscribeEvidence evidence;
  evidence.sent_to = (*lead)->email;
  evidence.link_expires = claim->expires;
  evidence.ip = request.peer_ip;
  evidence.user_agent = HeaderText(Header(request, bhttp::field::user_agent), 300);
  auto applied = InLeadTxn(store_, [&](LeadTxn& txn) -> StatusOr<bool> {
    TANDEM_RETURN_IF_ERROR(engine_.ConfirmResubscribe(txn, claim->lead_id, evidence, now));
    return true;
  });
  if (!applied.ok()) return TryAgain();
  content +=
      "<p role=\"status\"><strong>You will receive our emails again.</strong></p>"
      "<p>You can unsubscribe at any time from the link in every email.</p>";
  return Html(200, Page("Subscribe again", content));
}

}  // namespace tandem::http
