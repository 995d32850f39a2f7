// HttpServer: Tandem's one HTTP port, on Boost.Beast/Asio.
//
// Keep-alive connections served by a pool of worker threads (by default one per core
// less one, which the group-commit writer keeps busy). Limits are enforced while reading: headers
// over 16 KB answer 431, a body over the body limit answers 413 as soon as its Content-Length says
// so (or when it grows past it), and a client that does not finish its request (header and
// body) within the read timeout of its first byte gets 408 and loses the connection; a
// connection waits for a request's first byte up to the idle timeout. After such an early
// answer the connection closes gracefully (lingering close), so the client reads it. Shutdown is
// graceful: stop accepting, close idle connections, let requests in flight finish, then stop.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"
#include "http/router.h"

namespace tandem {
struct Metrics;
}

namespace tandem::http {

class HttpServer {
 public:
  struct Options {
    std::string listen = "127.0.0.1:8080";  // "HOST:PORT"; port 0 picks a free one
    int threads = 0;                        // 0: one per core, less one for the writer
    std::chrono::milliseconds read_timeout{15000};
    std::chrono::milliseconds idle_timeout{60000};
    size_t body_limit = 600 * 1024;
    // Paths that take files (a POST whose path is one of these): their larger limit.
    std::vector<std::string> upload_paths;
    size_t upload_body_limit = 64 * 1024 * 1024;
    size_t header_limit = 16 * 1024;
    // After refusing a request the client is still sending (413, 431, 408, 400), how
    // long and how much of the rest is read and dropped so the client can read the answer.
    std::chrono::milliseconds linger_time{5000};
    size_t linger_bytes = 4 * 1024 * 1024;
  };

  // `router` and `metrics` must outlive the server.
  HttpServer(Options options, const Router& router, Metrics& metrics);
  ~HttpServer();

  // Binds and starts serving. Fails when the address is taken or invalid.
  Status Start();
  uint16_t port() const { return port_; }
  // Takes over SIGINT and SIGTERM from now on (a signal that arrives before
  // WaitForSignal is kept, not fatal). For the process's own server, not for tests.
  void WatchSignals();
  // Blocks until SIGINT or SIGTERM arrives. REQUIRES: WatchSignals() was called.
  void WaitForSignal();
  // Stops accepting, closes idle connections, waits up to `grace` for requests in
  // flight, then stops the workers. Idempotent; thread-safe.
  void Shutdown(std::chrono::milliseconds grace);

  bool stopping() const { return stopping_.load(); }

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
};

// "HOST:PORT" or "[V6]:PORT" → host and port; the port must be 0..65535.
StatusOr<std::pair<std::string, uint16_t>> ParseListenAddress(std::string_view listen);

}  // namespace tandem::http
