// The HTTP server's options, each with its default: also the [server]
// section of the config file (config/config.h), so defaults are written once.
#pragma once

#include <cstddef>
#include <string>

namespace atm {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                      // 0 = an ephemeral port
  int threads = 0;                      // handler workers; 0 = max(32, 4 x cores)
  size_t max_body_bytes = 64 * 1024;    // larger bodies get 413
  size_t max_header_bytes = 64 * 1024;  // request line and headers; more gets 431
  size_t max_url_bytes = 8192;          // a longer request target gets 414
  // Once a request's first byte arrived, its head must be complete within
  // this; it is also the longest wait for any single read of a body, and for
  // the client to take each part of an answer.
  int read_timeout_seconds = 10;
  // A body must arrive at least this fast after the first read_timeout
  // (slow POST); 0 = no minimum.
  size_t min_body_bytes_per_second = 1024;
  // Idle time allowed before a request starts: on a new connection and
  // between requests. Node's HTTP clients reuse a connection only when the
  // server allows more than a second after their own one-second margin.
  int keep_alive_seconds = 5;
  size_t max_connections = 0;             // 0 = from RLIMIT_NOFILE (raised to its hard limit)
  size_t max_connections_per_client = 0;  // per remote address; 0 = no limit
  bool access_log = true;
  std::string tls_cert_file;  // both set: HTTPS (TLS 1.2+)
  std::string tls_key_file;
};

}  // namespace atm
