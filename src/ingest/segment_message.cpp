#include "ingest/segment_message.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "core/json_text.h"
#include "core/random.h"
#include "core/time_format.h"

namespace tandem {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

struct CallInfo {
  IngestCall call;
  std::string_view type;
};

constexpr std::array<CallInfo, 6> kMessageTypes = {{
    {IngestCall::kIdentify, "identify"},
    {IngestCall::kTrack, "track"},
    {IngestCall::kPage, "page"},
    {IngestCall::kScreen, "screen"},
    {IngestCall::kGroup, "group"},
    {IngestCall::kAlias, "alias"},
}};

std::string_view TypeOf(IngestCall call) {
  for (const auto& info : kMessageTypes) {
    if (info.call == call) return info.type;
  }
  return "";
}

std::optional<element> Field(const object& obj, std::string_view key) {
  element value;
  if (obj.at_key(key).get(value) != simdjson::SUCCESS) return std::nullopt;
  return value;
}

// A message's problem: code and human message, without the batch position.
struct Problem {
  std::string code;
  std::string message;
};

bool IsControl(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7f;
}

bool HasNul(std::string_view text) { return std::memchr(text.data(), 0, text.size()) != nullptr; }

// Client text made safe to quote in an error message: controls as \uXXXX, at most
// 40 bytes (cut on a character boundary).
std::string Quotable(std::string_view text) {
  constexpr size_t kMax = 40;
  size_t end = std::min(text.size(), kMax);
  while (end < text.size() && end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
    --end;
  }
  std::string out;
  for (char c : text.substr(0, end)) {
    if (IsControl(c)) {
      out += fmt::format("\\u{:04X}", static_cast<unsigned char>(c));
    } else {
      out.push_back(c);
    }
  }
  if (end < text.size()) out += "...";
  return out;
}

// Where the first NUL (U+0000) in `value` is, keys included: the path below `value`
// (".properties.items[2].name", "" for `value` itself); nullopt when it holds none.
std::optional<std::string> NulPath(element value) {
  std::string_view text;
  if (value.get_string().get(text) == simdjson::SUCCESS) {
    return HasNul(text) ? std::optional<std::string>("") : std::nullopt;
  }
  object obj;
  if (value.get_object().get(obj) == simdjson::SUCCESS) {
    for (auto [key, child] : obj) {
      if (HasNul(key)) return "." + Quotable(key);
      if (auto below = NulPath(child)) return "." + Quotable(key) + *below;
    }
    return std::nullopt;
  }
  simdjson::dom::array items;
  if (value.get_array().get(items) == simdjson::SUCCESS) {
    size_t index = 0;
    for (element child : items) {
      if (auto below = NulPath(child)) return fmt::format("[{}]{}", index, *below);
      ++index;
    }
  }
  return std::nullopt;
}

// A NUL anywhere in a message (or a batch's shared context), as a problem naming where.
std::optional<Problem> CheckNoNul(element value, std::string_view prefix) {
  auto path = NulPath(value);
  if (!path) return std::nullopt;
  std::string where = std::string(prefix) + *path;
  if (!where.empty() && where.front() == '.') where.erase(0, 1);
  return Problem{
      "invalid_text",
      fmt::format("\"{}\" holds a NUL character (U+0000); no field or key may hold one", where)};
}

// Identifiers and names are matched, indexed and shown everywhere: bounded (an index
// entry has a size limit) and with no control characters.
constexpr size_t kMaxIdBytes = 512;

// Identifiers and names are matched and shown everywhere: no control characters.
std::optional<Problem> CheckName(std::string_view key, std::string_view text) {
  auto bad = std::find_if(text.begin(), text.end(), IsControl);
  if (bad == text.end()) return std::nullopt;
  return Problem{"invalid_text",
                 fmt::format("\"{}\" holds the control character U+{:04X}; identifiers and "
                             "names may hold none (free text in properties and traits may)",
                             key, static_cast<unsigned char>(*bad))};
}

// Reads an id field that clients send as a string or a number; "" when absent.
std::optional<Problem> ReadId(const object& msg, std::string_view key, std::string& out) {
  auto value = Field(msg, key);
  if (!value || value->is_null()) return std::nullopt;
  if (value->is_string()) {
    out = std::string(value->get_string().value_unsafe());
    if (auto p = CheckName(key, out)) return p;
  } else if (value->is_number()) {
    out = simdjson::minify(*value);
  } else {
    return Problem{"invalid_field", fmt::format("\"{}\" must be a string or a number", key)};
  }
  if (out.size() > kMaxIdBytes) {
    return Problem{"invalid_field",
                   fmt::format("\"{}\" is longer than {} characters", key, kMaxIdBytes)};
  }
  return std::nullopt;
}

std::optional<Problem> ReadTime(const object& msg, std::string_view key,
                                std::optional<TimePoint>& out) {
  auto value = Field(msg, key);
  if (!value || value->is_null()) return std::nullopt;
  std::string_view text;
  if (value->get_string().get(text) != simdjson::SUCCESS || !(out = ParseIsoTime(text))) {
    return Problem{
        "invalid_timestamp",
        fmt::format("\"{}\" must be an ISO 8601 time such as 2026-11-22T10:00:00.000Z", key)};
  }
  return std::nullopt;
}

// Appends `primary` merged over `fallback` as one JSON object: keys of `primary` win;
// where both hold an object under one key, those are merged the same way.
void AppendMergedObject(std::string& out, const object* primary, const object* fallback,
                        std::string_view client_ip, std::string_view dropped_key = {}) {
  out.push_back('{');
  bool first = true;
  auto key_out = [&](std::string_view key) {
    if (!first) out.push_back(',');
    first = false;
    AppendJsonString(out, key);
    out.push_back(':');
  };
  if (fallback != nullptr) {
    for (auto [key, value] : *fallback) {
      if (!dropped_key.empty() && key == dropped_key) continue;
      if (primary != nullptr && Field(*primary, key)) continue;
      key_out(key);
      out += simdjson::minify(value);
    }
  }
  bool has_ip = false;
  if (primary != nullptr) {
    for (auto [key, value] : *primary) {
      if (!dropped_key.empty() && key == dropped_key) continue;
      key_out(key);
      if (key == "ip") has_ip = true;
      object inner, other;
      if (fallback != nullptr && value.get_object().get(inner) == simdjson::SUCCESS) {
        auto fallback_value = Field(*fallback, key);
        if (fallback_value && fallback_value->get_object().get(other) == simdjson::SUCCESS) {
          AppendMergedObject(out, &inner, &other, {});
          continue;
        }
      }
      out += simdjson::minify(value);
    }
  }
  if (fallback != nullptr && !has_ip && Field(*fallback, "ip")) has_ip = true;
  if (!has_ip && !client_ip.empty()) {
    key_out("ip");
    AppendJsonString(out, client_ip);
  }
  out.push_back('}');
}

// What a batch contributes to each of its messages.
struct BatchDefaults {
  const object* context = nullptr;
  const object* integrations = nullptr;
  std::optional<TimePoint> sent_at;
};

class MessageNormalizer {
 public:
  MessageNormalizer(const IngestRequest& request, const BatchDefaults& defaults)
      : request_(request), defaults_(defaults) {}

