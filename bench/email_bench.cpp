// email_bench: delivering a broadcast's messages to a local SMTP sink.
//
// The sink is tests/support/smtp_sink.py (aiosmtpd) on a loopback port, counting what
// it accepts. N messages (100,000; 5,000 with TANDEM_BENCH_QUICK=1) go to N
// recipients, each one of 1,000 pre-built MIME messages (~7 KB, built once, so
// building is not measured). Printed, in one run:
//   1. the baseline: a bare libcurl loop, one reused easy handle per connection, as
//      many connections as the pool has;
//   2. the same messages through SmtpPool (CurlSmtpTransport: outcome classification,
//      pacing, the accepted-rate count);
//   3. the ratio of each line to the baseline.
// The lines take turns over five slices of the recipients, so a machine busy with
// other work slows each of them alike.
// Then the full broadcast (email_broadcast_line.h: N leads with consent, render, check,
// gate, outbox, deliver, by a real Application's own threads), against the same bare
// libcurl loop sending N pre-built messages of the broadcast's size (built from its
// preview) over as many connections, half just before the broadcast and half just
// after; printed: both rates, their ratio, and the resident memory the broadcast added.
// Then, a week later, the same N leads each enrolled in a nurture sequence whose one
// step (the broadcast's template) is due: the scheduler's rate against the broadcast's.
// TANDEM_BENCH_ONLY=broadcast runs these last parts alone.
#include <curl/curl.h>
#include <fmt/format.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "email/email_config.h"
#include "email/mime.h"
#include "email/smtp_transport.h"
#include "email_broadcast_line.h"
#include "testing/smtp_sink.h"

namespace tandem::bench {

// What one line of the benchmark did.
struct Delivery {
  size_t messages = 0;  // accepted by the sink
  double seconds = 0;
  Delivery& operator+=(const Delivery& other) {
    messages += other.messages;
    seconds += other.seconds;
    return *this;
  }
  double PerSecond() const { return seconds > 0 ? static_cast<double>(messages) / seconds : 0; }
};

// The pre-built messages for recipients [begin, end), recipient i sent
// messages[i % size].
// Copies share the messages (a slice of recipients is a copy with its own bounds).
struct Broadcast {
  std::shared_ptr<const std::vector<std::string>> messages;
  size_t begin = 0, end = 0;
  std::string Recipient(size_t i) const { return fmt::format("reader{}@bench.example", i); }
  const std::string& Message(size_t i) const { return (*messages)[i % messages->size()]; }
};

// Starts the sink the bench delivers to (counting only, nothing kept on disk).
std::unique_ptr<testing::SmtpSink> StartSink();
// The [email] settings that point at `sink`, with `connections` connections.
EmailConfig RelayConfig(const testing::SmtpSink& sink, int connections);
// Builds `distinct` messages for a broadcast to recipients [0, recipients).
Broadcast BuildBroadcast(size_t recipients, size_t distinct);
// The baseline: every recipient's message by a bare libcurl loop on
// config.connections threads, one reused easy handle each.
Delivery RunBaseline(const EmailConfig& config, const Broadcast& broadcast);
// `distinct` messages like the broadcast's preview (its subject and bodies, each
// recipient's Message-ID and headers), for a broadcast to recipients [0, recipients).
Broadcast BroadcastLike(const BroadcastRun& preview, size_t recipients, size_t distinct);
// The same through SmtpPool, from config.connections threads.
Delivery RunPool(const EmailConfig& config, const Broadcast& broadcast);

namespace {

using Steady = std::chrono::steady_clock;
constexpr const char* kEnvelopeFrom = "bounces@acme.example";

double SecondsSince(Steady::time_point start) {
  return std::chrono::duration<double>(Steady::now() - start).count();
}

std::string TypicalHtml(size_t i) {
  std::string html = "<html><body><table width=\"600\"><tr><td>";
  html += fmt::format(
      "<img src=\"https://cdn.acme.example/logo.png\" width=\"200\" height=\"50\" "
      "alt=\"Acme\"><h1>Hello reader {}, your guide is ready</h1>",
      i);
  for (int p = 0; p < 40; ++p) {
    html +=
        "<p>Search marketing rewards the teams who measure what a click becomes: a lead, "
        "a meeting, an opportunity. Your guide shows how, step by step.</p>\n";
  }
  html +=
      "<p><a href=\"https://acme.example/u/one-click-token\">Unsubscribe</a> - Acme Inc., "
      "1 Main Street, Springfield</p></td></tr></table></body></html>\n";
  return html;
}

// Runs `make_sender(thread)(i)` for every recipient index i of `broadcast` on `threads`
// threads; how many succeeded.
template <typename MakeSender>
size_t ForEveryRecipient(const Broadcast& broadcast, int threads, MakeSender make_sender) {
  std::atomic<size_t> next{broadcast.begin}, sent{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      auto worker = make_sender(t);
      for (size_t i = next++; i < broadcast.end; i = next++) {
        if (worker(i)) ++sent;
      }
    });
  }
  for (auto& worker : workers) worker.join();
  return sent.load();
}

