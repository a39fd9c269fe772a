// One connection, from accept to close, on its own strand (the model is
// Beast's http_server_async / advanced_server: a session object that owns its
// buffer and parser and keeps one operation in flight at a time). It reads
// one request at a time with Beast's parser, hands a complete request to the
// worker pool, writes the answer, and waits for the next request, which may
// already be in its buffer (pipelining).
//
// What it costs while idle: between requests it holds no buffer and no
// parser; on plain TCP it waits for readability with a timer, no thread.
//
// Its time limits (ServerOptions): keep_alive before a request starts,
// read_timeout for the whole head once it started and for each body read, a
// minimum body rate, and read_timeout for writing an answer. Framing the
// parser accepts but that allows request smuggling is refused with 400 and a
// close. A refused request that may still be sending a body is answered,
// then read and discarded up to a bound before the close (nginx's lingering
// close), so the client can read its error.
#pragma once

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <type_traits>

#include "core/log.h"
#include "http/connection_registry.h"
#include "http/messages.h"
#include "http/responses.h"
#include "http/router.h"
#include "http/server.h"
#include "http/thread_pool.h"

namespace atm {

// What every session shares: owned by the server, which outlives them.
struct SessionContext {
  const Router& router;
  const ServerOptions& options;
  ThreadPool& workers;
  ConnectionRegistry& registry;
};

template <class Stream>
class Session final : public DrainableConnection, public std::enable_shared_from_this<Session<Stream>> {
  using Clock = std::chrono::steady_clock;
  static constexpr bool kTls = !std::is_same_v<Stream, boost::beast::tcp_stream>;
  static constexpr size_t kReadSize = 4096;
  // A refused body is read and discarded up to this much, for this long.
  static constexpr size_t kMaxDiscardBytes = 1 << 20;
  static constexpr auto kLingerTime = std::chrono::seconds(5);

 public:
  Session(Stream&& stream, std::string address, const SessionContext& context)
      : stream_(std::move(stream)), timer_(stream_.get_executor()), address_(std::move(address)), ctx_(context) {}
  ~Session() override {
    SetWaiting(false);
    ctx_.registry.Release(this, address_);
  }

  void Start() {
    ctx_.registry.Track(this->weak_from_this(), this);
    if constexpr (kTls) {
      // A handshake dribbled byte by byte is cut at the read timeout.
      Lowest().expires_after(std::chrono::seconds(ctx_.options.read_timeout_seconds));
      stream_.async_handshake(boost::asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](boost::beast::error_code ec) {
                                if (ec) return self->Close();
                                self->AwaitRequest();
                              });
    } else {
      AwaitRequest();
    }
  }

