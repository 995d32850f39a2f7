#include "http/server.h"

#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <future>
#include <optional>
#include <unordered_map>

#include "http/body_queue.h"
#include "metrics/metrics.h"

namespace tandem::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

StatusOr<std::pair<std::string, uint16_t>> ParseListenAddress(std::string_view listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string_view::npos || colon + 1 == listen.size()) {
    return InvalidArgument("invalid_listen",
                           fmt::format("listen address \"{}\" must be HOST:PORT", listen));
  }
  std::string host(listen.substr(0, colon));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  std::string_view port_text = listen.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    return InvalidArgument("invalid_listen",
                           fmt::format("listen port \"{}\" must be 0..65535", port_text));
  }
  if (host.empty()) host = "0.0.0.0";
  if (host == "localhost") host = "127.0.0.1";
  return std::make_pair(host, static_cast<uint16_t>(port));
}

class Session;

class HttpServer::Impl {
 public:
  Impl(HttpServer& owner, Options options, const Router& router, Metrics& metrics)
      : owner_(owner),
        options_(std::move(options)),
        router_(router),
        metrics_(metrics),
        ioc_(options_.threads),
        work_(net::make_work_guard(ioc_)),
        acceptor_(net::make_strand(ioc_)),
        signals_(ioc_) {}

  Status Listen();
  void Run();
  void Accept();
  void Shutdown(std::chrono::milliseconds grace);
  void WaitForSignal();

  void Register(Session* session, std::weak_ptr<Session> weak);
  void Unregister(Session* session);

  HttpServer& owner_;
  const Options options_;
  const Router& router_;
  Metrics& metrics_;
  net::io_context ioc_;
  // Keeps the workers running while a request waits for something outside the
  // io_context (a commit), with no socket operation pending; released at shutdown.
  net::executor_work_guard<net::io_context::executor_type> work_;
  tcp::acceptor acceptor_;
  net::signal_set signals_;
  std::vector<std::thread> workers_;

  std::mutex sessions_mu_;
  std::condition_variable sessions_cv_;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;  // guarded by sessions_mu_
  std::once_flag shutdown_once_;
};

// One connection: reads requests one after another, answers each, until the client
// or the server closes it.
class Session : public std::enable_shared_from_this<Session> {
 public:
  static constexpr std::size_t kFirstRead = 8 * 1024;