// One bare libcurl SMTP sender: an easy handle kept for the whole run.
class BareCurlSender {
 public:
  BareCurlSender(const EmailConfig& config, const Broadcast& broadcast)
      : broadcast_(broadcast), curl_(curl_easy_init()) {
    curl_easy_setopt(curl_, CURLOPT_URL, config.relay.c_str());
    curl_easy_setopt(curl_, CURLOPT_MAIL_FROM, "<bounces@acme.example>");
    curl_easy_setopt(curl_, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_READFUNCTION, &BareCurlSender::Read);
    curl_easy_setopt(curl_, CURLOPT_READDATA, this);
  }
  ~BareCurlSender() { curl_easy_cleanup(curl_); }
  BareCurlSender(const BareCurlSender&) = delete;
  BareCurlSender& operator=(const BareCurlSender&) = delete;

  bool operator()(size_t i) {
    std::string to = "<" + broadcast_.Recipient(i) + ">";
    curl_slist* rcpt = curl_slist_append(nullptr, to.c_str());
    left_ = broadcast_.Message(i);
    curl_easy_setopt(curl_, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl_, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(left_.size()));
    CURLcode rc = curl_easy_perform(curl_);
    curl_slist_free_all(rcpt);
    return rc == CURLE_OK;
  }

 private:
  static size_t Read(char* buffer, size_t size, size_t count, void* self) {
    auto* sender = static_cast<BareCurlSender*>(self);
    size_t n = std::min(size * count, sender->left_.size());
    std::memcpy(buffer, sender->left_.data(), n);
    sender->left_.remove_prefix(n);
    return n;
  }

  const Broadcast& broadcast_;
  CURL* curl_;
  std::string_view left_;
};

void PrintLine(std::string_view name, const Delivery& delivery, const Delivery& baseline) {
  fmt::print("  {:<44} {:>7} msgs in {:6.1f} s = {:8.0f} msgs/s   {:.2f} x baseline\n", name,
             delivery.messages, delivery.seconds, delivery.PerSecond(),
             baseline.PerSecond() > 0 ? delivery.PerSecond() / baseline.PerSecond() : 0);
}

}  // namespace

std::unique_ptr<testing::SmtpSink> StartSink() {
  auto sink = std::make_unique<testing::SmtpSink>();
  sink->Start({.store = false});
  return sink;
}

EmailConfig RelayConfig(const testing::SmtpSink& sink, int connections) {
  EmailConfig config;
  config.relay = sink.Url();
  config.connections = connections;
  config.starttls = "off";
  return config;
}

Broadcast BuildBroadcast(size_t recipients, size_t distinct) {
  BroadcastRun typical;
  typical.subject = "Your guide to search marketing is ready";
  typical.text = "Hello, your guide is ready: https://acme.example/guide\n";
  return BroadcastLike(typical, recipients, distinct);
}

Broadcast BroadcastLike(const BroadcastRun& preview, size_t recipients, size_t distinct) {
  Broadcast broadcast;
  broadcast.end = recipients;
  auto messages = std::make_shared<std::vector<std::string>>();
  for (size_t i = 0; i < distinct; ++i) {
    email::OutgoingEmail email;
    email.from = {"Acme Marketing", "news@acme.example"};
    email.to = {fmt::format("Reader {}", i), broadcast.Recipient(i)};
    email.subject = preview.subject;
    email.html = preview.html.empty() ? TypicalHtml(i) : preview.html;
    email.text = preview.text;
    email.message_id = email::NewMessageId("acme.example");
    email.date = SystemClock().Now();
    email.list_unsubscribe_url = "https://acme.example/u/one-click-token";
    email.headers = {{"Feedback-ID", "bench:broadcast:acme"}};
    auto bytes = email::BuildMime(email);
    if (!bytes.ok()) throw std::runtime_error(bytes.status().ToString());
    messages->push_back(std::move(*bytes));
  }
  broadcast.messages = std::move(messages);
  return broadcast;
}

