#include "http/server.h"

#include <openssl/ssl.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/http/write.hpp>
#include <thread>
#include <vector>

#include "http/connection_registry.h"
#include "http/session.h"
#include "http/thread_pool.h"

namespace atm {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

using PlainSession = Session<boost::beast::tcp_stream>;
using TlsSession = Session<boost::beast::ssl_stream<boost::beast::tcp_stream>>;

// Descriptors kept for everything but connections (the database, its WAL,
// logs, the listening socket).
constexpr rlim_t kReservedDescriptors = 64;

// Raises the open-file limit to its hard limit; returns the soft limit in force.
rlim_t RaiseDescriptorLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur;
}

size_t WorkerThreads(const ServerOptions& o) {
  if (o.threads > 0) return static_cast<size_t>(o.threads);
  return std::max(32u, 4 * std::thread::hardware_concurrency());
}

size_t IoThreads() { return std::clamp(std::thread::hardware_concurrency(), 1u, 4u); }

// Refused at the door (over a connection limit): a plain-text client is told
// why, best effort and without waiting; a TLS client sees the close.
void TurnAway(tcp::socket& socket, bool tls, const char* why) {
  boost::system::error_code ignored;
  if (!tls) {
    HttpResponse answer = ErrorResponse(Error(ErrorCode::kTemporarilyUnavailable, why));
    answer.With("Retry-After", "1");
    BeastResponse message = ToBeastResponse(std::move(answer), 11, /*keep_alive=*/false, /*head=*/false);
    socket.non_blocking(true, ignored);
    boost::beast::http::write(socket, message, ignored);  // a short write is not waited for
    socket.shutdown(tcp::socket::shutdown_send, ignored);
  }
  socket.close(ignored);
}

}  // namespace

struct HttpServer::Impl {
  Impl(const Router& r, ServerOptions o)
      : router(r),
        options(std::move(o)),
        workers(WorkerThreads(options)),
        registry({options.max_connections, options.max_connections_per_client}),
        context{router, options, workers, registry},
        io(static_cast<int>(IoThreads())),
        acceptor(io),
        retry(io) {}

  void Accept();

  const Router& router;
  ServerOptions options;  // max_connections is settled in Bind
  ThreadPool workers;
  ConnectionRegistry registry;
  SessionContext context;
  std::optional<net::ssl::context> tls;
  std::atomic<bool> stopped{false};
  // Declared after what sessions use: destroying the io_context destroys
  // the handlers that still hold sessions.
  net::io_context io;
  tcp::acceptor acceptor;
  net::steady_timer retry;  // after an accept error such as EMFILE
};

void HttpServer::Impl::Accept() {
  acceptor.async_accept(net::make_strand(io), [this](boost::system::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
    if (ec) {
      // Out of descriptors, or the like: try again shortly rather than spin.
      Log(LogLevel::kWarn, "accept failed: " + ec.message());
      retry.expires_after(std::chrono::milliseconds(100));
      retry.async_wait([this](boost::system::error_code e) {
        if (!e) Accept();
      });
      return;
    }
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    std::string address = socket.remote_endpoint(ignored).address().to_string();
    switch (registry.Admit(address)) {
      case ConnectionRegistry::Admission::kAdmitted:
        if (tls) {
          std::make_shared<TlsSession>(boost::beast::ssl_stream<boost::beast::tcp_stream>(std::move(socket), *tls),
                                       address, context)
              ->Start();
        } else {
          std::make_shared<PlainSession>(boost::beast::tcp_stream(std::move(socket)), address, context)->Start();
        }
        break;
      case ConnectionRegistry::Admission::kServerFull:
        TurnAway(socket, tls.has_value(), "the server has too many open connections (server.max_connections)");
        break;
      case ConnectionRegistry::Admission::kAddressFull:
        TurnAway(socket, tls.has_value(),
                 "this address has too many open connections (server.max_connections_per_client)");
        break;
      case ConnectionRegistry::Admission::kDraining:
        TurnAway(socket, tls.has_value(), "the server is shutting down");
        break;
    }
    Accept();
  });
}

HttpServer::HttpServer(const Router& router, ServerOptions options) : impl_(new Impl(router, std::move(options))) {}

HttpServer::~HttpServer() = default;

bool HttpServer::tls() const { return !impl_->options.tls_cert_file.empty(); }

size_t HttpServer::open_connections() const { return impl_->registry.open(); }

int64_t HttpServer::idle_connections() const { return impl_->registry.idle(); }

Result<int> HttpServer::Bind() {
  auto& o = impl_->options;
  rlim_t descriptors = RaiseDescriptorLimit();
  if (o.max_connections == 0) {
    o.max_connections = descriptors > 2 * kReservedDescriptors ? descriptors - kReservedDescriptors : 64;
  }
  if (tls()) {
    net::ssl::context ctx(net::ssl::context::tls_server);
    SSL_CTX* native = ctx.native_handle();
    SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
    // An idle TLS connection gives its read and write buffers back.
    SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
    if (SSL_CTX_use_certificate_chain_file(native, o.tls_cert_file.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(native, o.tls_key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(native) != 1) {
      return Error(ErrorCode::kInvalidConfig,
                   "server.tls: cannot load the certificate or key (" + o.tls_cert_file + ", " + o.tls_key_file + ")");
    }
    impl_->tls.emplace(std::move(ctx));
  }
  boost::system::error_code ec;
  tcp::resolver resolver(impl_->io);
  auto endpoints = resolver.resolve(o.host, std::to_string(o.port), tcp::resolver::passive, ec);
  const std::string where = o.port == 0 ? o.host : o.host + ":" + std::to_string(o.port);
  if (ec || endpoints.empty()) {
    return Error(ErrorCode::kInvalidConfig, "cannot listen on " + where + ": " + (ec ? ec.message() : "no address"));
  }
  tcp::endpoint endpoint = endpoints.begin()->endpoint();
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  // SO_REUSEADDR (not SO_REUSEPORT, which would let a second server share
  // the port): a restart may bind while old connections sit in TIME_WAIT.
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    std::string hint = ec == net::error::address_in_use ? " (is another server using the port?)" : "";
    return Error(ErrorCode::kInvalidConfig, "cannot listen on " + where + ": " + ec.message() + hint);
  }
  return static_cast<int>(acceptor.local_endpoint().port());
}

void HttpServer::Listen() {
  if (impl_->stopped) return;
  impl_->Accept();
  std::vector<std::thread> threads;
  for (size_t i = 1; i < IoThreads(); ++i) threads.emplace_back([this] { impl_->io.run(); });
  impl_->io.run();
  for (auto& t : threads) t.join();
  impl_->workers.Shutdown();
}

void HttpServer::Stop() {
  if (impl_->stopped.exchange(true)) return;
  net::post(impl_->io, [impl = impl_.get()] {
    boost::system::error_code ignored;
    impl->acceptor.close(ignored);
    impl->retry.cancel();
    impl->registry.DrainAll();
  });
}

}  // namespace atm
