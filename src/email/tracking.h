// Engagement tracking: the links of an email to a lead go through Tandem's signed
// redirect, and an invisible image tells when the email is shown.
//
//   click  {public_url}/t/c/{send id}/{MAC}?u={the link, percent-encoded}
//   open   {public_url}/t/o/{send id}/{MAC}.gif
//
// A click's MAC covers the send and the link, so the redirect only ever leads to a link
// Tandem put in that email: nobody can make it send a visitor anywhere else.
//
// Not every request is a reader. Mail privacy proxies (Apple Mail Privacy Protection
// fetches every image of every message as it arrives), security scanners and link
// checkers open and click too; MachineReason names them, and what they do is kept as
// evidence but never counts as engagement.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace tandem::email {

struct Tracking {
  std::string_view base_url;  // server.public_url, without a trailing '/'
  std::string_view secret;    // the server's link secret
  std::string_view send_uid;  // em_…
  bool clicks = true;
  bool opens = true;
  std::vector<std::string_view> untracked;  // links kept as they are (the unsubscribe link)
};

// `html` with each http(s) link of an <a> or <area> element's href replaced by its
// signed redirect, and the open image before the end of the body. Markup it does not
// follow (a reference other than &amp; &quot; &apos; &lt; &gt; and numeric ones, a
// link with spaces or control characters) is left as written: that link is not tracked.
std::string WithTracking(std::string_view html, const Tracking& tracking);

std::string ClickUrl(const Tracking& tracking, std::string_view link);
std::string OpenUrl(const Tracking& tracking);
bool IsClickMac(std::string_view secret, std::string_view send_uid, std::string_view link,
                std::string_view mac);
bool IsOpenMac(std::string_view secret, std::string_view send_uid, std::string_view mac);

// What is known of the request that opened or clicked.
struct EngagementRequest {
  std::string_view method;  // GET or HEAD
  std::string_view user_agent;
  std::string_view ip;
  TimePoint at;
  std::optional<TimePoint> sent_at;  // when the relay took the email
};

// Why the request is a machine's rather than a reader's; "" when nothing says so.
//   - HEAD, or no User-Agent: link checkers and scripts;
//   - User-Agent exactly "Mozilla/5.0", or an address in 17.0.0.0/8: Apple Mail Privacy
//     Protection, which fetches images through Apple's proxies as the mail arrives;
//   - a User-Agent naming a bot, crawler, spider, Yahoo's mail proxy, a mail security
//     gateway (Barracuda, Mimecast, Proofpoint, Symantec, Forcepoint, Trend Micro) or an
//     HTTP library;
//   - within 10 seconds of the relay taking the email: a receiving server's scanner.
// Gmail's image proxy (GoogleImageProxy) fetches when a reader opens: a reader.
std::string MachineReason(const EngagementRequest& request);

}  // namespace tandem::email
