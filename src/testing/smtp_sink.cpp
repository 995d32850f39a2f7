#include "testing/smtp_sink.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace tandem::testing {
namespace {

namespace fs = std::filesystem;
using Steady = std::chrono::steady_clock;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Starts `argv` with stdout and stderr appended to `log`; its PID.
pid_t Spawn(const std::vector<std::string>& argv, const fs::path& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + strerror(rc));
  return pid;
}

// Waits up to `timeout` for `pid` to exit; its wait status, or -1 if still running.
int WaitForExit(pid_t pid, std::chrono::milliseconds timeout) {
  auto deadline = Steady::now() + timeout;
  while (true) {
    int status = 0;
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) return status;
    if (done < 0) return 0;  // not our child any more
    if (Steady::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

SmtpSink::~SmtpSink() { Stop(); }

std::string SmtpSink::Url() const {
  return (implicit_tls_ ? "smtps://127.0.0.1:" : "smtp://127.0.0.1:") + std::to_string(port_);
}

void SmtpSink::MakeCertificate() {
  pid_t pid = Spawn({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                     "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
                     "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                     "-keyout", (dir_.path() / "key.pem").string(), "-out", CaFile().string()},
                    dir_.path() / "openssl.log");
  int status = WaitForExit(pid, std::chrono::seconds(20));
  if (status == -1) kill(pid, SIGKILL), waitpid(pid, nullptr, 0);
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("openssl could not make the sink's certificate: " +
                             ReadFile(dir_.path() / "openssl.log"));
  }
}

std::vector<std::string> SmtpSink::Arguments(const SmtpSinkOptions& options) const {
  std::vector<std::string> argv = {TANDEM_SMTP_SINK_PYTHON,
                                   TANDEM_SMTP_SINK_SCRIPT,
                                   "--dir",
                                   (dir_.path() / "messages").string(),
                                   "--port-file",
                                   (dir_.path() / "port").string(),
                                   "--rules",
                                   (dir_.path() / "rules.json").string()};
  if (!options.store) argv.push_back("--no-store");
  if (options.port != 0) argv.insert(argv.end(), {"--port", std::to_string(options.port)});
  if (!options.auth_user.empty()) {
    argv.insert(argv.end(),
                {"--auth-user", options.auth_user, "--auth-password", options.auth_password});
  }
  if (options.starttls || options.implicit_tls) {
    argv.insert(argv.end(),
                {"--tls-cert", CaFile().string(), "--tls-key", (dir_.path() / "key.pem").string()});
  }
  if (options.implicit_tls) argv.push_back("--implicit-tls");
  return argv;
}

int SmtpSink::WaitForPort() {
  auto deadline = Steady::now() + std::chrono::seconds(20);
  fs::path port_file = dir_.path() / "port";
  while (Steady::now() < deadline) {
    std::error_code ec;
    if (fs::exists(port_file, ec)) return std::stoi(ReadFile(port_file));
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("the SMTP sink exited at start: " +
                               ReadFile(dir_.path() / "sink.log"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  Stop();
  throw std::runtime_error("the SMTP sink did not listen within 20 s: " +
                           ReadFile(dir_.path() / "sink.log"));
}

int SmtpSink::Start(const SmtpSinkOptions& options) {
  if (pid_ > 0) throw std::logic_error("SmtpSink::Start called twice");
  if (options.starttls || options.implicit_tls) MakeCertificate();
  implicit_tls_ = options.implicit_tls;
  store_ = options.store;
  std::error_code ec;
  fs::remove(dir_.path() / "port", ec);
  pid_ = Spawn(Arguments(options), dir_.path() / "sink.log");
  port_ = WaitForPort();
  return port_;
}

void SmtpSink::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  if (WaitForExit(pid_, std::chrono::seconds(5)) == -1) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  pid_ = -1;
}

std::vector<ReceivedMessage> SmtpSink::Messages() const {
  std::vector<fs::path> sidecars;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_.path() / "messages", ec)) {
    if (entry.path().extension() == ".json") sidecars.push_back(entry.path());
  }
  std::sort(sidecars.begin(), sidecars.end());
  std::vector<ReceivedMessage> messages;
  for (const fs::path& sidecar : sidecars) {
    auto envelope = nlohmann::json::parse(ReadFile(sidecar));
    ReceivedMessage message;
    message.envelope_from = envelope.at("mail_from").get<std::string>();
    message.recipients = envelope.at("rcpt_tos").get<std::vector<std::string>>();
    message.raw = ReadFile(sidecar.parent_path() / envelope.at("eml").get<std::string>());
    message.client_port = envelope.value("client_port", 0);
    message.tls = envelope.value("tls", false);
    message.authenticated = envelope.value("authenticated", false);
    messages.push_back(std::move(message));
  }
  return messages;
}

size_t SmtpSink::ReceivedCount() const {
  fs::path messages = dir_.path() / "messages";
  std::error_code ec;
  if (!store_) {
    if (!fs::exists(messages / "count", ec)) return 0;
    return std::stoul(ReadFile(messages / "count"));
  }
  size_t count = 0;
  for (const auto& entry : fs::directory_iterator(messages, ec)) {
    if (entry.path().extension() == ".json") ++count;
  }
  return count;
}

bool SmtpSink::WaitForMessages(size_t count, std::chrono::milliseconds timeout) const {
  auto deadline = Steady::now() + timeout;
  while (ReceivedCount() < count) {
    if (Steady::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

void SmtpSink::SetRules(const std::string& json) {
  fs::path tmp = dir_.path() / "rules.json.tmp";
  std::ofstream(tmp, std::ios::binary | std::ios::trunc) << json;
  fs::rename(tmp, dir_.path() / "rules.json");
}

}  // namespace tandem::testing