  Session(tcp::socket&& socket, HttpServer::Impl& server)
      : stream_(std::move(socket)), deadline_(stream_.get_executor()), server_(server) {
    beast::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) peer_ip_ = endpoint.address().to_string();
    stream_.socket().set_option(tcp::no_delay(true), ec);
  }

  ~Session() {
    CancelBody();
    server_.metrics_.http_connections.Add(-1);
    server_.Unregister(this);
  }

  void Start() {
    server_.metrics_.http_connections.Add(1);
    server_.Register(this, weak_from_this());
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::ReadHeader, shared_from_this()));
  }

  // Called when the server begins to stop: a connection waiting for its next request
  // is closed now; one in the middle of a request is closed after the answer.
  void OnServerStopping() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->idle_) self->Close();
    });
  }

  // The grace for requests in flight is over: a streamed answer's producer stops now.
  void OnServerStopped() { CancelBody(); }

 private:
  // Waits up to the idle timeout for the first byte of the next request, then gives the
  // whole request (header and body) the read timeout.
  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options_.header_limit));
    parser_->body_limit(server_.options_.body_limit);
    idle_ = true;
    if (server_.owner_.stopping()) return Close();
    stream_.expires_never();  // reads are bounded by deadline_, writes by the stream
    if (buffer_.size() > 0) return ReadRestOfHeader();  // a pipelined request has begun
    ArmDeadline(server_.options_.idle_timeout);
    stream_.async_read_some(buffer_.prepare(kFirstRead),
                            beast::bind_front_handler(&Session::OnFirstBytes, shared_from_this()));
  }

  void OnFirstBytes(beast::error_code ec, std::size_t bytes) {
    buffer_.commit(bytes);
    if (ec) {
      deadline_.cancel();
      return Close();  // nothing of a request arrived: an idle or closed connection
    }
    ReadRestOfHeader();
  }

  void ReadRestOfHeader() {
    ArmDeadline(server_.options_.read_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, std::size_t) {
    idle_ = false;
    if (ec) return OnReadError(ec);
    const auto& req = parser_->get();
    if (req.method() == bhttp::verb::post && IsUploadPath(req.target())) {
      parser_->body_limit(server_.options_.upload_body_limit);
    }
    if (beast::iequals(req[bhttp::field::expect], "100-continue")) {
      auto res = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, 11);
      bhttp::async_write(stream_, *res,
                         [self = shared_from_this(), res](beast::error_code wec, std::size_t) {
                           if (wec) return self->Close();
                           self->ReadBody();
                         });
      return;
    }
    ReadBody();
  }

  bool IsUploadPath(beast::string_view target) const {
    const beast::string_view path = target.substr(0, target.find('?'));
    for (const std::string& p : server_.options_.upload_paths) {
      if (path == p) return true;
    }
    return false;
  }

  void ReadBody() {
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::OnBody, shared_from_this()));
  }

  // Bounds the read in progress. Unlike tcp_stream's own timeout, which closes the
  // socket, this only cancels the read, so a 408 can still be written.
  void ArmDeadline(std::chrono::milliseconds timeout) {
    timed_out_ = false;
    deadline_.expires_after(timeout);
    deadline_.async_wait([weak = weak_from_this()](beast::error_code ec) {
      auto self = weak.lock();
      if (ec || !self) return;
      self->timed_out_ = true;
      beast::error_code ignored;
      self->stream_.socket().cancel(ignored);
    });
  }

  void OnReadError(beast::error_code ec) {
    deadline_.cancel();
    const bool got_some = parser_ && parser_->got_some();
    if (timed_out_) {
      if (!got_some) return Close();  // an idle keep-alive connection
      return SendError(408, "request_timeout",
                       fmt::format("the request was not received within {} ms",
                                   server_.options_.read_timeout.count()));
    }
    if (ec == bhttp::error::end_of_stream || ec == net::error::operation_aborted ||
        ec == net::error::connection_reset || ec == net::error::eof) {
      return Close();
    }
    if (ec == bhttp::error::body_limit) {
      const bool upload = IsUploadPath(parser_->get().target());
      return SendError(
          413, "body_too_large",
          fmt::format("the body exceeds the limit of {} bytes",
                      upload ? server_.options_.upload_body_limit : server_.options_.body_limit));
    }
    if (ec == bhttp::error::header_limit) {
      return SendError(431, "headers_too_large", "the request headers exceed 16 KB");
    }
    if (ec == bhttp::error::partial_message) return Close();
    SendError(400, "bad_request", fmt::format("malformed HTTP request: {}", ec.message()));
  }

  // Answers a request that was refused before it was read to the end (the client may
  // still be sending), then closes the connection gracefully.
  void SendError(unsigned status, std::string_view code, std::string_view message) {
    Response res = ErrorResponse(status, code, message);
    res.keep_alive(false);
    server_.metrics_.http_requests.Increment({"unmatched", std::to_string(status)});
    response_ = std::make_shared<Response>(std::move(res));
    stream_.expires_after(server_.options_.read_timeout);
    bhttp::async_write(stream_, *response_,
                       [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         self->response_.reset();
                         if (ec) return self->Close();
                         self->LingeringClose();
                       });
  }

  // Closing a socket with unread input makes the kernel send a reset, which destroys
  // the answer the client has not read yet: a client still sending a refused body would
  // see a broken pipe instead of its 413. So, as nginx's lingering close does: end our
  // side, read and discard what the client still sends until it closes too, for at most
  // linger_time and linger_bytes, then close.
  void LingeringClose() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    lingered_bytes_ = 0;
    stream_.expires_after(server_.options_.linger_time);
    Discard();
  }

  void Discard() {
    stream_.async_read_some(net::buffer(discard_), [self = shared_from_this()](beast::error_code ec,
                                                                               std::size_t bytes) {
      self->lingered_bytes_ += bytes;
      if (ec || self->lingered_bytes_ >= self->server_.options_.linger_bytes) {
        return self->Close();
      }
      self->Discard();
    });
  }

  void OnBody(beast::error_code ec, std::size_t) {
    if (ec) return OnReadError(ec);
    deadline_.cancel();
    HttpRequest request{parser_->release(), peer_ip_};
    const bool keep_alive = request.message.keep_alive();
    std::string route(server_.router_.RouteName(request));
    auto answer = [self = shared_from_this(), keep_alive, route](Response res) {
      self->server_.metrics_.http_requests.Increment({route, std::to_string(res.result_int())});
      net::post(self->stream_.get_executor(), [self, keep_alive, res = std::move(res)]() mutable {
        const bool close = !keep_alive || self->server_.owner_.stopping();
        res.keep_alive(!close);
        self->Write(std::move(res), close);
      });
    };
    // Runs on the producer's thread, holding the session only through the queue's wakes.
    auto stream = [weak = weak_from_this(), executor = stream_.get_executor(), keep_alive, route](
                      Response head, BodyProducer produce) {
      auto body = std::make_shared<BodyQueue>(kMaxUnwritten, [weak, executor] {
        net::post(executor, [weak] {
          if (auto self = weak.lock()) self->PumpBody();
        });
      });
      net::post(executor, [weak, body, keep_alive, route, head = std::move(head)]() mutable {
        auto self = weak.lock();
        if (!self) return body->Cancel();
        self->BeginBody(std::move(body), std::move(head), keep_alive, std::move(route));
      });
      body->Finish(produce(*body));
      // The end is taken with the session held: once this returns, the responder that
      // kept it alive may go.
      if (auto self = weak.lock()) net::post(executor, [self] { self->PumpBody(); });
    };
    server_.router_.Dispatch(std::move(request), Responder(std::move(answer), std::move(stream)));
  }

  // A streamed answer (Responder::Stream): its head waits for the first chunk or the end,
  // so a producer that fails before writing anything is answered with its error.
  void BeginBody(std::shared_ptr<BodyQueue> body, Response head, bool keep_alive,
                 std::string route) {
    {
      std::lock_guard lock(body_mu_);
      body_ = std::move(body);
    }
    body_head_ = std::move(head);
    body_close_ = !keep_alive || server_.owner_.stopping();
    body_route_ = std::move(route);
    head_sent_ = false;
    writing_body_ = false;
    PumpBody();
  }

  // Writes what the producer queued next; on the strand, one write at a time.
  void PumpBody() {
    std::shared_ptr<BodyQueue> body = CurrentBody();
    if (!body || writing_body_) return;
    BodyQueue::Next next = body->Take();
    if (next.chunk) {
      writing_body_ = true;
      auto data = std::make_shared<std::string>(std::move(*next.chunk));
      return WriteHeadThen([self = shared_from_this(), data] { self->WriteChunk(data); });
    }
    if (!next.end) return;  // nothing yet: the next wake comes with more
    writing_body_ = true;
    if (next.end->ok()) {
      return WriteHeadThen([self = shared_from_this()] { self->WriteLastChunk(); });
    }
    EndBody();
    if (!head_sent_) {
      // Nothing sent yet: the client gets the error as any other answer.
      Response res = ErrorResponse(*next.end);
      server_.metrics_.http_requests.Increment({body_route_, std::to_string(res.result_int())});
      res.keep_alive(!body_close_);
      return Write(std::move(res), body_close_);
    }
    spdlog::error("{}: the streamed answer failed after it began; connection cut: {}", body_route_,
                  next.end->message());
    Close();
  }

  template <typename Then>
  void WriteHeadThen(Then then) {
    if (head_sent_) return then();
    head_sent_ = true;
    server_.metrics_.http_requests.Increment(
        {body_route_, std::to_string(body_head_.result_int())});
    auto head = std::make_shared<bhttp::response<bhttp::empty_body>>(std::move(body_head_.base()));
    head->erase(bhttp::field::content_length);
    head->chunked(true);
    head->keep_alive(!body_close_);
    auto serializer = std::make_shared<bhttp::response_serializer<bhttp::empty_body>>(*head);
    stream_.expires_after(server_.options_.read_timeout);
    bhttp::async_write_header(
        stream_, *serializer,
        [self = shared_from_this(), head, serializer, then](beast::error_code ec, std::size_t) {
          if (ec) return self->Close();
          then();
        });
  }

  void WriteChunk(std::shared_ptr<std::string> data) {
    stream_.expires_after(server_.options_.read_timeout);
    net::async_write(stream_, bhttp::make_chunk(net::buffer(*data)),
                     [self = shared_from_this(), data](beast::error_code ec, std::size_t) {
                       if (ec) return self->Close();
                       self->writing_body_ = false;
                       if (auto body = self->CurrentBody()) body->Written(data->size());
                       self->PumpBody();
                     });
  }

  void WriteLastChunk() {
    stream_.expires_after(server_.options_.read_timeout);
    net::async_write(stream_, bhttp::make_chunk_last(),
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       self->EndBody();
                       if (ec || self->body_close_) return self->Close();
                       self->ReadHeader();
                     });
  }

  std::shared_ptr<BodyQueue> CurrentBody() {
    std::lock_guard lock(body_mu_);
    return body_;
  }

  void EndBody() {
    std::lock_guard lock(body_mu_);
    body_.reset();
    writing_body_ = false;
  }

  void Write(Response res, bool close) {
    response_ = std::make_shared<Response>(std::move(res));
    stream_.expires_after(server_.options_.read_timeout);
    bhttp::async_write(stream_, *response_,
                       [self = shared_from_this(), close](beast::error_code ec, std::size_t) {
                         self->response_.reset();
                         if (ec || close) return self->Close();
                         self->ReadHeader();
                       });
  }

  // Stops a streamed answer's producer (it is told the connection is gone); any thread.
  void CancelBody() {
    std::lock_guard lock(body_mu_);
    if (body_) body_->Cancel();
  }

  void Close() {
    CancelBody();
    deadline_.cancel();
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  net::steady_timer deadline_;
  bool timed_out_ = false;  // the deadline cancelled the read; only touched on the strand
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::shared_ptr<Response> response_;
  HttpServer::Impl& server_;
  std::string peer_ip_;
  bool idle_ = true;  // waiting for the first byte of a request; only touched on the strand
  std::array<char, 16 * 1024> discard_{};  // what a lingering close reads and drops
  size_t lingered_bytes_ = 0;
  // A streamed answer in progress (BeginBody); body_ is also read by Shutdown's thread.
  static constexpr size_t kMaxUnwritten = 1 << 20;
  std::mutex body_mu_;
  std::shared_ptr<BodyQueue> body_;  // guarded by body_mu_
  Response body_head_;               // the rest only on the strand
  bool body_close_ = false;
  std::string body_route_;
  bool head_sent_ = false;
  bool writing_body_ = false;
};

