// The HTTP server: event-driven, on Boost.Beast and Boost.Asio (the only
// files that include them are in src/http/). A few I/O threads run every
// connection's reads and writes; a connection waiting for its next request
// costs a small object and a timer, no thread. Only a complete request
// reaches the worker pool, which runs the Router (signing, scrypt, SQLite)
// and hands the HttpResponse back to the connection to write. Limits (size,
// time, connections) are in ServerOptions; one access-log line per request.
#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "http/router.h"
#include "http/server_options.h"

namespace atm {

class HttpServer {
 public:
  HttpServer(const Router& router, ServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Loads the TLS certificate (when set) and binds the socket; returns the
  // real port.
  Result<int> Bind();
  // Serves until Stop(); in-flight requests finish before it returns.
  void Listen();
  // Stops accepting, closes idle connections and lets requests in progress
  // finish (each then closes). Safe to call from any thread, more than once.
  void Stop();
  bool tls() const;
  // Open connections, and those of them waiting between requests.
  size_t open_connections() const;
  int64_t idle_connections() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace atm
