// The web experiments' exposures an event carries: the browser snippet's
// tandem.variant(key) adds {key, version, variant} to context.experiments of the page
// view (and of every event after it on the page), so exposing costs no request of its own.
// Pure; whatever a client sends is checked here and the rest ignored.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tandem {

struct WebExposure {
  std::string key;
  int version = 0;
  std::string variant;

  bool operator==(const WebExposure&) const = default;
};

// The most exposures one event may carry; more are ignored.
inline constexpr size_t kMaxExposuresPerEvent = 20;

// The well-formed entries of context.experiments in a Segment message's JSON (keys and
// variants of 1-64 characters of [a-z0-9_-], versions from 1), in order, without repeats
// of a key; none when it has none.
std::vector<WebExposure> WebExposuresOf(std::string_view payload);

}  // namespace tandem