  // Validates one message and builds its record; `forced_type` is the endpoint's type
  // for single calls, empty for batch items (which carry their own).
  std::optional<Problem> Normalize(element value, std::string_view forced_type, EventRecord& out) {
    object msg;
    if (value.get_object().get(msg) != simdjson::SUCCESS) {
      return Problem{"invalid_message", "a message must be a JSON object"};
    }
    if (auto p = CheckNoNul(value, "")) return p;
    std::string_view type = forced_type;
    if (type.empty()) {
      auto type_field = Field(msg, "type");
      if (!type_field) return Problem{"missing_type", "message has no \"type\""};
      std::string_view given;
      if (type_field->get_string().get(given) != simdjson::SUCCESS) {
        return Problem{"unknown_type", "\"type\" must be a string"};
      }
      for (const auto& info : kMessageTypes) {
        if (info.type == given) type = info.type;
      }
      if (type.empty()) {
        return Problem{"unknown_type",
                       fmt::format("unknown type \"{}\" (expected identify, track, page, screen, "
                                   "group or alias)",
                                   given.substr(0, 40))};
      }
    }
    out.type = std::string(type);
    if (auto p = ReadId(msg, "userId", out.user_id)) return p;
    if (auto p = ReadId(msg, "anonymousId", out.anonymous_id)) return p;
    if (out.user_id.empty() && out.anonymous_id.empty()) {
      return Problem{"missing_id",
                     fmt::format("{} message has neither \"userId\" nor \"anonymousId\"", type)};
    }
    std::string given_message_id;
    if (auto p = ReadId(msg, "messageId", given_message_id)) return p;
    if (given_message_id.size() > 255) {
      return Problem{"invalid_field", "\"messageId\" is longer than 255 characters"};
    }
    if (auto p = CheckTypeFields(msg, type, out)) return p;
    for (std::string_view key : {"properties", "traits", "context", "integrations"}) {
      auto field = Field(msg, key);
      if (field && !field->is_null() && field->type() != element_type::OBJECT) {
        return Problem{"invalid_field", fmt::format("\"{}\" must be an object", key)};
      }
    }
    std::optional<TimePoint> timestamp, sent_at;
    if (auto p = ReadTime(msg, "timestamp", timestamp)) return p;
    if (!timestamp) {
      if (auto p = ReadTime(msg, "originalTimestamp", timestamp)) return p;
    }
    if (auto p = ReadTime(msg, "sentAt", sent_at)) return p;
    if (!sent_at) sent_at = defaults_.sent_at;

    out.received_at = request_.received_at;
    out.timestamp = EventTime(timestamp, sent_at);
    out.message_id = given_message_id.empty() ? "tdm-" + RandomUuid() : std::move(given_message_id);
    out.payload = BuildPayload(msg, out, timestamp);
    if (out.payload.size() > kMaxMessageBytes + 1024) {
      return Problem{"message_too_large", fmt::format("message is {} bytes; the limit is {} bytes",
                                                      out.payload.size(), kMaxMessageBytes)};
    }
    return std::nullopt;
  }