Status HttpServer::Impl::Listen() {
  TANDEM_ASSIGN_OR_RETURN(auto host_port, ParseListenAddress(options_.listen));
  beast::error_code ec;
  auto address = net::ip::make_address(host_port.first, ec);
  if (ec) {
    return InvalidArgument("invalid_listen",
                           fmt::format("listen host \"{}\" is not an IP address", host_port.first));
  }
  tcp::endpoint endpoint(address, host_port.second);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Unavailable("listen_failed",
                       fmt::format("cannot listen on {}: {}", options_.listen, ec.message()));
  }
  owner_.port_ = acceptor_.local_endpoint().port();
  return OkStatus();
}

void HttpServer::Impl::Accept() {
  acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
      spdlog::warn("accept failed: {}", ec.message());
    } else {
      std::make_shared<Session>(std::move(socket), *this)->Start();
    }
    if (!owner_.stopping()) Accept();
  });
}

void HttpServer::Impl::Run() {
  // By default one worker per core less one: the group-commit writer keeps a core busy
  // under load, and more workers than free cores only add context switches (measured:
  // on 2 cores, 1 worker answers ~25% more single-event requests than 2).
  int threads = options_.threads > 0
                    ? options_.threads
                    : std::max(1, static_cast<int>(std::thread::hardware_concurrency()) - 1);
  Accept();
  workers_.reserve(static_cast<size_t>(threads));
  for (int i = 0; i < threads; ++i) {
    workers_.emplace_back([this] { ioc_.run(); });
  }
}

