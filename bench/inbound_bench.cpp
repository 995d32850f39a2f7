// inbound_bench: classifying received email on one core.
//
// The corpus is the classifier's test samples (src/email/testdata/inbound/*.eml):
// Postfix, Gmail, Exim, qmail and Exchange bounces, an ARF complaint, Outlook, German
// and French out-of-office replies and replies by people — each read again and again,
// in turn. One pass reads every message from its bytes (GMime) and classifies it
// (bounce status, automatic-reply headers, the return day and any "do not call").
// Printed: messages per second for reading alone (the baseline) and for reading and
// classifying, and the share classifying adds. The target: >= 2,000 messages/s
// classified on one core (Sisimai, the reference bounce parser, reports ~1,200/s).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "email/inbound_classify.h"

namespace tandem {
namespace {

using Steady = std::chrono::steady_clock;

std::vector<std::string> Corpus() {
  std::vector<std::string> messages;
  const std::filesystem::path dir =
      std::filesystem::path(TANDEM_SOURCE_DIR) / "src/email/testdata/inbound";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".eml") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    messages.push_back(bytes.str());
  }
  std::sort(messages.begin(), messages.end());
  return messages;
}

// Messages per second over `rounds` passes of the corpus; `sink` keeps the work.
template <typename Work>
double Rate(const std::vector<std::string>& corpus, int rounds, Work work, size_t& sink) {
  const auto start = Steady::now();
  for (int r = 0; r < rounds; ++r) {
    for (const std::string& message : corpus) sink += work(message);
  }
  const double seconds = std::chrono::duration<double>(Steady::now() - start).count();
  return static_cast<double>(corpus.size()) * rounds / seconds;
}

}  // namespace
}  // namespace tandem

int main() {
  using namespace tandem;
  const std::vector<std::string> corpus = Corpus();
  if (corpus.empty()) {
    fmt::print(stderr, "inbound_bench: no samples found\n");
    return 2;
  }
  size_t bytes = 0;
  for (const std::string& m : corpus) bytes += m.size();
  const TimePoint received(std::chrono::milliseconds(1796212800000));  // 2026-12-02
  size_t sink = 0;
  auto parse = [](const std::string& m) {
    auto parsed = email::ParseMime(m);
    return parsed.ok() ? parsed->headers.size() : 0;
  };
  auto classify = [&](const std::string& m) {
    auto parsed = email::ParseMime(m);
    if (!parsed.ok()) return size_t{0};
    const email::InboundClassification c = email::ClassifyInbound(*parsed, received);
    return static_cast<size_t>(c.kind) + c.references.size() + c.do_not_call.size();
  };
  Rate(corpus, 20, classify, sink);  // warm up
  const int rounds = 600;
  const double read_rate = Rate(corpus, rounds, parse, sink);
  const double classify_rate = Rate(corpus, rounds, classify, sink);
  fmt::print("inbound_bench: {} messages ({} KB) in the corpus, {} passes on one core\n",
             corpus.size(), bytes / 1024, rounds);
  fmt::print("  read (GMime) only:      {:9.0f} messages/s (baseline)\n", read_rate);
  fmt::print(
      "  read and classify:      {:9.0f} messages/s  ({:.2f} x the baseline; "
      "classifying adds {:.0f}%)\n",
      classify_rate, classify_rate / read_rate, 100.0 * (read_rate / classify_rate - 1));
  fmt::print("  target >= 2,000/s: {}  ({:.1f} x the target; Sisimai ~1,200/s)\n",
             classify_rate >= 2000 ? "met" : "NOT met", classify_rate / 2000);
  return sink == 0 ? 1 : 0;
}
