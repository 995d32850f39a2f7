// Segment-spec messages: validation and normalization of ingest request bodies.
//
// SegmentParser turns the JSON body of one ingest call into EventRecords ready to
// store, following Segment's HTTP Tracking API: one message for /v1/track and its
// siblings, many for /v1/batch. A batch's top-level context is merged into each
// message, timestamps are corrected for client clock skew and kept within a window
// around receivedAt, receivedAt and context.ip are added, and a message without a
// messageId gets one.
//
// Text rule (the same for every store): a NUL character (U+0000, raw or escaped) is
// refused anywhere in a message, keys included; identifiers and names (type, userId,
// anonymousId, messageId, groupId, previousId, event, name) refuse every C0 control
// (U+0001-U+001F) and DEL too. Free text (properties, traits, context values) may hold
// any other character, tab and line breaks included. Such a message is refused with
// the code "invalid_text" and the field's path.
//
// Pure apart from the parser's scratch memory: no I/O, time comes in the request.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "ingest/event.h"

namespace tandem {

inline constexpr size_t kMaxMessageBytes = 32 * 1024;
inline constexpr size_t kMaxBatchBytes = 500 * 1024;
inline constexpr size_t kMaxBatchMessages = 2500;
inline constexpr size_t kMaxJsonDepth = 64;

// context.tandem is reserved for what Tandem's own paths write into an event (an
// import's provenance, see imports/): it is dropped from every message a client sends,
// so a public write key can never vouch for consent or an address's source.
inline constexpr std::string_view kTandemContextKey = "tandem";

enum class IngestCall { kIdentify, kTrack, kPage, kScreen, kGroup, kAlias, kBatch };

struct IngestPath {
  std::string_view path;
  IngestCall call;
};
// Every ingest path: the long forms, the browser library's short forms, and
// /v1/import (Segment's historical-import endpoint, a batch).
std::span<const IngestPath> IngestPaths();

// How far an event's time may lie from the moment Tandem received it. A time outside
// (after the sentAt skew correction) is moved to the nearest bound; the client's own
// value stays in the stored payload as "originalTimestamp". Scores and SLAs never see
// a time from the future beyond `max_future` or older than `max_past`.
struct EventTimeWindow {
  std::chrono::seconds max_future{std::chrono::minutes(5)};
  std::chrono::seconds max_past{std::chrono::days(5 * 365)};
};

struct IngestRequest {
  IngestCall call = IngestCall::kTrack;
  std::string_view body;  // decompressed JSON
  TimePoint received_at;
  std::string_view client_ip;
  EventTimeWindow time_window;
};

// A message of a batch that was not stored, and why.
struct RejectedMessage {
  size_t index = 0;
  std::string code;
  std::string message;
};

struct ParsedIngest {
  std::string write_key;            // from the body's "writeKey", if it had one
  std::vector<EventRecord> events;  // source_id is left 0 for the caller to set
  std::vector<RejectedMessage> rejected;
};

// Not thread-safe: use one per thread; it keeps its scratch memory between calls.
class SegmentParser {
 public:
  SegmentParser();
  ~SegmentParser();
  SegmentParser(const SegmentParser&) = delete;
  SegmentParser& operator=(const SegmentParser&) = delete;

  // Fails (400/413) when the body as a whole is unusable: malformed JSON, not an
  // object, too deep, a single message that is invalid or over 32 KB, a batch that is
  // not an array, empty, over 2,500 messages, or has no valid message. Otherwise the
  // valid messages are returned and the invalid ones of a batch listed in `rejected`.
  StatusOr<ParsedIngest> Parse(const IngestRequest& request);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tandem
