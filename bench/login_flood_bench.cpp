// Login flood benchmark: does a flood of wrong passwords slow everyone else down?
//
//   unloaded  /v1/track, one event a request, 2 keep-alive connections each sending a
//             request every 2 ms: p50/p99 latency
//   flood     the same /v1/track load while 16 clients send wrong passwords to
//             /auth/login back to back for 8 s: the same figures, and p99 flood / unloaded
//             (target <= 2)
//
// Two configurations, each its own `tandem serve` (the real binary, a child process):
//   default   tandem.toml defaults: the sign-in throttle answers most attempts 429
//             before any hashing
//   spread    the throttle's figures raised and every attempt on another address (a
//             flood from many machines at many accounts): every attempt that gets in
//             is hashed, so the password workers and their bounded queue are what holds
#include <fmt/format.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support/http_client.h"

namespace net = boost::asio;
using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;
using tandem::testing::HttpClient;

namespace {

std::string Run(const std::string& cmd) {
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) throw std::runtime_error("cannot run " + cmd);
  std::string out;
  char buf[256];
  while (fgets(buf, sizeof buf, p) != nullptr) out += buf;
  if (pclose(p) != 0) throw std::runtime_error("failed: " + cmd + "\n" + out);
  return out;
}

std::string LastLine(std::string text) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text.substr(text.rfind('\n') + 1);
}

struct Server {
  pid_t pid = 0;
  uint16_t port = 0;
  std::string write_key;
};

// A fresh store with a source and a user with a password, served with `toml`.
Server StartServer(const std::string& tandem, const std::filesystem::path& dir,
                   const std::string& name, const std::string& toml) {
  const std::string db = "sqlite:" + (dir / (name + ".db")).string();
  const std::string config = (dir / (name + ".toml")).string();
  std::ofstream(config) << toml;
  const std::string base = fmt::format("{} --config '{}' --db '{}'", tandem, config, db);
  Server s;
  s.write_key = LastLine(Run(base + " source add bench 2>/dev/null"));
  Run(base + " user add anna@bench.example --name Anna --role sales_rep >/dev/null 2>&1");
  Run("echo 'a-long-enough-password' | " + base +
      " user passwd anna@bench.example >/dev/null 2>&1");
  net::io_context ioc;
  tcp::acceptor probe(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  s.port = probe.local_endpoint().port();
  probe.close();
  const std::string cmd = fmt::format("exec {} --log-level warn serve --listen 127.0.0.1:{} 2>'{}'",
                                      base, s.port, (dir / (name + ".log")).string());
  const char* argv[] = {"/bin/sh", "-c", cmd.c_str(), nullptr};
  if (posix_spawn(&s.pid, "/bin/sh", nullptr, nullptr, const_cast<char* const*>(argv), environ) !=
      0) {
    throw std::runtime_error("cannot start tandem");
  }
  for (int i = 0; i < 200; ++i) {
    try {
      tcp::socket socket(ioc);
      socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), s.port));
      return s;
    } catch (...) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  throw std::runtime_error("tandem did not start");
}