 private:
  // timestamp = receivedAt − (sentAt − originalTimestamp): the client's clock is
  // trusted for intervals, Tandem's for the absolute time. The interval is used only
  // when an event can have it (sent after it happened, not longer ago than the window
  // reaches back); the result is kept inside the window around receivedAt.
  TimePoint EventTime(std::optional<TimePoint> timestamp, std::optional<TimePoint> sent_at) const {
    const TimePoint received = request_.received_at;
    const EventTimeWindow& window = request_.time_window;
    TimePoint at = timestamp.value_or(received);
    if (timestamp && sent_at) {
      const auto delay = *sent_at - *timestamp;
      if (delay >= -window.max_future && delay <= window.max_past) at = received - delay;
    }
    return std::clamp(at, TimePoint(received - window.max_past),
                      TimePoint(received + window.max_future));
  }

  std::optional<Problem> CheckTypeFields(const object& msg, std::string_view type,
                                         EventRecord& out) {
    auto read_name = [&](std::string_view key) -> std::optional<Problem> {
      auto field = Field(msg, key);
      if (!field || field->is_null()) return std::nullopt;
      std::string_view text;
      if (field->get_string().get(text) != simdjson::SUCCESS) {
        return Problem{"invalid_field", fmt::format("\"{}\" must be a string", key)};
      }
      if (auto p = CheckName(key, text)) return p;
      if (text.size() > kMaxIdBytes) {
        return Problem{"invalid_field",
                       fmt::format("\"{}\" is longer than {} characters", key, kMaxIdBytes)};
      }
      out.event = std::string(text);
      return std::nullopt;
    };
    if (type == "track") {
      if (auto p = read_name("event")) return p;
      if (out.event.empty()) return Problem{"missing_event", "track message has no \"event\" name"};
    } else if (type == "page" || type == "screen") {
      if (auto p = read_name("name")) return p;
    } else if (type == "group") {
      std::string group_id;
      if (auto p = ReadId(msg, "groupId", group_id)) return p;
      if (group_id.empty()) return Problem{"missing_group_id", "group message has no \"groupId\""};
    } else if (type == "alias") {
      std::string previous_id;
      if (auto p = ReadId(msg, "previousId", previous_id)) return p;
      if (previous_id.empty())
        return Problem{"missing_previous_id", "alias message has no \"previousId\""};
      if (out.user_id.empty()) return Problem{"missing_id", "alias message has no \"userId\""};
    }
    return std::nullopt;
  }

