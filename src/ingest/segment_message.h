// Segment-spec messages: validation and normalization of ingest request bodies.
//
// SegmentParser turns the JSON body of one ingest call into EventRecords ready to
// store, following Segment's HTTP Tracking API: one message for /v1/track and its
// siblings, many for /v1/batch. A batch's top-level context is merged into each
// message, timestamps are corrected for client clock skew, receivedAt and context.ip
// are added, and a message without a messageId gets one.
//
// Pure apart from the parser's scratch memory: no I/O, time comes in the request.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "store/store.h"

namespace tandem {

inline constexpr size_t kMaxMessageBytes = 32 * 1024;
inline constexpr size_t kMaxBatchBytes = 500 * 1024;
inline constexpr size_t kMaxBatchMessages = 2500;
inline constexpr size_t kMaxJsonDepth = 64;

enum class IngestCall { kIdentify, kTrack, kPage, kScreen, kGroup, kAlias, kBatch };

struct IngestPath {
  std::string_view path;
  IngestCall call;
};
// Every ingest path: the long forms, the browser library's short forms, and
// /v1/import (Segment's historical-import endpoint, a batch).
std::span<const IngestPath> IngestPaths();

struct IngestRequest {
  IngestCall call = IngestCall::kTrack;
  std::string_view body;  // decompressed JSON
  TimePoint received_at;
  std::string_view client_ip;
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
