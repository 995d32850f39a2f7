// Streamed answers (Responder::Stream) over real sockets: chunks arrive as written and
// the connection serves the next request; a producer's error before its first byte is
// an ordinary JSON answer, after it a cut connection with no last chunk; a client that
// does not read holds the producer back; a client that leaves stops it.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "http/server.h"
#include "metrics/metrics.h"
#include "support/http_client.h"

namespace tandem {
namespace {

using namespace std::chrono_literals;
namespace net = boost::asio;

class StreamedAnswerTest : public ::testing::Test {
 protected:
  // Serves GET /stream with `produce`, run on a thread of its own as the exports do.
  void Serve(http::BodyProducer produce) {
    router_.Add("GET", "/stream", [this, produce](http::HttpRequest&&, http::Responder respond) {
      producers_.emplace_back([produce, respond = std::move(respond)] {
        http::Response head{boost::beast::http::status::ok, 11};
        head.set(boost::beast::http::field::content_type, "text/plain");
        respond.Stream(std::move(head), produce);
      });
    });
    http::HttpServer::Options options;
    options.listen = "127.0.0.1:0";
    options.threads = 2;
    server_ = std::make_unique<http::HttpServer>(options, router_, metrics_);
    ASSERT_TRUE(server_->Start().ok());
  }

  void TearDown() override {
    if (server_) server_->Shutdown(1s);
    for (std::thread& t : producers_) t.join();
  }

  // A connection of its own that sends GET /stream and reads nothing yet.
  net::ip::tcp::socket Connect() {
    net::ip::tcp::socket socket(ioc_);
    socket.connect({net::ip::make_address("127.0.0.1"), server_->port()});
    const std::string request = "GET /stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    net::write(socket, net::buffer(request));
    return socket;
  }

  // Everything the server sends until it closes the connection.
  static std::string ReadToEnd(net::ip::tcp::socket& socket) {
    std::string out;
    boost::system::error_code ec;
    net::read(socket, net::dynamic_buffer(out), ec);
    return out;
  }

  http::Router router_;
  Metrics metrics_;
  std::unique_ptr<http::HttpServer> server_;
  std::vector<std::thread> producers_;
  net::io_context ioc_;
};

TEST_F(StreamedAnswerTest, ChunksArriveAsWrittenAndTheConnectionGoesOn) {
  Serve([](http::BodySink& sink) -> Status {
    for (const char* line : {"one\n", "", "two\n", "three\n"}) {
      TANDEM_RETURN_IF_ERROR(sink.Write(line));
    }
    return OkStatus();
  });
  testing::HttpClient client(server_->port());
  for (int i = 0; i < 2; ++i) {  // the same kept-alive connection, twice
    testing::HttpResult r = client.Get("/stream");
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.body, "one\ntwo\nthree\n");
    EXPECT_EQ(r.headers["Transfer-Encoding"], "chunked");
    EXPECT_EQ(r.headers["Content-Type"], "text/plain");
    EXPECT_EQ(r.headers.count("Content-Length"), 0u);
    EXPECT_FALSE(r.connection_closed);
  }
}

TEST_F(StreamedAnswerTest, AnErrorBeforeTheFirstByteIsAnOrdinaryError) {
  Serve([](http::BodySink&) { return NotFound("not_found", "nothing to stream"); });
  testing::HttpClient client(server_->port());
  testing::HttpResult r = client.Get("/stream");
  EXPECT_EQ(r.status, 404u);
  const nlohmann::json body = nlohmann::json::parse(r.body, nullptr, false);
  EXPECT_EQ(body["error"]["code"], "not_found") << r.body;
  EXPECT_EQ(client.Get("/stream").status, 404u) << "the connection serves the next request";
}

TEST_F(StreamedAnswerTest, AnErrorAfterTheFirstByteCutsTheConnection) {
  Serve([](http::BodySink& sink) -> Status {
    TANDEM_RETURN_IF_ERROR(sink.Write("the first part\n"));
    return Unavailable("store_failed", "the store went away");
  });
  net::ip::tcp::socket socket = Connect();
  const std::string received = ReadToEnd(socket);
  EXPECT_NE(received.find("200 OK"), std::string::npos) << received;
  EXPECT_NE(received.find("the first part\n"), std::string::npos) << received;
  EXPECT_EQ(received.find("\r\n0\r\n\r\n"), std::string::npos)
      << "the last chunk was sent: the part looks like the whole";
}

TEST_F(StreamedAnswerTest, AClientThatDoesNotReadHoldsTheProducerBack) {
  constexpr size_t kChunk = 256 * 1024;
  constexpr size_t kChunks = 256;  // 64 MB
  auto written = std::make_shared<std::atomic<size_t>>(0);
  Serve([written](http::BodySink& sink) -> Status {
    for (size_t i = 0; i < kChunks; ++i) {
      TANDEM_RETURN_IF_ERROR(sink.Write(std::string(kChunk, 'x')));
      *written += kChunk;
    }
    return OkStatus();
  });
  net::ip::tcp::socket socket = Connect();
  std::this_thread::sleep_for(500ms);
  // What the socket buffers hold on loopback, and the server's 1 MB, but not the file.
  EXPECT_LT(written->load(), kChunk * kChunks / 2) << "the producer ran ahead of the client";
  const std::string received = ReadToEnd(socket);
  EXPECT_EQ(written->load(), kChunk * kChunks) << "once read, the rest follows";
  EXPECT_GT(received.size(), kChunk * kChunks);
}

TEST_F(StreamedAnswerTest, AClientThatLeavesStopsTheProducer) {
  auto ended = std::make_shared<std::promise<Status>>();
  Serve([ended](http::BodySink& sink) -> Status {
    Status st = OkStatus();
    for (int i = 0; i < 100000 && st.ok(); ++i) st = sink.Write(std::string(64 * 1024, 'x'));
    ended->set_value(st);
    return st;
  });
  std::future<Status> result = ended->get_future();
  {
    net::ip::tcp::socket socket = Connect();
    std::array<char, 1024> some{};
    socket.read_some(net::buffer(some));
  }  // closed without reading the rest
  ASSERT_EQ(result.wait_for(10s), std::future_status::ready) << "the producer is still writing";
  EXPECT_FALSE(result.get().ok());
}

}  // namespace
}  // namespace tandem
