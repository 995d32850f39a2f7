// FixtureHttpServer: tests/support/fixture_http_server.py run as a child process, an
// HTTP server on 127.0.0.1 with the pages a fetch test needs (see the script for them).
// It stops when this object is destroyed (its stdin closes; SIGTERM if it lingers).
// Header-only so tests in src/ can use it without the test support library.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace tandem::testing {

class FixtureHttpServer {
 public:
  // Starts the server; throws when it does not print its port within 10 seconds.
  explicit FixtureHttpServer(const std::string& script) {
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork");
    if (pid_ == 0) {
      dup2(in[0], STDIN_FILENO);
      dup2(out[1], STDOUT_FILENO);
      execlp("python3", "python3", script.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    stdin_ = in[1];
    try {
      port_ = ReadPort(out[0]);
    } catch (...) {
      close(out[0]);
      Stop();
      throw;
    }
    close(out[0]);
  }
  ~FixtureHttpServer() { Stop(); }
  FixtureHttpServer(const FixtureHttpServer&) = delete;
  FixtureHttpServer& operator=(const FixtureHttpServer&) = delete;

  uint16_t port() const { return port_; }
  // "http://127.0.0.1:<port><path>"
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  void Stop() {
    close(stdin_);
    for (int i = 0; i < 200; ++i) {  // up to 2 s to exit on its own
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) return;
      usleep(10000);
    }
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }

  static uint16_t ReadPort(int fd) {
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (line.find('\n') == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd p{fd, POLLIN, 0};
      char buf[64];
      ssize_t n = 0;
      if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0 ||
          (n = read(fd, buf, sizeof buf)) <= 0) {
        throw std::runtime_error("the fixture HTTP server did not start");
      }
      line.append(buf, static_cast<size_t>(n));
    }
    return static_cast<uint16_t>(std::stoi(line));
  }

  pid_t pid_ = -1;
  int stdin_ = -1;
  uint16_t port_ = 0;
};

}  // namespace tandem::testing