  std::string BuildPayload(const object& msg, const EventRecord& rec,
                           const std::optional<TimePoint>& original) {
    std::string out;
    out.reserve(512);
    out += "{\"type\":";
    AppendJsonString(out, rec.type);
    out += ",\"messageId\":";
    AppendJsonString(out, rec.message_id);
    if (!rec.user_id.empty()) {
      out += ",\"userId\":";
      AppendJsonString(out, rec.user_id);
    }
    if (!rec.anonymous_id.empty()) {
      out += ",\"anonymousId\":";
      AppendJsonString(out, rec.anonymous_id);
    }
    const object* context = nullptr;
    const object* integrations = nullptr;
    object context_obj, integrations_obj;
    for (auto [key, value] : msg) {
      if (key == "type" || key == "messageId" || key == "userId" || key == "anonymousId" ||
          key == "writeKey" || key == "timestamp" || key == "originalTimestamp" ||
          key == "receivedAt") {
        continue;
      }
      if (key == "context" && value.get_object().get(context_obj) == simdjson::SUCCESS) {
        context = &context_obj;
        continue;
      }
      if (key == "integrations" && value.get_object().get(integrations_obj) == simdjson::SUCCESS) {
        integrations = &integrations_obj;
        continue;
      }
      out.push_back(',');
      AppendJsonString(out, key);
      out.push_back(':');
      out += simdjson::minify(value);
    }
    out += ",\"context\":";
    // context.tandem carries what Tandem's own paths (an import) vouch for: never a
    // client's word.
    AppendMergedObject(out, context, defaults_.context, request_.client_ip, kTandemContextKey);
    if (integrations != nullptr || defaults_.integrations != nullptr) {
      out += ",\"integrations\":";
      AppendMergedObject(out, integrations, defaults_.integrations, {});
    }
    out += ",\"timestamp\":";
    AppendJsonString(out, FormatIsoTime(rec.timestamp));
    if (original) {
      out += ",\"originalTimestamp\":";
      AppendJsonString(out, FormatIsoTime(*original));
    }
    out += ",\"receivedAt\":";
    AppendJsonString(out, FormatIsoTime(rec.received_at));
    out.push_back('}');
    return out;
  }

  const IngestRequest& request_;
  const BatchDefaults& defaults_;
};

Status JsonError(simdjson::error_code error) {
  switch (error) {
    case simdjson::DEPTH_ERROR:
      return InvalidArgument("too_deep",
                             fmt::format("JSON nests deeper than {} levels", kMaxJsonDepth));
    case simdjson::UTF8_ERROR:
      return InvalidArgument("invalid_utf8", "the body is not valid UTF-8");
    case simdjson::CAPACITY:
      return TooLarge("body_too_large", "the body is too large to parse");
    default:
      return InvalidArgument("invalid_json", fmt::format("the body is not valid JSON ({})",
                                                         simdjson::error_message(error)));
  }
}

std::string WriteKeyOf(const object& root) {
  auto field = Field(root, "writeKey");
  std::string_view key;
  if (field && field->get_string().get(key) == simdjson::SUCCESS) return std::string(key);
  return "";
}

}  // namespace

std::span<const IngestPath> IngestPaths() {
  static constexpr std::array<IngestPath, 15> kPaths = {{
      {"/v1/identify", IngestCall::kIdentify},
      {"/v1/i", IngestCall::kIdentify},
      {"/v1/track", IngestCall::kTrack},
      {"/v1/t", IngestCall::kTrack},
      {"/v1/page", IngestCall::kPage},
      {"/v1/p", IngestCall::kPage},
      {"/v1/screen", IngestCall::kScreen},
      {"/v1/s", IngestCall::kScreen},
      {"/v1/group", IngestCall::kGroup},
      {"/v1/g", IngestCall::kGroup},
      {"/v1/alias", IngestCall::kAlias},
      {"/v1/a", IngestCall::kAlias},
      {"/v1/batch", IngestCall::kBatch},
      {"/v1/b", IngestCall::kBatch},
      {"/v1/import", IngestCall::kBatch},
  }};
  return kPaths;
}

