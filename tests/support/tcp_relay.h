// A TCP relay on 127.0.0.1 between a client under test and a server, which a
// test can cut (every connection through it closed, new ones closed at once,
// as when the server goes away) and restore: a database outage without
// stopping the database.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace atm::testing {

class TcpRelay {
 public:
  // Relays to `host`:`port`; listens on an ephemeral port (port()).
  TcpRelay(const std::string& host, int port);
  ~TcpRelay();
  TcpRelay(const TcpRelay&) = delete;
  TcpRelay& operator=(const TcpRelay&) = delete;

  int port() const { return port_; }
  // Closes every relayed connection (returning once they are closed) and
  // refuses new ones until Restore().
  void Cut();
  void Restore();

 private:
  void AcceptLoop();
  void Pump(int client);

  std::string host_;
  int target_port_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<bool> cut_{false};
  std::atomic<int> generation_{0};  // bumped by Cut: older connections close
  std::atomic<int> live_{0};        // connections being relayed
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<std::thread> pumps_;
};

}  // namespace atm::testing