  void Drain() override {
    boost::asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->draining_ = true;
      if (self->waiting_) self->Close();
    });
  }

 private:
  boost::beast::tcp_stream& Lowest() { return boost::beast::get_lowest_layer(stream_); }
  std::chrono::seconds ReadTimeout() const { return std::chrono::seconds(ctx_.options.read_timeout_seconds); }

  // Between requests: waits for the first byte of the next one.
  void AwaitRequest() {
    if (draining_) return Close();
    if (buffer_.size() > 0) return BeginRequest();  // pipelined
    buffer_.shrink_to_fit();                        // an idle connection holds no buffer
    SetWaiting(true);
    const auto keep_alive = std::chrono::seconds(ctx_.options.keep_alive_seconds);
    if constexpr (kTls) {
      // TLS may hold decrypted bytes of its own: read, with the idle limit.
      Lowest().expires_after(keep_alive);
      stream_.async_read_some(buffer_.prepare(kReadSize),
                              [self = this->shared_from_this()](boost::beast::error_code ec, size_t n) {
                                self->SetWaiting(false);
                                if (ec) return self->Close();
                                self->buffer_.commit(n);
                                self->BeginRequest();
                              });
    } else {
      timer_.expires_after(keep_alive);
      timer_.async_wait([self = this->shared_from_this()](boost::beast::error_code ec) {
        if (!ec) self->Close();  // idle for too long
      });
      Lowest().socket().async_wait(boost::asio::socket_base::wait_read,
                                   [self = this->shared_from_this()](boost::beast::error_code ec) {
                                     self->SetWaiting(false);
                                     self->timer_.cancel();
                                     if (ec) return self->Close();
                                     self->BeginRequest();
                                   });
    }
  }

  void BeginRequest() {
    if (closed_) return;
    parser_ = std::make_unique<boost::beast::http::request_parser<boost::beast::http::string_body>>();
    parser_->header_limit(static_cast<uint32_t>(std::min<size_t>(ctx_.options.max_header_bytes, UINT32_MAX)));
    parser_->body_limit(ctx_.options.max_body_bytes);
    head_deadline_ = Clock::now() + ReadTimeout();
    ParseHead();
  }

  void ParseHead() {
    if (buffer_.size() > 0) {
      boost::beast::error_code ec;
      size_t n = parser_->put(buffer_.data(), ec);
      if (ec != boost::beast::http::error::need_more) {
        bool folded = !ec && HasObsFold(n);
        buffer_.consume(n);
        if (ec) return RefuseMalformed(ec);
        if (folded) return Refuse(ErrorCode::kInvalidRequest, "a header line is folded (obs-fold, RFC 9112 §5.2)");
        return OnHead();
      }
      buffer_.consume(n);
    }
    Lowest().expires_at(head_deadline_);
    stream_.async_read_some(buffer_.prepare(kReadSize),
                            [self = this->shared_from_this()](boost::beast::error_code ec, size_t n) {
                              // Closed mid-head, or too slow (slowloris): no answer.
                              if (ec) return self->Close();
                              self->buffer_.commit(n);
                              self->ParseHead();
                            });
  }

  // RFC 9112 §5.2: obs-fold is refused. `head` bytes at the buffer's start
  // are the request line and headers that the parser took.
  bool HasObsFold(size_t head) const {
    auto data = buffer_.data();
    std::string_view text(static_cast<const char*>(data.data()), std::min(head, data.size()));
    for (size_t i = text.find("\r\n"); i != std::string_view::npos && i + 2 < text.size();
         i = text.find("\r\n", i + 2)) {
      if (text[i + 2] == ' ' || text[i + 2] == '\t') return true;
    }
    return false;
  }

  void OnHead() {
    namespace http = boost::beast::http;
    const auto& request = parser_->get();
    if (request.target().size() > ctx_.options.max_url_bytes) {
      return Refuse(ErrorCode::kUriTooLong,
                    "the request URI is too long (at most " + std::to_string(ctx_.options.max_url_bytes) + " bytes)");
    }
    // RFC 9112 §6.1, §6.3: a Transfer-Encoding must end in chunked and
    // comes without a Content-Length; anything else cannot be framed safely.
    if (request.count(http::field::transfer_encoding) > 0 &&
        (!parser_->chunked() || request.count(http::field::content_length) > 0)) {
      return Refuse(ErrorCode::kInvalidRequest, "Transfer-Encoding must end in chunked, without a Content-Length");
    }
    const bool has_body = parser_->chunked() || parser_->content_length().value_or(0) > 0;
    const http::verb method = request.method();
    const bool body_method = method == http::verb::post || method == http::verb::put || method == http::verb::patch ||
                             method == http::verb::delete_;
    if (has_body && !body_method)
      return Refuse(ErrorCode::kInvalidRequest,
                    std::string(request.method_string()) + " requests must not have a body");
    if (body_method && method != http::verb::delete_ && !parser_->chunked() && !parser_->content_length()) {
      return Refuse(ErrorCode::kLengthRequired, "Content-Length is required");
    }
    if (parser_->content_length().value_or(0) > ctx_.options.max_body_bytes) return RefuseTooLarge();
    body_started_ = Clock::now();
    body_bytes_ = 0;
    if (!parser_->is_done() && boost::beast::iequals(request[http::field::expect], "100-continue")) {
      continue_ = std::make_unique<http::response<http::empty_body>>(http::status::continue_, request.version());
      Lowest().expires_after(ReadTimeout());
      return http::async_write(stream_, *continue_,
                               [self = this->shared_from_this()](boost::beast::error_code ec, size_t) {
                                 self->continue_.reset();
                                 if (ec) return self->Close();
                                 self->ReadBody();
                               });
    }
    ReadBody();
  }

  void ReadBody() {
    while (!parser_->is_done() && buffer_.size() > 0) {
      boost::beast::error_code ec;
      size_t n = parser_->put(buffer_.data(), ec);
      buffer_.consume(n);
      if (ec == boost::beast::http::error::need_more) break;
      if (ec == boost::beast::http::error::body_limit) return RefuseTooLarge();
      if (ec) return RefuseMalformed(ec);
    }
    if (parser_->is_done()) return Dispatch();
    Lowest().expires_after(ReadTimeout());
    stream_.async_read_some(buffer_.prepare(kReadSize),
                            [self = this->shared_from_this()](boost::beast::error_code ec, size_t n) {
                              if (ec) return self->Close();
                              self->buffer_.commit(n);
                              self->body_bytes_ += n;
                              if (self->TooSlow()) return self->Close();  // slow POST
                              self->ReadBody();
                            });
  }

  // After the first read timeout, the body must keep up the minimum rate.
  bool TooSlow() const {
    size_t rate = ctx_.options.min_body_bytes_per_second;
    if (rate == 0) return false;
    auto allowed = ReadTimeout() + std::chrono::milliseconds(body_bytes_ * 1000 / rate);
    return Clock::now() - body_started_ > allowed;
  }

  void Dispatch() {
    BeastRequest request = parser_->release();
    parser_.reset();
    const unsigned version = request.version();
    const bool keep_alive = request.keep_alive();
    HttpRequest converted = ToHttpRequest(std::move(request), address_, kTls);
    converted.received = Clock::now();
    // The io_context stays up while the worker holds this request.
    auto work = boost::asio::make_work_guard(stream_.get_executor());
    ctx_.workers.Enqueue([self = this->shared_from_this(), request = std::move(converted), version, keep_alive,
                          work = std::move(work)]() mutable {
      HttpResponse response = self->ctx_.router.Handle(request);
      boost::asio::post(self->stream_.get_executor(), [self, response = std::move(response),
                                                       request = std::move(request), version, keep_alive]() mutable {
        self->Answer(std::move(response), request.method, request.path, version, keep_alive);
      });
    });
  }

  // Writes an answer; then the next request, or the close.
  void Answer(HttpResponse&& response, const std::string& method, const std::string& path, unsigned version,
              bool keep_alive, bool linger = false) {
    if (closed_) return;
    const int status = response.status;
    response_ = std::make_unique<BeastResponse>(
        ToBeastResponse(std::move(response), version, keep_alive && !draining_, method == "HEAD"));
    const bool close = !response_->keep_alive();
    // Tells clients when an idle connection closes, so that they stop reusing it
    // first (Node's agent and undici close 1 s before this hint).
    if (!close) {
      response_->set(boost::beast::http::field::keep_alive,
                     "timeout=" + std::to_string(ctx_.options.keep_alive_seconds));
    }
    Lowest().expires_after(ReadTimeout());  // the client must take the answer in time (slow read)
    boost::beast::http::async_write(
        stream_, *response_,
        [self = this->shared_from_this(), close, linger, line = method + " " + path + " " + std::to_string(status)](
            boost::beast::error_code ec, size_t) {
          self->response_.reset();
          if (self->ctx_.options.access_log) Log(LogLevel::kInfo, line + " " + self->address_);
          if (ec) return self->Close();
          if (linger) return self->Linger();
          if (close) return self->CloseWrite();
          self->AwaitRequest();
        });
  }

  // A request refused before its body was read: the answer, then a close.
  void Refuse(ErrorCode code, const std::string& description) {
    const auto& request = parser_->get();
    std::string method(request.method_string()), path(request.target().substr(0, request.target().find('?')));
    unsigned version = request.version() ? request.version() : 11;
    parser_.reset();
    HttpResponse answer = ErrorResponse(Error(code, description));
    Answer(std::move(answer.With("Connection", "close")), method, path, version, false, /*linger=*/true);
  }

  void RefuseTooLarge() {
    Refuse(ErrorCode::kPayloadTooLarge,
           "the request body is too large (at most " + std::to_string(ctx_.options.max_body_bytes) + " bytes)");
  }

  void RefuseMalformed(boost::beast::error_code ec) {
    namespace http = boost::beast::http;
    if (ec == http::error::header_limit) {
      return Refuse(ErrorCode::kHeadersTooLarge, "the request headers are too large (at most " +
                                                     std::to_string(ctx_.options.max_header_bytes) + " bytes)");
    }
    if (ec == http::error::body_limit) return RefuseTooLarge();
    Refuse(ErrorCode::kInvalidRequest, "the request is malformed (" + ec.message() + ")");
  }

  // Sends FIN, then reads and drops what the client still sends (up to a
  // bound), so that closing does not reset the connection under the answer.
  void Linger() {
    CloseWrite(/*then_close=*/false);
    buffer_.clear();
    linger_deadline_ = Clock::now() + std::min<Clock::duration>(kLingerTime, ReadTimeout());
    Discard();
  }

  void Discard() {
    if (discarded_ > kMaxDiscardBytes || Clock::now() >= linger_deadline_) return Close();
    Lowest().expires_at(linger_deadline_);
    stream_.async_read_some(buffer_.prepare(kReadSize),
                            [self = this->shared_from_this()](boost::beast::error_code ec, size_t n) {
                              if (ec) return self->Close();  // the client closed, or the time is up
                              self->discarded_ += n;
                              self->Discard();
                            });
  }

  // The answer is complete: FIN to the client, then the close.
  void CloseWrite(bool then_close = true) {
    boost::beast::error_code ignored;
    Lowest().socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    if (then_close) Close();
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    SetWaiting(false);
    timer_.cancel();
    Lowest().close();
  }

  // Between requests or not; the registry counts the idle connections.
  void SetWaiting(bool waiting) {
    if (waiting == waiting_) return;
    waiting_ = waiting;
    ctx_.registry.CountIdle(waiting ? 1 : -1);
  }

  Stream stream_;
  boost::asio::steady_timer timer_;  // the idle limit while waiting on plain TCP
  boost::beast::flat_buffer buffer_;
  // Held only while a request is read or answered (on the heap, so that an
  // idle connection does not carry their room).
  std::unique_ptr<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::unique_ptr<boost::beast::http::response<boost::beast::http::empty_body>> continue_;
  std::unique_ptr<BeastResponse> response_;
  const std::string address_;
  const SessionContext& ctx_;
  Clock::time_point head_deadline_;
  Clock::time_point body_started_;
  Clock::time_point linger_deadline_;
  size_t body_bytes_ = 0;
  size_t discarded_ = 0;
  bool waiting_ = false;  // between requests
  bool draining_ = false;
  bool closed_ = false;
};

}  // namespace atm