void StopServer(const Server& s) {
  kill(s.pid, SIGTERM);
  int status = 0;
  waitpid(s.pid, &status, 0);
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

// /v1/track latencies (ms) for `duration`: `connections` threads, one request every 2 ms each.
std::vector<double> ProbeTrack(const Server& s, std::chrono::seconds duration, int connections) {
  std::mutex mu;
  std::vector<double> latencies;
  std::vector<std::thread> threads;
  const auto until = SteadyClock::now() + duration;
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&, c] {
      HttpClient client(s.port);
      const std::string auth = tandem::testing::BasicAuth(s.write_key);
      std::vector<double> mine;
      for (uint64_t i = 0; SteadyClock::now() < until; ++i) {
        const std::string body = fmt::format(
            R"({{"userId":"probe-{}","event":"Pricing Viewed","messageId":"p{}-{}-{}"}})", i % 500,
            c, i, s.port);
        const auto sent = SteadyClock::now();
        auto r = client.Post("/v1/track", body, {{"Authorization", auth}});
        mine.push_back(
            std::chrono::duration<double, std::milli>(SteadyClock::now() - sent).count());
        if (r.status != 200) std::cerr << "track answered " << r.status << "\n";
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
      std::lock_guard lock(mu);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : threads) t.join();
  return latencies;
}

struct Flood {
  std::atomic<bool> stop{false};
  std::map<unsigned, uint64_t> statuses;  // answers by status
  std::mutex mu;
  std::vector<std::thread> threads;
};

// 16 clients sending wrong passwords back to back; `spread`: each attempt on another address.
void StartFlood(Flood& flood, const Server& s, bool spread) {
  for (int c = 0; c < 16; ++c) {
    flood.threads.emplace_back([&flood, &s, spread, c] {
      HttpClient client(s.port);
      std::map<unsigned, uint64_t> mine;
      for (uint64_t i = 0; !flood.stop.load(); ++i) {
        const std::string email =
            spread ? fmt::format("user{}-{}@bench.example", c, i) : "anna@bench.example";
        const std::string body =
            fmt::format(R"({{"email":"{}","password":"wrong-guess-{}"}})", email, i);
        ++mine[client.Post("/auth/login", body, {{"Content-Type", "application/json"}}).status];
      }
      std::lock_guard lock(flood.mu);
      for (auto [status, n] : mine) flood.statuses[status] += n;
    });
  }
}

void Measure(const std::string& tandem, const std::filesystem::path& dir, const std::string& name,
             const std::string& toml, bool spread) {
  Server s = StartServer(tandem, dir, name, toml);
  ProbeTrack(s, std::chrono::seconds(2), 2);  // warm up
  const std::vector<double> unloaded = ProbeTrack(s, std::chrono::seconds(5), 2);
  Flood flood;
  StartFlood(flood, s, spread);
  const std::vector<double> loaded = ProbeTrack(s, std::chrono::seconds(8), 2);
  flood.stop = true;
  for (auto& t : flood.threads) t.join();
  const std::vector<double> after = ProbeTrack(s, std::chrono::seconds(1), 1);
  StopServer(s);
  const double p99_unloaded = Percentile(unloaded, 0.99);
  const double p99_loaded = Percentile(loaded, 0.99);
  std::string answers;
  uint64_t attempts = 0;
  for (auto [status, n] : flood.statuses) {
    answers += fmt::format("{}{} x{}", answers.empty() ? "" : ", ", status, n);
    attempts += n;
  }
  std::cout << fmt::format(
      "{:<8}  /v1/track p99 unloaded {:.2f} ms (p50 {:.2f}), under the flood {:.2f} ms (p50 "
      "{:.2f}) = {:.2f} x unloaded (target <= 2.00)\n"
      "          flood: {} sign-ins in 8 s ({}); /v1/track right after: p99 {:.2f} ms\n",
      name, p99_unloaded, Percentile(unloaded, 0.5), p99_loaded, Percentile(loaded, 0.5),
      p99_loaded / p99_unloaded, attempts, answers, Percentile(after, 0.99));
}

}  // namespace

int main(int argc, char** argv) {
  const std::string tandem = argc > 1 ? argv[1] : "build/tandem";
  auto dir = std::filesystem::temp_directory_path() / fmt::format("tandem-login-{}", getpid());
  std::filesystem::create_directories(dir);
  std::cout << "Tandem login flood benchmark (" << std::thread::hardware_concurrency()
            << " cores; 16 clients, wrong passwords, 8 s)\n";
  Measure(tandem, dir, "default", "", /*spread=*/false);
  Measure(tandem, dir, "spread",
          "[auth]\nmax_failed_logins = 100\nlockout_minutes = 1\n"
          "[limits]\nsignin_per_client_per_minute = 10000000\n"
          "signin_per_client_burst = 10000000\n",
          /*spread=*/true);
  std::filesystem::remove_all(dir);
  return 0;
}