void HttpServer::Impl::Register(Session* session, std::weak_ptr<Session> weak) {
  std::lock_guard lock(sessions_mu_);
  sessions_.emplace(session, std::move(weak));
}

void HttpServer::Impl::Unregister(Session* session) {
  {
    std::lock_guard lock(sessions_mu_);
    sessions_.erase(session);
  }
  sessions_cv_.notify_all();
}

void HttpServer::Impl::Shutdown(std::chrono::milliseconds grace) {
  std::call_once(shutdown_once_, [&] {
    owner_.stopping_.store(true);
    net::post(acceptor_.get_executor(), [this] {
      beast::error_code ec;
      acceptor_.close(ec);
    });
    std::vector<std::shared_ptr<Session>> live;
    {
      std::lock_guard lock(sessions_mu_);
      for (auto& [_, weak] : sessions_) {
        if (auto s = weak.lock()) live.push_back(std::move(s));
      }
    }
    for (auto& s : live) s->OnServerStopping();
    live.clear();
    {
      std::unique_lock lock(sessions_mu_);
      if (!sessions_cv_.wait_for(lock, grace, [this] { return sessions_.empty(); })) {
        spdlog::warn("shutdown: {} connections still open after {} ms; closing them",
                     sessions_.size(), grace.count());
        for (auto& [_, weak] : sessions_) {
          if (auto s = weak.lock()) live.push_back(std::move(s));
        }
      }
    }
    for (auto& s : live) s->OnServerStopped();
    live.clear();
    work_.reset();
    ioc_.stop();
    for (auto& t : workers_) {
      if (t.joinable()) t.join();
    }
  });
}

void HttpServer::Impl::WaitForSignal() {
  std::promise<int> signalled;
  auto done = signalled.get_future();
  signals_.async_wait(
      [&signalled](beast::error_code ec, int signal) { signalled.set_value(ec ? 0 : signal); });
  int signal = done.get();
  spdlog::info("received signal {}; shutting down", signal);
}

HttpServer::HttpServer(Options options, const Router& router, Metrics& metrics)
    : impl_(std::make_unique<Impl>(*this, std::move(options), router, metrics)) {}

HttpServer::~HttpServer() { Shutdown(std::chrono::milliseconds(0)); }

Status HttpServer::Start() {
  TANDEM_RETURN_IF_ERROR(impl_->Listen());
  impl_->Run();
  return OkStatus();
}

void HttpServer::WatchSignals() {
  impl_->signals_.add(SIGINT);
  impl_->signals_.add(SIGTERM);
}

void HttpServer::WaitForSignal() { impl_->WaitForSignal(); }

void HttpServer::Shutdown(std::chrono::milliseconds grace) { impl_->Shutdown(grace); }

}  // namespace tandem::http
