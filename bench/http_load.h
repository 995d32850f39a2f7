// The load the benchmarks put on a server: Segment batches with unique message ids,
// sent back to back over keep-alive connections on loopback, and what came back.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace tandem::bench {

// Bodies with unique message ids, built on demand from the workload generator's
// messages (cheap: string appends).
class BodyFactory {
 public:
  // `templates` generated messages are cycled through (their visitors come back each
  // cycle, with new message ids).
  BodyFactory(std::string prefix, size_t per_request, size_t templates = 997);
  // A /v1/batch body of `per_request` messages.
  std::string Batch(uint64_t request);
  // A /v1/track body: one identified pricing view.
  std::string Track(uint64_t request);

 private:
  struct Template {  // a message split around its messageId
    std::string before, after;
  };
  std::string prefix_;
  size_t per_request_;
  std::vector<Template> templates_;
};

struct LoadResult {
  uint64_t requests = 0, events = 0, errors = 0, shed = 0;
  double seconds = 0;
  std::vector<double> latencies_ms;
  double Percentile(double p);
};

// "Basic …" for a source's write key.
std::string BasicAuth(const std::string& write_key);

// `connections` keep-alive connections each send requests back to back while
// `more(n)` (n counts requests from 0) says so. Runs on the calling thread.
LoadResult RunLoad(uint16_t port, const std::string& target, const std::string& authorization,
                   size_t connections, const std::function<bool(uint64_t)>& more,
                   size_t events_per_request, const std::function<std::string(uint64_t)>& body_of);

// `more` for a count of requests, and for a moment to stop at.
std::function<bool(uint64_t)> Requests(uint64_t total);
std::function<bool(uint64_t)> Until(std::chrono::steady_clock::time_point deadline);

}  // namespace tandem::bench
