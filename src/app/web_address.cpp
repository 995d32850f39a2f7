#include "app/web_address.h"

#include <fmt/format.h>

namespace tandem {

std::string WebAddress(const ServerConfig& server, uint16_t port) {
  if (!server.public_url.empty()) {
    return server.public_url.ends_with('/') ? server.public_url : server.public_url + "/";
  }
  std::string host = server.listen.substr(0, server.listen.rfind(':'));
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  if (host == "[::]") host = "[::1]";
  return fmt::format("http://{}:{}/", host, port);
}

}  // namespace tandem
