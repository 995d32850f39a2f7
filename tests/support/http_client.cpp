#include "support/http_client.h"

#include <boost/beast/core/detail/base64.hpp>
#include <limits>

namespace tandem::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

HttpResult ToResult(bhttp::response<bhttp::string_body>& res) {
  HttpResult out;
  out.status = res.result_int();
  out.body = res.body();
  for (const auto& field : res)
    out.headers[std::string(field.name_string())] = std::string(field.value());
  out.connection_closed = !res.keep_alive();
  return out;
}

}  // namespace

HttpClient::HttpClient(uint16_t port) : port_(port) {}

void HttpClient::Connect() {
  stream_.emplace(ioc_);
  stream_->connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_));
  buffer_.clear();
}

HttpResult HttpClient::Request(const std::string& method, const std::string& target,
                               const std::string& body,
                               const std::map<std::string, std::string>& headers) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!stream_) Connect();
    bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
    req.set(bhttp::field::host, "127.0.0.1:" + std::to_string(port_));
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    beast::error_code ec;
    stream_->expires_after(std::chrono::seconds(30));
    bhttp::write(*stream_, req, ec);
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    parser.skip(method == "HEAD");  // a HEAD answer's length names a body it does not send
    if (!ec) bhttp::read(*stream_, buffer_, parser, ec);
    if (ec) {
      stream_.reset();  // a kept-alive connection the server closed; retry once on a new one
      continue;
    }
    bhttp::response<bhttp::string_body> res = parser.release();
    HttpResult out = ToResult(res);
    if (out.connection_closed) stream_.reset();
    return out;
  }
  throw std::runtime_error("request failed twice: " + method + " " + target);
}

std::optional<HttpResult> HttpClient::Raw(const std::string& bytes,
                                          std::chrono::milliseconds read_timeout) {
  beast::tcp_stream stream(ioc_);
  stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_));
  stream.expires_after(read_timeout);
  beast::error_code ec;
  net::write(stream, net::buffer(bytes), ec);
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> res;
  stream.expires_after(read_timeout);
  bhttp::read(stream, buffer, res, ec);
  if (ec) return std::nullopt;
  return ToResult(res);
}

std::string BasicAuth(const std::string& write_key) {
  std::string plain = write_key + ":";
  std::string encoded(beast::detail::base64::encoded_size(plain.size()), '\0');
  encoded.resize(beast::detail::base64::encode(encoded.data(), plain.data(), plain.size()));
  return "Basic " + encoded;
}

}  // namespace tandem::testing
