// EngagementRecorder: the opens and clicks the tracking links (email/tracking.h) hear
// of. Each is verified (a link whose MAC does not match records nothing and leads
// nowhere), kept with the request that made it, and counted on its email; a reader's
// (not a mail privacy proxy's or a scanner's) also goes on the lead's timeline and into
// its score ("Email Link Clicked", "Email Opened": leads/lead.h EmailSignal). The same
// open or click again within a minute (a reload, a double click, a proxy's second
// fetch) is the same one.
//
// Thread-safety: immutable after construction; the store serializes the writes.
#pragma once

#include <string>
#include <string_view>

#include "core/clock.h"
#include "email/email_store.h"
#include "leads/lead_engine.h"

namespace tandem {

// What the HTTP edge knows of the request.
struct EngagementRequestFacts {
  std::string method;      // GET | HEAD
  std::string user_agent;  // as sent; kept to 512 printable ASCII characters
  std::string ip;          // the client's address (behind a trusted proxy, the one it saw)
};

class EngagementRecorder {
 public:
  static constexpr std::chrono::seconds kSameWithin{60};

  // Everything must outlive the recorder; `secret` signs the links (it may be filled in
  // after construction, before the first request).
  EngagementRecorder(EmailStore& store, const LeadEngine& engine, const Clock& clock,
                     const std::string& secret)
      : store_(store), engine_(engine), clock_(clock), secret_(secret) {}

  // A click on `link` in email `send_uid`: NotFound (404) when `mac` is not the link's,
  // else recorded. The caller redirects to `link` even when recording fails (the
  // reader must reach it; the failure is logged).
  Status Click(std::string_view send_uid, std::string_view mac, const std::string& link,
               const EngagementRequestFacts& request) const;
  // An open of email `send_uid`: NotFound when `mac` is not its.
  Status Open(std::string_view send_uid, std::string_view mac,
              const EngagementRequestFacts& request) const;

 private:
  Status Record(std::string_view send_uid, EngagementKind kind, const std::string& link,
                const EngagementRequestFacts& request) const;

  EmailStore& store_;
  const LeadEngine& engine_;
  const Clock& clock_;
  const std::string& secret_;
};

}  // namespace tandem
