#include "http/server.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <algorithm>
#include <cctype>
#include <thread>

#include "core/log.h"
#include "http/connection_guard.h"
#include "http/responses.h"
#include "http/thread_pool.h"

// httplib reads requests with recv() (plain) or SSL_read() (TLS) and accepts
// TLS with SSL_accept(); these macros route those three calls, and only in
// httplib, through the ConnectionGuard of the serving thread (request
// deadline and byte budget, see http/connection_guard.h). The system and
// OpenSSL headers above are included first so that their declarations stay
// untouched.
namespace atm {
ssize_t GuardedRecv(int socket, void* buffer, size_t length, int flags);
int GuardedSslRead(SSL* ssl, void* buffer, int length);
int GuardedSslAccept(SSL* ssl);
int GuardedSendFlags();
}  // namespace atm
#define recv(socket, buffer, length, flags) ::atm::GuardedRecv(socket, buffer, length, flags)
#define SSL_read(ssl, buffer, length) ::atm::GuardedSslRead(ssl, buffer, length)
#define SSL_accept ::atm::GuardedSslAccept
// The flags of each send() on a plain connection: MSG_MORE on the header
// block of an answer with a body (ConnectionGuard::JoinNextWrite).
#define CPPHTTPLIB_SEND_FLAGS ::atm::GuardedSendFlags()

#define CPPHTTPLIB_OPENSSL_SUPPORT
// httplib listens with a backlog of 5: a burst of new connections then has
// SYNs dropped, each costing its client a one-second retransmission.
#define CPPHTTPLIB_LISTEN_BACKLOG 1024
// poll(2) instead of select(2) before each read and write: no FD_SETSIZE
// ceiling (with select, httplib answers 500 on any connection whose
// descriptor is 1024 or more) and a little cheaper per call.
#define CPPHTTPLIB_USE_POLL
#define CPPHTTPLIB_REQUEST_URI_MAX_LENGTH 8192
#define CPPHTTPLIB_HEADER_MAX_LENGTH 8192
#include <httplib.h>

#undef recv
#undef SSL_read
#undef SSL_accept

namespace atm {

ssize_t GuardedRecv(int socket, void* buffer, size_t length, int flags) {
  ConnectionGuard* guard = ConnectionGuard::Current();
  if (guard && guard->draining()) {
    ::shutdown(socket, SHUT_WR);  // the answer is complete: the client may stop sending
    char scratch[4096];
    while (guard->KeepDraining(socket, ::recv(socket, scratch, sizeof scratch, 0))) {
    }
    return 0;
  }
  if (guard) guard->BeforeRead(socket);
  ssize_t n = ::recv(socket, buffer, length, flags);
  if (guard) guard->AfterRead(socket, n);
  return n;
}

int GuardedSslRead(SSL* ssl, void* buffer, int length) {
  ConnectionGuard* guard = ConnectionGuard::Current();
  if (guard && guard->draining()) {
    char scratch[4096];
    while (guard->KeepDraining(SSL_get_fd(ssl), ::SSL_read(ssl, scratch, sizeof scratch))) {
    }
    return 0;
  }
  if (guard) guard->BeforeRead(SSL_get_fd(ssl));
  int n = ::SSL_read(ssl, buffer, length);
  if (guard) guard->AfterRead(SSL_get_fd(ssl), n);
  return n;
}

int GuardedSendFlags() {
  ConnectionGuard* guard = ConnectionGuard::Current();
  return guard ? guard->TakeSendFlags() : 0;
}

int GuardedSslAccept(SSL* ssl) {
  // A handshake dribbled byte by byte is cut at the first request's deadline.
  if (ConnectionGuard* guard = ConnectionGuard::Current()) guard->BeforeRead(SSL_get_fd(ssl));
  return ::SSL_accept(ssl);
}

struct HttpServer::Impl {
  const Router& router;
  ServerOptions options;
  ConnectionRegistry connections;
  std::unique_ptr<httplib::Server> server;  // after `connections`: its workers use them
};

namespace {

// Request line and headers of one request, all lines together.
constexpr size_t kMaxHeaderBytes = 64 * 1024;

// The worker pool (http/thread_pool.h, grown on demand): each task serves
// one connection, under a ConnectionGuard.
class GuardedPool final : public httplib::TaskQueue {
 public:
  GuardedPool(size_t max_threads, ConnectionLimits limits, ConnectionRegistry& registry)
      : pool_(max_threads), limits_(limits), registry_(registry) {}
  void enqueue(std::function<void()> serve_connection) override {
    pool_.Enqueue([serve = std::move(serve_connection), limits = limits_, registry = &registry_] {
      ConnectionGuard guard(limits, registry);
      serve();
    });
  }
  void shutdown() override { pool_.Shutdown(); }

