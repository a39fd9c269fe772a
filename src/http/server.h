// The HTTP server: the only file that includes cpp-httplib. It turns httplib's
// requests into HttpRequest, hands them to the Router, and writes back the
// HttpResponse, with limits (body, URI, headers, timeouts) and one access-log
// line per request.
#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "http/router.h"

namespace atm {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0 = an ephemeral port
  int threads = 0;
  size_t max_body_bytes = 64 * 1024;
  int read_timeout_seconds = 10;
  // Idle time allowed between requests on a connection. Node's HTTP clients
  // reuse a connection only when the server allows more than a second after
  // their own one-second margin, i.e. 3 s or more.
  int keep_alive_seconds = 5;
  bool access_log = true;
  std::string tls_cert_file;  // both set: HTTPS (TLS 1.2+)
  std::string tls_key_file;
};

class HttpServer {
 public:
  HttpServer(const Router& router, ServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the socket; returns the real port.
  Result<int> Bind();
  // Serves until Stop(); in-flight requests finish before it returns.
  void Listen();
  void Stop();
  bool tls() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace atm
