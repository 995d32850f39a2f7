// Fuzz target: the Segment message parser (ingest/segment_message.h) over any body, on
// every ingest call. The first byte picks the call; the rest is the body. Whatever the
// body, the parser answers a status or events, and what it keeps is within the limits
// and is valid JSON again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/time_format.h"
#include "ingest/segment_message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static tandem::SegmentParser parser;
  static const tandem::TimePoint received_at = *tandem::ParseIsoTime("2026-11-22T10:00:00Z");
  constexpr tandem::IngestCall kCalls[] = {
      tandem::IngestCall::kIdentify, tandem::IngestCall::kTrack, tandem::IngestCall::kPage,
      tandem::IngestCall::kScreen,   tandem::IngestCall::kGroup, tandem::IngestCall::kAlias,
      tandem::IngestCall::kBatch};
  tandem::IngestRequest request;
  request.call = kCalls[data[0] % std::size(kCalls)];
  request.body = std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1);
  request.received_at = received_at;
  request.client_ip = "203.0.113.7";
  auto parsed = parser.Parse(request);
  if (!parsed.ok()) return 0;
  if (parsed->events.empty() || parsed->events.size() > tandem::kMaxBatchMessages) std::abort();
  for (const tandem::EventRecord& event : parsed->events) {
    if (event.message_id.empty() || event.user_id.size() > 512) std::abort();
    // What is stored is one JSON object, whatever escapes the client sent.
    if (!nlohmann::json::accept(event.payload)) std::abort();
  }
  return 0;
}