 private:
  ThreadPool pool_;
  ConnectionLimits limits_;
  ConnectionRegistry& registry_;
};

// Decided from the headers alone, before httplib reads a body, for what
// httplib 0.11 would mishandle: a chunked body, or a POST without a length
// (read until the connection ends), is not bounded by its body limit; a
// multipart body is parsed by httplib itself; a declared length far over the
// limit would be read and skipped; the body of a GET is not read at all. Anything else, including a body over the
// limit that httplib reads and skips (and answers 413), and content types
// the handlers refuse with 415, goes on. Returns the refusal, or status 0.
HttpResponse RefuseBody(const httplib::Request& req, size_t max_body_bytes, size_t max_skipped_bytes) {
  HttpResponse go_on;
  go_on.status = 0;
  if (req.has_header("Transfer-Encoding")) {
    return JsonError(411, "invalid_request", "send the body with a Content-Length (no Transfer-Encoding)");
  }
  bool has_body_method = req.method == "POST" || req.method == "PUT" || req.method == "PATCH";
  if (!req.has_header("Content-Length")) {
    if (has_body_method) return JsonError(411, "invalid_request", "Content-Length is required");
    return go_on;
  }
  const std::string& length = req.get_header_value("Content-Length");
  if (length.empty() || length.size() > 18 ||
      !std::all_of(length.begin(), length.end(), [](unsigned char c) { return std::isdigit(c); })) {
    return JsonError(400, "invalid_request", "Content-Length is not a number");
  }
  uint64_t bytes = std::stoull(length);
  // httplib reads bodies of these methods only; the body of a GET would be
  // parsed as the next request on the connection (request smuggling).
  bool reads_body = has_body_method || req.method == "DELETE";
  if (bytes > 0 && !reads_body) {
    return JsonError(400, "invalid_request", req.method + " requests must not have a body");
  }
  if (bytes > max_skipped_bytes) {
    return JsonError(413, "invalid_request",
                     "the request body is too large (at most " + std::to_string(max_body_bytes) + " bytes)");
  }
  std::string type = req.get_header_value("Content-Type");
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::tolower(c); });
  if (bytes > 0 && type.find("multipart/") != std::string::npos) {
    return JsonError(415, "invalid_request",
                     "Content-Type must be application/json or application/x-www-form-urlencoded");
  }
  return go_on;
}

HttpRequest Convert(const httplib::Request& req, bool tls) {
  HttpRequest out;
  out.method = req.method;
  out.path = req.path;
  out.body = req.body;
  out.remote_addr = req.remote_addr;
  out.tls = tls;
  for (const auto& [name, value] : req.headers) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    out.headers.emplace(std::move(lower), value);
  }
  size_t q = req.target.find('?');
  if (q != std::string::npos) out.query_string = req.target.substr(q + 1);
  return out;
}

void Write(const HttpResponse& from, httplib::Response& to) {
  to.status = from.status;
  for (const auto& [k, v] : from.headers) to.set_header(k, v);
  to.set_header("X-Content-Type-Options", "nosniff");
  to.set_header("Referrer-Policy", "no-referrer");
  if (from.body.empty() && from.content_type.empty()) return;  // 204: no body, no Content-Type
  to.set_content(from.body, from.content_type);
}

const char* StatusCode(int status) {
  switch (status) {
    case 400: return "invalid_request";
    case 404: return "not_found";
    case 413: return "invalid_request";
    case 414: return "invalid_request";
    case 431: return "invalid_request";
    default: return status >= 500 ? "server_error" : "invalid_request";
  }
}

const char* StatusText(int status) {
  switch (status) {
    case 400: return "the request is malformed";
    case 413: return "the request body is too large";
    case 414: return "the request URI is too long";
    case 431: return "the request headers are too large";
    default: return status >= 500 ? "the server hit an unexpected error" : "the request was refused";
  }
}

}  // namespace