struct SegmentParser::Impl {
  simdjson::dom::parser parser;
};

SegmentParser::SegmentParser() : impl_(std::make_unique<Impl>()) {
  auto error = impl_->parser.allocate(kMaxBatchBytes + 64 * 1024, kMaxJsonDepth);
  if (error != simdjson::SUCCESS) throw std::runtime_error("cannot allocate the JSON parser");
}

SegmentParser::~SegmentParser() = default;

StatusOr<ParsedIngest> SegmentParser::Parse(const IngestRequest& request) {
  const bool batch = request.call == IngestCall::kBatch;
  const size_t limit = batch ? kMaxBatchBytes : kMaxMessageBytes;
  if (request.body.size() > limit) {
    return TooLarge(batch ? "body_too_large" : "message_too_large",
                    fmt::format("{} is {} bytes; the limit is {} bytes",
                                batch ? "the batch" : "the message", request.body.size(), limit));
  }
  element root;
  if (auto error = impl_->parser.parse(request.body.data(), request.body.size()).get(root)) {
    return JsonError(error);
  }
  object root_obj;
  if (root.get_object().get(root_obj) != simdjson::SUCCESS) {
    return InvalidArgument("invalid_message", "the body must be a JSON object");
  }
  ParsedIngest result;
  result.write_key = WriteKeyOf(root_obj);

  if (!batch) {
    BatchDefaults none;
    MessageNormalizer normalizer(request, none);
    EventRecord record;
    if (auto problem = normalizer.Normalize(root, TypeOf(request.call), record)) {
      return InvalidArgument(problem->code, problem->message);
    }
    result.events.push_back(std::move(record));
    return result;
  }

  auto batch_field = Field(root_obj, "batch");
  simdjson::dom::array items;
  if (!batch_field || batch_field->get_array().get(items) != simdjson::SUCCESS) {
    return InvalidArgument("invalid_batch", "\"batch\" must be an array of messages");
  }
  size_t count = items.size();
  if (count == 0) return InvalidArgument("empty_batch", "\"batch\" holds no messages");
  if (count > kMaxBatchMessages) {
    return TooLarge("batch_too_large", fmt::format("the batch holds {} messages; the limit is {}",
                                                   count, kMaxBatchMessages));
  }
  BatchDefaults defaults;
  object context, integrations;
  if (auto f = Field(root_obj, "context"); f && f->get_object().get(context) == simdjson::SUCCESS) {
    defaults.context = &context;
  }
  if (auto f = Field(root_obj, "integrations");
      f && f->get_object().get(integrations) == simdjson::SUCCESS) {
    defaults.integrations = &integrations;
  }
  if (auto problem = ReadTime(root_obj, "sentAt", defaults.sent_at)) {
    return InvalidArgument(problem->code, "batch: " + problem->message);
  }
  for (std::string_view key : {"context", "integrations"}) {
    auto shared = Field(root_obj, key);
    if (!shared) continue;
    if (auto problem = CheckNoNul(*shared, key)) {
      return InvalidArgument(problem->code, "batch: " + problem->message);
    }
  }
  MessageNormalizer normalizer(request, defaults);
  result.events.reserve(count);
  size_t index = 0;
  for (element item : items) {
    EventRecord record;
    if (auto problem = normalizer.Normalize(item, {}, record)) {
      result.rejected.push_back({index, problem->code, problem->message});
    } else {
      result.events.push_back(std::move(record));
    }
    ++index;
  }
  if (result.events.empty()) {
    const auto& first = result.rejected.front();
    return InvalidArgument(
        "invalid_batch",
        fmt::format("no message in the batch is valid; batch[{}]: {}", first.index, first.message));
  }
  return result;
}

}  // namespace tandem
