// Many keep-alive connections that each make one request and then stay open
// and silent: what an event-driven server should hold for little memory and
// no CPU (the "idle connections" scenario, bench/README.md).
#pragma once

#include <string>
#include <vector>

namespace atm::bench {

// Raises this process's open-file soft limit to its hard limit (10,000 idle
// connections need more than the usual 1,024); returns the soft limit now in
// force. atm, spawned by us, inherits it and raises its own as well.
long RaiseOpenFileLimit();

// Connections to 127.0.0.1:port, each after one GET /health answered 200.
// Closed when the object goes.
class IdleConnections {
 public:
  IdleConnections() = default;
  ~IdleConnections();
  IdleConnections(const IdleConnections&) = delete;
  IdleConnections& operator=(const IdleConnections&) = delete;

  // Opens `count` connections in batches (see OpenBatchSize); those that
  // fail to connect or to get their answer are counted, not kept.
  void Open(int port, int count);
  // How many the server has closed (or written to) since they went quiet.
  int CountClosedByPeer() const;
  void CloseAll();

  int open() const { return static_cast<int>(fds_.size()); }
  int errors() const { return errors_; }
  const std::string& first_error() const { return first_error_; }

 private:
  void OpenBatch(int port, int count);
  void Error(const std::string& why);

  std::vector<int> fds_;
  int errors_ = 0;
  std::string first_error_;
};

// Connections opened before their answers are awaited: half the kernel's
// accept queue bound (net.core.somaxconn, which caps atm's backlog), at most
// 512, so that a batch never overflows the queue and no SYN is dropped (a
// dropped SYN costs a 1 s retransmission and would show up as a slow open).
int OpenBatchSize();

}  // namespace atm::bench
