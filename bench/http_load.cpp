#include "http_load.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/http.hpp>
#include <memory>

#include "core/clock.h"
#include "workload/workload.h"

namespace tandem::bench {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

BodyFactory::BodyFactory(std::string prefix, size_t per_request, size_t templates)
    : prefix_(std::move(prefix)), per_request_(per_request) {
  WorkloadGenerator generator(7, FromUnixMillis(1795000000000));
  generator.set_people(std::max<size_t>(1440, templates / 10));
  for (std::string& m : generator.Messages(templates)) {
    const auto start = m.find("\"messageId\":\"") + 13;
    const auto end = m.find('"', start);
    templates_.push_back({m.substr(0, start), m.substr(end)});
  }
}

std::string BodyFactory::Batch(uint64_t request) {
  std::string body = "{\"batch\":[";
  for (size_t j = 0; j < per_request_; ++j) {
    const Template& t = templates_[(request * per_request_ + j) % templates_.size()];
    if (j) body.push_back(',');
    body += t.before;
    body += fmt::format("{}-{}-{}", prefix_, request, j);
    body += t.after;
  }
  body += "]}";
  return body;
}

std::string BodyFactory::Track(uint64_t request) {
  return fmt::format(
      R"({{"userId":"user-{}","event":"Pricing Viewed","messageId":"{}-{}","properties":{{"plan":"growth","seats":12,"path":"/pricing"}},"context":{{"page":{{"path":"/pricing","url":"https://www.tandem.example/pricing","referrer":"https://www.google.com/"}},"campaign":{{"source":"google","medium":"cpc","name":"brand-search","term":"lead scoring tool"}},"userAgent":"Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0","library":{{"name":"analytics-node","version":"3.1.0"}}}}}})",
      request % 5000, prefix_, request);
}

double LoadResult::Percentile(double p) {
  if (latencies_ms.empty()) return 0;
  std::sort(latencies_ms.begin(), latencies_ms.end());
  return latencies_ms[std::min(latencies_ms.size() - 1,
                               static_cast<size_t>(p * static_cast<double>(latencies_ms.size())))];
}

std::string BasicAuth(const std::string& write_key) {
  const std::string plain = write_key + ":";
  std::string out(beast::detail::base64::encoded_size(plain.size()), '\0');
  out.resize(beast::detail::base64::encode(out.data(), plain.data(), plain.size()));
  return "Basic " + out;
}

std::function<bool(uint64_t)> Requests(uint64_t total) {
  return [total](uint64_t n) { return n < total; };
}

std::function<bool(uint64_t)> Until(Clock::time_point deadline) {
  return [deadline](uint64_t) { return Clock::now() < deadline; };
}

LoadResult RunLoad(uint16_t port, const std::string& target, const std::string& authorization,
                   size_t connections, const std::function<bool(uint64_t)>& more,
                   size_t events_per_request, const std::function<std::string(uint64_t)>& body_of) {
  net::io_context ioc(1);
  LoadResult result;
  uint64_t next = 0;
  struct Conn {
    explicit Conn(net::io_context& io) : stream(io) {}
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    bhttp::request<bhttp::string_body> req;
    bhttp::response<bhttp::string_body> res;
    Clock::time_point sent;
  };
  std::function<void(std::shared_ptr<Conn>)> send_next = [&](std::shared_ptr<Conn> c) {
    if (!more(next)) return;
    const uint64_t id = next++;
    c->req = bhttp::request<bhttp::string_body>(bhttp::verb::post, target, 11);
    c->req.set(bhttp::field::host, "127.0.0.1");
    c->req.set(bhttp::field::authorization, authorization);
    c->req.set(bhttp::field::content_type, "application/json");
    c->req.body() = body_of(id);
    c->req.prepare_payload();
    c->sent = Clock::now();
    bhttp::async_write(c->stream, c->req, [&, c](beast::error_code ec, size_t) {
      if (ec) return void(++result.errors);
      c->res = {};
      bhttp::async_read(c->stream, c->buffer, c->res, [&, c](beast::error_code rec, size_t) {
        if (rec) return void(++result.errors);
        result.latencies_ms.push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - c->sent).count());
        ++result.requests;
        if (c->res.result_int() == 200)
          result.events += events_per_request;
        else if (c->res.result_int() == 429)
          ++result.shed;
        else
          ++result.errors;
        send_next(c);
      });
    });
  };
  const auto started = Clock::now();
  for (size_t i = 0; i < connections; ++i) {
    auto c = std::make_shared<Conn>(ioc);
    c->stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    send_next(c);
  }
  ioc.run();
  result.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return result;
}

}  // namespace tandem::bench
