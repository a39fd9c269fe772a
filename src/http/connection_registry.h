// Which connections are open: counts them against the server's limits (in
// all, and per client address), and reaches every one of them to drain the
// server on SIGTERM. It knows nothing of sockets or of the HTTP library.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace atm {

// A connection as the registry sees it.
class DrainableConnection {
 public:
  virtual ~DrainableConnection() = default;
  // Closes the connection if it is between requests, or else after the
  // answer in progress. Called from any thread: it only hands the work to
  // the connection's own executor.
  virtual void Drain() = 0;
};

class ConnectionRegistry {
 public:
  struct Limits {
    size_t max_connections = 0;              // 0 = no limit
    size_t max_connections_per_address = 0;  // 0 = no limit
  };
  enum class Admission { kAdmitted, kServerFull, kAddressFull, kDraining };

  explicit ConnectionRegistry(Limits limits) : limits_(limits) {}
  ConnectionRegistry(const ConnectionRegistry&) = delete;
  ConnectionRegistry& operator=(const ConnectionRegistry&) = delete;

  // Counts a connection from `address` when the limits allow it. An
  // admitted connection is Tracked once it exists and Released when it ends.
  Admission Admit(const std::string& address);
  void Track(std::weak_ptr<DrainableConnection> connection, const DrainableConnection* key);
  void Release(const DrainableConnection* key, const std::string& address);
  // Admits nothing more and drains every tracked connection.
  void DrainAll();

  size_t open() const;
  // Connections between requests (waiting for the next one): each
  // connection adds 1 when it starts waiting and -1 when it stops.
  void CountIdle(int delta) { idle_.fetch_add(delta, std::memory_order_relaxed); }
  int64_t idle() const { return idle_.load(std::memory_order_relaxed); }

 private:
  const Limits limits_;
  mutable std::mutex mutex_;
  size_t open_ = 0;
  bool draining_ = false;
  std::atomic<int64_t> idle_{0};
  std::unordered_map<std::string, size_t> per_address_;
  std::unordered_map<const DrainableConnection*, std::weak_ptr<DrainableConnection>> tracked_;
};

}  // namespace atm
