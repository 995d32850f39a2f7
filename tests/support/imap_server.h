// ImapServer: a real IMAP server for tests — Debian's dovecot-imapd, started in the
// foreground with a throw-away configuration (maildir in a temporary directory, one
// account "inbound" / "secret", plain login) on a free loopback port; stopped (its
// process only) when the object goes. Messages are put in and counted over IMAP by
// tests/support/imap_tool.py, run by Debian's Python.
//
// Start throws std::runtime_error when the server cannot be started.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "testing/temp_dir.h"

extern char** environ;

namespace tandem::testing {

class ImapServer {
 public:
  ImapServer() = default;
  ~ImapServer() { Stop(); }
  ImapServer(const ImapServer&) = delete;
  ImapServer& operator=(const ImapServer&) = delete;

  // Starts the server (on `port`, or a free one when 0) and waits until it answers.
  int Start(int port = 0) {
    if (pid_ > 0) throw std::logic_error("ImapServer::Start called twice");
    port_ = port != 0 ? port : FreePort();
    WriteConfig();
    const std::string conf = (dir_.path() / "dovecot.conf").string();
    std::vector<std::string> argv = {"/usr/sbin/dovecot", "-F", "-c", conf};
    std::vector<char*> args;
    for (std::string& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string log = (dir_.path() / "stderr.log").string();
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    const int rc = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start /usr/sbin/dovecot (dovecot-imapd)");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!Answers()) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("dovecot exited at start: " + Log());
      }
      if (std::chrono::steady_clock::now() > deadline) {
        Stop();
        throw std::runtime_error("dovecot did not listen within 20 s: " + Log());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return port_;
  }

  // SIGTERM to dovecot's master, which ends its children; waits for it to exit.
  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (waitpid(pid_, nullptr, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    pid_ = -1;
    // The master is gone; wait until its listener is too, so a restart can bind.
    while (Answers() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  int port() const { return port_; }
  std::string Url() const { return "imap://127.0.0.1:" + std::to_string(port_); }

  // Puts `message` in `folder` (IMAP APPEND).
  void Append(const std::string& folder, const std::string& message) {
    const auto file = dir_.path() / ("append-" + std::to_string(++appended_) + ".eml");
    std::ofstream(file, std::ios::binary) << message;
    Tool({"append", folder, file.string()});
  }
  void Create(const std::string& folder) { Tool({"create", folder}); }
  // The number of messages in `folder` (0 when it does not exist).
  int Count(const std::string& folder) { return std::stoi(Tool({"count", folder})); }

 private:
  static int FreePort() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      close(fd);
      throw std::runtime_error("no free loopback port");
    }
    close(fd);
    return ntohs(addr.sin_port);
  }

  bool Answers() const {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    return ok;
  }

  // Dovecot refuses to run its login and mail processes as root: as root they run as
  // its own users (the package makes them); otherwise as the caller.
  void WriteConfig() {
    namespace fs = std::filesystem;
    const fs::path dir = dir_.path();
    // Dovecot's own users must reach the mail folder inside the test's directory.
    fs::permissions(dir, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    fs::create_directories(dir / "mail");
    fs::permissions(dir / "mail", fs::perms::all);
    std::string internal = "dovecot", login = "dovenull", mail_user = "dovecot";
    if (geteuid() != 0) {
      const passwd* me = getpwuid(geteuid());
      internal = login = mail_user = me != nullptr ? me->pw_name : "nobody";
    }
    std::ofstream conf(dir / "dovecot.conf");
    conf << "base_dir = " << (dir / "run").string() << "\n"
         << "state_dir = " << (dir / "state").string() << "\n"
         << "log_path = " << (dir / "dovecot.log").string() << "\n"
         << "protocols = imap\nlisten = 127.0.0.1\nssl = no\n"
         << "disable_plaintext_auth = no\nauth_mechanisms = plain login\n"
         << "first_valid_uid = 1\n"
         << "default_internal_user = " << internal << "\n"
         << "default_internal_group = " << internal << "\n"
         << "default_login_user = " << login << "\n"
         << "mail_location = maildir:" << (dir / "mail").string() << "/%u\n"
         << "passdb {\n  driver = static\n  args = password=secret\n}\n"
         << "userdb {\n  driver = static\n  args = uid=" << mail_user << " gid=" << mail_user
         << " home=" << (dir / "mail").string() << "/%u\n}\n"
         << "service imap-login {\n  inet_listener imap {\n    address = 127.0.0.1\n"
         << "    port = " << port_ << "\n  }\n  inet_listener imaps {\n    port = 0\n  }\n"
         << "  chroot =\n}\n"
         << "service anvil {\n  chroot =\n}\nservice stats {\n  chroot =\n}\n";
  }

  std::string Tool(const std::vector<std::string>& args) {
    std::string command = "/usr/bin/python3 " + std::string(TANDEM_SOURCE_DIR) +
                          "/tests/support/imap_tool.py " + std::to_string(port_);
    for (const std::string& a : args) command += " '" + a + "'";
    command += " 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) throw std::runtime_error("cannot run imap_tool.py");
    std::string out;
    char buffer[4096];
    while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
    if (pclose(pipe) != 0) throw std::runtime_error("imap_tool.py failed: " + out);
    return out;
  }

  std::string Log() const {
    std::ifstream in(dir_.path() / "dovecot.log");
    std::stringstream s;
    s << in.rdbuf();
    std::ifstream err(dir_.path() / "stderr.log");
    s << err.rdbuf();
    return s.str();
  }

  TempDir dir_;
  pid_t pid_ = -1;
  int port_ = 0;
  int appended_ = 0;
};

}  // namespace tandem::testing