Delivery RunBaseline(const EmailConfig& config, const Broadcast& broadcast) {
  auto start = Steady::now();
  size_t sent = ForEveryRecipient(broadcast, static_cast<int>(config.connections),
                                  [&](int) { return BareCurlSender(config, broadcast); });
  return {sent, SecondsSince(start)};
}

Delivery RunPool(const EmailConfig& config, const Broadcast& broadcast) {
  SystemClock clock;
  email::SmtpPool pool(
      config, [&] { return email::NewCurlSmtpTransport(config); }, clock);
  auto start = Steady::now();
  size_t sent = ForEveryRecipient(broadcast, static_cast<int>(config.connections), [&](int) {
    return [&](size_t i) {
      return pool.Send(kEnvelopeFrom, broadcast.Recipient(i), broadcast.Message(i)).kind ==
             email::SmtpOutcome::Kind::kSent;
    };
  });
  Delivery delivery{sent, SecondsSince(start)};
  fmt::print("  SmtpPool over recipients [{}, {}): effective rate at the end {:.0f} msgs/s\n",
             broadcast.begin, broadcast.end, pool.EffectiveRate());
  return delivery;
}

// The CPU time this process has used so far (user and system, all threads), in seconds.
double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// The full broadcast to `recipients` leads, between two halves of the baseline sending
// as many messages of its size; whether every message arrived.
bool CompareBroadcast(const EmailConfig& config, size_t recipients, testing::SmtpSink& sink) {
  BroadcastLine line(config, recipients);
  BroadcastRun preview = line.Prepare();
  Broadcast same = BroadcastLike(preview, recipients, 1000);
  fmt::print("broadcast: {} leads with consent written and the broadcast made in {:.1f} s\n",
             recipients, preview.setup_seconds);
  fmt::print("  its messages are {} bytes, with two images and two links on a local server\n",
             same.Message(0).size());
  Broadcast first_half = same, second_half = same;
  first_half.end = second_half.begin = recipients / 2;
  const size_t before = sink.ReceivedCount();
  double cpu = ProcessCpuSeconds();
  Delivery baseline = RunBaseline(config, first_half);
  double baseline_cpu = ProcessCpuSeconds() - cpu;
  const size_t before_broadcast = sink.ReceivedCount();
  cpu = ProcessCpuSeconds();
  BroadcastRun run = line.Run();
  const double broadcast_cpu = ProcessCpuSeconds() - cpu;
  const size_t delivered = sink.ReceivedCount() - before_broadcast;
  cpu = ProcessCpuSeconds();
  baseline += RunBaseline(config, second_half);
  baseline_cpu += ProcessCpuSeconds() - cpu;
  PrintLine("bare libcurl loop, the broadcast's size", baseline, baseline);
  PrintLine("broadcast: render, check, gate, outbox, send", {run.sent, run.seconds}, baseline);
  fmt::print("  {} recipients: {} sent, {} refused; the sink accepted {} of the broadcast's\n",
             run.recipients, run.sent, run.refused, delivered);
  fmt::print("  fetched during the check, all told: {}\n", run.fetches);
  // The sink runs in its own process: this is the sending side's CPU alone.
  fmt::print(
      "  this process's CPU per message: {:.2f} ms in the bare loop, {:.2f} ms in the "
      "broadcast\n",
      1e3 * baseline_cpu / static_cast<double>(recipients),
      1e3 * broadcast_cpu / static_cast<double>(recipients));
  fmt::print("  resident memory: {} MB before the schedule, {} MB at most during it (+{} MB)\n",
             run.rss_before_kb / 1024, run.rss_peak_kb / 1024,
             (run.rss_peak_kb - run.rss_before_kb) / 1024);
  fmt::print("  of which not file-backed (RssAnon): {} MB before, {} MB at most (+{} MB)\n",
             run.anon_before_kb / 1024, run.anon_peak_kb / 1024,
             (run.anon_peak_kb - run.anon_before_kb) / 1024);
  fmt::print(
      "  file-backed (RssFile: binary, libraries, mapped database pages): {} MB before, "
      "{} MB at most\n",
      run.file_before_kb / 1024, run.file_peak_kb / 1024);
  fmt::print("  process peak resident memory (VmHWM) when the broadcast was done: {} MB\n",
             run.hwm_kb / 1024);
  // The same leads a week later, each enrolled in a nurture sequence whose step (the
  // same template) is due: the scheduler finds and runs the day's steps.
  const size_t before_sequence = sink.ReceivedCount();
  BroadcastRun steps = line.RunSequence();
  const size_t stepped = sink.ReceivedCount() - before_sequence;
  const double broadcast_rate = static_cast<double>(run.sent) / run.seconds;
  const double step_rate = static_cast<double>(steps.sent) / steps.seconds;
  fmt::print(
      "  sequence: {} due steps found, rendered, checked, gated, sent  {:>7} msgs in {:>6.1f} s "
      "= {:>8.0f} msgs/s   {:.2f} x the broadcast\n",
      steps.recipients, steps.sent, steps.seconds, step_rate, step_rate / broadcast_rate);
  fmt::print(
      "  {} enrolments finished: {} sent, {} refused; the sink accepted {}; resident memory at "
      "most {} MB\n",
      steps.recipients, steps.sent, steps.refused, stepped, steps.rss_peak_kb / 1024);
  return run.sent == recipients && delivered == recipients &&
         sink.ReceivedCount() - before == 2 * recipients + stepped && steps.sent == recipients &&
         stepped == recipients;
}

}  // namespace tandem::bench

