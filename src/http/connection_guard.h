// Per-connection limits that cpp-httplib 0.11 does not have:
//  - a deadline for each request to arrive in full (httplib only times out a
//    single read, so a client that sends one byte every few seconds holds a
//    worker thread for hours: slowloris);
//  - a cap on the bytes read for one request (httplib bounds the length of
//    one header line but not their number, nor a line before it ends).
//
// The worker thread serving a connection owns its guard (a stack object,
// reachable from that thread through Current()). server.cpp routes httplib's
// socket reads and TLS handshakes through the guard; when a limit is passed
// the guard shuts the socket down, so the read in progress ends and httplib
// closes the connection.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <set>

namespace atm {

class ConnectionGuard;

// The guards of one server's connections, so that a stopping server can close
// those that wait idle between requests (else SIGTERM waits for the
// keep-alive timeout of every idle client).
class ConnectionRegistry {
 public:
  // Shuts down every connection waiting for its next request. Call after the
  // server stopped accepting (so no descriptor is reused meanwhile).
  void ShutdownIdle();

 private:
  friend class ConnectionGuard;
  std::mutex mutex_;
  std::set<ConnectionGuard*> guards_;
};

struct ConnectionLimits {
  // From the moment the connection is ready for a request (accepted, or the
  // previous response sent) until the request has been read in full.
  std::chrono::milliseconds request_deadline{12000};
  // Request line + headers + body of one request.
  size_t max_request_bytes = 128 * 1024;
  // The time source (tests give a fake one).
  std::chrono::steady_clock::time_point (*now)() = &std::chrono::steady_clock::now;
};

class ConnectionGuard {
 public:
  using SteadyClock = std::chrono::steady_clock;

  // Installs itself as this thread's guard until destroyed: the thread
  // serves one connection meanwhile. `registry` may be null.
  explicit ConnectionGuard(ConnectionLimits limits, ConnectionRegistry* registry = nullptr);
  ~ConnectionGuard();
  ConnectionGuard(const ConnectionGuard&) = delete;
  ConnectionGuard& operator=(const ConnectionGuard&) = delete;

  // The guard of the connection this thread serves, or nullptr.
  static ConnectionGuard* Current();

  // Before reading from `socket`: false (and the socket is shut down, so
  // the read returns end-of-file) once the request's deadline has passed.
  bool BeforeRead(int socket);
  // After `n` bytes were read from `socket`: false (and the socket is shut
  // down) once the request has used up its byte budget.
  bool AfterRead(int socket, long n);
  // The request was read and answered: the next one gets a fresh deadline
  // and budget.
  void NextRequest();
  // The request was answered without reading its body. What the client
  // still sends is drained and discarded, never parsed as another request
  // (which would let a body smuggle a request past a proxy), and the
  // connection then closes.
  void CloseAfterResponse() { close_ = true; }
  bool draining() const { return close_; }
  // While draining: the result `n` of one read. False when draining is over
  // (end of stream, error, deadline or budget), the socket then shut down.
  bool KeepDraining(int socket, long n);

  // The response about to be written has a body: its header block is sent
  // with MSG_MORE, so that headers and body leave in one TCP segment (httplib
  // writes them with two send calls; with TCP_NODELAY each would be a packet
  // of its own, and the client would wake up twice).
  void JoinNextWrite() { join_next_write_ = true; }
  // The flags for the next send: MSG_MORE once after JoinNextWrite().
  int TakeSendFlags();

  bool cut() const { return cut_; }

 private:
  friend class ConnectionRegistry;
  void Cut(int socket);

  ConnectionLimits limits_;
  SteadyClock::time_point deadline_;
  size_t bytes_ = 0;
  bool cut_ = false;
  bool close_ = false;
  bool join_next_write_ = false;
  ConnectionGuard* previous_;
  ConnectionRegistry* registry_;
  // Shared with ConnectionRegistry::ShutdownIdle, under its mutex.
  int socket_ = -1;
  bool idle_ = false;  // answered a request, waiting for the next one
};

}  // namespace atm