HttpServer::HttpServer(const Router& router, ServerOptions options)
    : impl_(new Impl{router, std::move(options), {}, nullptr}) {
  auto& o = impl_->options;
  if (!o.tls_cert_file.empty()) {
    std::string cert = o.tls_cert_file, key = o.tls_key_file;
    impl_->server = std::make_unique<httplib::SSLServer>([cert, key](SSL_CTX& ctx) {
      SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
      return SSL_CTX_use_certificate_chain_file(&ctx, cert.c_str()) == 1 &&
             SSL_CTX_use_PrivateKey_file(&ctx, key.c_str(), SSL_FILETYPE_PEM) == 1 &&
             SSL_CTX_check_private_key(&ctx) == 1;
    });
  } else {
    impl_->server = std::make_unique<httplib::Server>();
  }
  auto& svr = *impl_->server;
  int threads = o.threads > 0 ? o.threads
                              : static_cast<int>(std::max(32u, 4 * std::thread::hardware_concurrency()));
  ConnectionLimits limits;
  limits.request_deadline = std::chrono::seconds(o.read_timeout_seconds + o.keep_alive_seconds);
  // The body limit itself is httplib's (413); the budget only has to stop
  // what gets past it: endless header lines.
  limits.max_request_bytes = o.max_body_bytes + kMaxHeaderBytes + 16 * 1024;
  ConnectionRegistry* registry = &impl_->connections;
  svr.new_task_queue = [threads, limits, registry] {
    return new GuardedPool(static_cast<size_t>(threads), limits, *registry);
  };
  // httplib's default sets SO_REUSEPORT, which lets a second server bind a
  // port in use and silently share its connections. SO_REUSEADDR alone still
  // allows a restart while old connections sit in TIME_WAIT.
  svr.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  svr.set_payload_max_length(o.max_body_bytes);
  svr.set_read_timeout(o.read_timeout_seconds, 0);
  svr.set_write_timeout(o.read_timeout_seconds, 0);
  svr.set_keep_alive_timeout(o.keep_alive_seconds);
  svr.set_keep_alive_max_count(10000);
  // httplib writes headers and body separately: without TCP_NODELAY, on a
  // reused connection Nagle's algorithm holds the body for the client's
  // delayed ACK (40 ms per request on Linux).
  svr.set_tcp_nodelay(true);
  bool tls = !o.tls_cert_file.empty();
  auto handle = [this, tls](const httplib::Request& req, httplib::Response& res) {
    Write(impl_->router.Handle(Convert(req, tls)), res);
    // httplib sends no body for HEAD: nothing would follow the headers.
    if (ConnectionGuard* guard = ConnectionGuard::Current(); guard && req.method != "HEAD" && !res.body.empty()) {
      guard->JoinNextWrite();
    }
  };
  const size_t max_body = o.max_body_bytes;
  const size_t max_skipped = o.max_body_bytes + kMaxHeaderBytes;
  svr.set_pre_routing_handler([max_body, max_skipped](const httplib::Request& req, httplib::Response& res) {
    HttpResponse refusal = RefuseBody(req, max_body, max_skipped);
    if (refusal.status == 0) return httplib::Server::HandlerResponse::Unhandled;
    Write(refusal.With("Connection", "close"), res);
    // The body is not read: the connection carries no further request.
    if (ConnectionGuard* guard = ConnectionGuard::Current()) guard->CloseAfterResponse();
    return httplib::Server::HandlerResponse::Handled;
  });
  svr.Get(".*", handle);
  svr.Post(".*", handle);
  svr.Put(".*", handle);
  svr.Patch(".*", handle);
  svr.Delete(".*", handle);
  svr.Options(".*", handle);
  // httplib's own refusals (413, 414, 400 for a bad request line) get a JSON body.
  svr.set_error_handler(httplib::Server::HandlerWithResponse(
      [](const httplib::Request&, httplib::Response& res) -> httplib::Server::HandlerResponse {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    Write(JsonError(res.status, StatusCode(res.status), StatusText(res.status)), res);
    return httplib::Server::HandlerResponse::Handled;
  }));
  svr.set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr) {
    Log(LogLevel::kError, "unhandled exception on " + req.path);
    Write(JsonError(500, "server_error", "the server hit an unexpected error"), res);
  });
  // httplib calls its logger once the response is written: the connection
  // then waits for its next request.
  svr.set_logger([access_log = o.access_log](const httplib::Request& req, const httplib::Response& res) {
    if (ConnectionGuard* guard = ConnectionGuard::Current()) guard->NextRequest();
    if (access_log) {
      Log(LogLevel::kInfo, req.method + " " + req.path + " " + std::to_string(res.status) + " " + req.remote_addr);
    }
  });
}

HttpServer::~HttpServer() = default;

bool HttpServer::tls() const { return !impl_->options.tls_cert_file.empty(); }

Result<int> HttpServer::Bind() {
  auto& svr = *impl_->server;
  if (!svr.is_valid()) {
    return Error("invalid_config", "server.tls: cannot load the certificate or key (" +
                                       impl_->options.tls_cert_file + ", " + impl_->options.tls_key_file + ")");
  }
  const auto& o = impl_->options;
  if (o.port == 0) {
    int port = svr.bind_to_any_port(o.host);
    if (port < 0) return Error("invalid_config", "cannot listen on " + o.host + ": " + std::strerror(errno));
    return port;
  }
  if (!svr.bind_to_port(o.host, o.port)) {
    return Error("invalid_config", "cannot listen on " + o.host + ":" + std::to_string(o.port) + ": " +
                                       std::strerror(errno) + " (is another server using the port?)");
  }
  return o.port;
}

void HttpServer::Listen() { impl_->server->listen_after_bind(); }

void HttpServer::Stop() {
  impl_->server->stop();
  // Connections idle between requests would each hold the stop for up to
  // the keep-alive timeout; requests in progress finish.
  impl_->connections.ShutdownIdle();
}

}  // namespace atm
