// A small blocking HTTP/1.1 client for tests: one keep-alive connection to a
// loopback server, plus raw socket access for requests no well-behaved client sends.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace tandem::testing {

struct HttpResult {
  unsigned status = 0;
  std::string body;
  std::map<std::string, std::string> headers;
  bool connection_closed = false;  // the server closed after answering
};

class HttpClient {
 public:
  explicit HttpClient(uint16_t port);

  // Sends one request on the kept-alive connection (reconnecting if needed).
  HttpResult Request(const std::string& method, const std::string& target,
                     const std::string& body = "",
                     const std::map<std::string, std::string>& headers = {});
  HttpResult Post(const std::string& target, const std::string& body,
                  const std::map<std::string, std::string>& headers = {}) {
    return Request("POST", target, body, headers);
  }
  HttpResult Get(const std::string& target) { return Request("GET", target); }

  // Writes raw bytes on a fresh connection and reads one response (or nothing if the
  // server closes first). `read_timeout` bounds the wait.
  std::optional<HttpResult> Raw(const std::string& bytes, std::chrono::milliseconds read_timeout);

 private:
  void Connect();
  uint16_t port_;
  boost::asio::io_context ioc_;
  std::optional<boost::beast::tcp_stream> stream_;
  boost::beast::flat_buffer buffer_;
};

// "Basic base64(key:)".
std::string BasicAuth(const std::string& write_key);

}  // namespace tandem::testing
