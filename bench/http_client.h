// The HTTP/1.1 pieces of the load generator: request formatting, an
// incremental response parser (Content-Length bodies, which is what atm
// sends), and a blocking one-request client for setup work and /health polls.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace atm::bench {

// A keep-alive request for 127.0.0.1:port; `body` empty means no body.
std::string FormatRequest(std::string_view method, std::string_view path, int port, std::string_view body = {},
                          std::string_view content_type = "application/json");

class ResponseParser {
 public:
  enum class State { kIncomplete, kDone, kError };

  // Appends received bytes; kDone once a whole response is buffered.
  State Feed(const char* data, size_t size);
  int status() const { return status_; }
  std::string_view body() const;
  // The server said "Connection: close": reconnect before the next request.
  bool close() const { return close_; }
  // Forgets the parsed response (keeping any bytes that follow it).
  void Next();
  size_t buffered() const { return buffer_.size(); }

 private:
  State Parse();

  std::string buffer_;
  size_t header_end_ = 0;  // 0 = headers not complete yet
  size_t content_length_ = 0;
  int status_ = 0;
  bool close_ = false;
};

// Connects to 127.0.0.1:port with TCP_NODELAY; -1 on failure.
int ConnectLoopback(int port);

struct Response {
  int status = 0;
  std::string body;
};

// Sends one request on a fresh connection and reads the answer; nullopt on a
// socket error or when `timeout` passes.
std::optional<Response> Fetch(int port, std::string_view method, std::string_view path, std::string_view body = {},
                              std::chrono::milliseconds timeout = std::chrono::seconds(10));

// One keep-alive connection for sequential requests (the control calls'
// latencies): it reconnects when the server closed it or said
// "Connection: close".
class KeepAliveClient {
 public:
  explicit KeepAliveClient(int port) : port_(port) {}
  ~KeepAliveClient();
  KeepAliveClient(const KeepAliveClient&) = delete;
  KeepAliveClient& operator=(const KeepAliveClient&) = delete;

  // Sends one request and reads its answer; nullopt on a socket error or
  // when `timeout` passes (the connection is then dropped).
  std::optional<Response> Send(std::string_view method, std::string_view path, std::string_view body = {},
                               std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // How many times it had to connect (1 when keep-alive held throughout).
  int connects() const { return connects_; }

 private:
  void Drop();

  int port_;
  int fd_ = -1;
  int connects_ = 0;
  ResponseParser parser_;
};

}  // namespace atm::bench
