#include "http/server.h"

#define CPPHTTPLIB_OPENSSL_SUPPORT
#define CPPHTTPLIB_REQUEST_URI_MAX_LENGTH 8192
#define CPPHTTPLIB_HEADER_MAX_LENGTH 8192
#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <thread>

#include "core/log.h"
#include "http/responses.h"

namespace atm {

struct HttpServer::Impl {
  const Router& router;
  ServerOptions options;
  std::unique_ptr<httplib::Server> server;
};

namespace {

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
    : impl_(new Impl{router, std::move(options), nullptr}) {
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
  svr.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
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
  svr.set_keep_alive_timeout(2);
  svr.set_keep_alive_max_count(10000);
  bool tls = !o.tls_cert_file.empty();
  auto handle = [this, tls](const httplib::Request& req, httplib::Response& res) {
    Write(impl_->router.Handle(Convert(req, tls)), res);
  };
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
  if (o.access_log) {
    svr.set_logger([](const httplib::Request& req, const httplib::Response& res) {
      Log(LogLevel::kInfo, req.method + " " + req.path + " " + std::to_string(res.status) + " " + req.remote_addr);
    });
  }
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

void HttpServer::Stop() { impl_->server->stop(); }

}  // namespace atm
