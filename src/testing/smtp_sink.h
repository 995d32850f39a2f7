// SmtpSink: a real SMTP server on a free loopback port for tests and benchmarks
// (tests/support/smtp_sink.py over Debian's python3-aiosmtpd, run as a child process).
//
// It keeps every message it accepts with its envelope, and misbehaves on request
// through rules (SetRules): a recipient refused at RCPT, a connection dropped before
// the reply to DATA, a server that greets with 421. Optional AUTH and TLS (STARTTLS or
// implicit) with a self-signed certificate made for the run; point the client's
// ca_file at CaFile().
//
// Not thread-safe to Start/Stop; Messages and WaitForMessages may be called from any
// thread. Start throws std::runtime_error when the server cannot be started. The
// destructor stops the server (only the process this object started).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "testing/temp_dir.h"

namespace tandem::testing {

struct SmtpSinkOptions {
  std::string auth_user;  // non-empty: AUTH PLAIN/LOGIN required before MAIL
  std::string auth_password;
  bool starttls = false;      // offer STARTTLS with a fresh self-signed certificate
  bool implicit_tls = false;  // TLS from the first byte (smtps://)
  bool store = true;          // false: only count messages (ReceivedCount), for benchmarks
  int port = 0;               // 0: a free port; else this one (a server restarted in place)
};

struct ReceivedMessage {
  std::string envelope_from;
  std::vector<std::string> recipients;
  std::string raw;      // as received: dot-stuffing undone, CRLF line ends
  int client_port = 0;  // the client's port: one per connection
  bool tls = false;     // came over TLS (STARTTLS or implicit)
  bool authenticated = false;
};

class SmtpSink {
 public:
  SmtpSink() = default;
  ~SmtpSink();
  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;

  // Starts the server and waits (up to 20 s) until it listens; returns its port.
  int Start(const SmtpSinkOptions& options = {});
  // Stops the server: SIGTERM, then SIGKILL if it has not exited within 5 s.
  void Stop();

  int port() const { return port_; }
  // "smtp://127.0.0.1:<port>" or, with implicit TLS, "smtps://127.0.0.1:<port>".
  std::string Url() const;
  // The certificate the server presents (PEM), to trust as a private CA.
  std::filesystem::path CaFile() const { return dir_.path() / "cert.pem"; }

  // Every message accepted so far, in the order accepted.
  std::vector<ReceivedMessage> Messages() const;
  // How many messages were accepted (with store = false too).
  size_t ReceivedCount() const;
  // Polls until at least `count` messages were accepted or `timeout` passes; whether
  // they were.
  bool WaitForMessages(size_t count, std::chrono::milliseconds timeout) const;

  // Replaces the rules (JSON, see smtp_sink.py --help); read by the server on every
  // connection and command.
  void SetRules(const std::string& json);

 private:
  void MakeCertificate();
  std::vector<std::string> Arguments(const SmtpSinkOptions& options) const;
  int WaitForPort();

  TempDir dir_;
  pid_t pid_ = -1;
  int port_ = 0;
  bool implicit_tls_ = false;
  bool store_ = true;
};

}  // namespace tandem::testing