int main() {
  using namespace tandem::bench;
  const bool quick = std::getenv("TANDEM_BENCH_QUICK") != nullptr;
  // TANDEM_BENCH_RECIPIENTS=N: another size, to see how a cost grows with it.
  const char* size = std::getenv("TANDEM_BENCH_RECIPIENTS");
  const size_t recipients = size != nullptr ? std::strtoull(size, nullptr, 10)
                            : quick         ? 5000
                                            : 100000;
  const int connections = 4, slices = 5;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  auto sink = StartSink();
  tandem::EmailConfig config = RelayConfig(*sink, connections);
  Broadcast broadcast = BuildBroadcast(recipients, 1000);
  fmt::print("email_bench: {} recipients, messages of {} bytes, {} connections to {}\n", recipients,
             broadcast.Message(0).size(), connections, config.relay);
  // TANDEM_BENCH_ONLY=broadcast: only the whole broadcast against its own baseline.
  const char* only = std::getenv("TANDEM_BENCH_ONLY");
  if (only != nullptr && std::string_view(only) == "broadcast") {
    const bool delivered = CompareBroadcast(config, recipients, *sink);
    fmt::print("  process peak resident memory (VmHWM): {} MB\n", ProcStatusKb("VmHWM") / 1024);
    return delivered ? 0 : 1;
  }
  Delivery baseline, pool;
  for (int slice = 0; slice < slices; ++slice) {
    Broadcast part = broadcast;
    part.begin = recipients * slice / slices;
    part.end = recipients * (slice + 1) / slices;
    if (slice % 2 == 0) {
      baseline += RunBaseline(config, part);
      pool += RunPool(config, part);
    } else {
      pool += RunPool(config, part);
      baseline += RunBaseline(config, part);
    }
  }
  PrintLine("bare libcurl loop (baseline)", baseline, baseline);
  PrintLine("SmtpPool (CurlSmtpTransport)", pool, baseline);
  size_t received = sink->ReceivedCount();
  fmt::print("  the sink accepted {} messages (expected {})\n", received, 2 * recipients);
  bool complete =
      baseline.messages == recipients && pool.messages == recipients && received == 2 * recipients;
  if (!CompareBroadcast(config, recipients, *sink)) complete = false;
  fmt::print("  process peak resident memory (VmHWM): {} MB\n", ProcStatusKb("VmHWM") / 1024);
  return complete ? 0 : 1;
}
