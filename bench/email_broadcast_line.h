// The email bench's third line: a real broadcast, end to end, inside an Application.
//
// A workspace of N leads, each with an email_marketing consent and a time zone, is
// written straight into a fresh SQLite store in big transactions; a marketing template
// of typical size (a few merge fields, two images and two links on a local HTTP server,
// fetched through the check's cache), a saved
// filter of every lead, and a broadcast are made over the API; the broadcast is
// scheduled and the Application's own producer and sender threads render, check, gate,
// queue and deliver it to the sink. Timed: from the schedule request until the
// broadcast is done. Not thread-safe; one call at a time.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "email/email_config.h"

namespace tandem::bench {

struct BroadcastRun {
  size_t recipients = 0;  // in the broadcast's audience
  size_t sent = 0;        // its sends recorded as sent
  size_t refused = 0;     // refused by the check or the gate (0 expected)
  double seconds = 0;     // from the schedule request to state "done"
  double setup_seconds = 0;
  std::string fetches;  // how often the check fetched the images and a link, all told
  // Resident memory (kB): just before the schedule request, and the highest seen
  // (sampled every 20 ms) while the broadcast ran; all of it (VmRSS), the part not
  // backed by a file (RssAnon: the heap, SQLite's page caches), and the part that is
  // (RssFile: the binary, its libraries, any pages of the database file SQLite maps).
  // hwm_kb: the kernel's high-water mark of VmRSS for the whole process (VmHWM) when
  // the broadcast was done, which no sampling can miss.
  long rss_before_kb = 0, rss_peak_kb = 0;
  long anon_before_kb = 0, anon_peak_kb = 0;
  long file_before_kb = 0, file_peak_kb = 0;
  long hwm_kb = 0;
  // One recipient's message as the preview renders it: subject, HTML and text, so a
  // baseline can send pre-built messages of the same size.
  std::string subject, html, text;
};

// Makes the workspace and the broadcast for `recipients` leads, sending to `relay`
// (config.relay, config.connections, config.starttls are used).
class BroadcastLine {
 public:
  BroadcastLine(const EmailConfig& relay, size_t recipients);
  ~BroadcastLine();
  BroadcastLine(const BroadcastLine&) = delete;
  BroadcastLine& operator=(const BroadcastLine&) = delete;

  // Builds the store and the Application, creates the template, filter and broadcast,
  // and returns the preview (subject, html, text, setup_seconds); throws
  // std::runtime_error on any failure.
  BroadcastRun Prepare();
  // Schedules the broadcast and waits (at most 30 minutes) until it is done.
  BroadcastRun Run();
  // After Run(): eight days later, every lead enrolled in a nurture sequence whose one
  // step (the broadcast's template) is due that morning; waits (at most 30 minutes)
  // until every enrolment is finished and every step's email sent. `sent` counts the
  // sequence's sends recorded as sent, `seconds` from the wake-up until then.
  BroadcastRun RunSequence();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The current resident set (VmRSS) or its high-water mark (VmHWM), in kB.
long ProcStatusKb(const char* field);

}  // namespace tandem::bench
