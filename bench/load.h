// A closed-loop load generator: `connections` keep-alive connections spread
// over `threads` epoll threads, each sending its next request as soon as the
// previous answer is in, for a fixed time or until the workload runs dry.
// With several ports (several atm nodes), connection i goes to port
// i % ports; the requests are the workload's, the same for every node (as
// behind a load balancer, which passes one Host header to all of them).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace atm::bench {

// What to send and how to judge the answers. Called from several threads,
// but each connection index only ever from one thread.
class Workload {
 public:
  virtual ~Workload() = default;
  // Fills `request` with connection `conn`'s next request; false when there
  // is nothing left to send (e.g. every minted code is spent).
  virtual bool Next(int conn, std::string& request) = 0;
  // Judges one answer; false counts it as an error.
  virtual bool Check(int conn, int status, std::string_view body) = 0;
};

struct LoadOptions {
  std::vector<int> ports;  // 127.0.0.1:port; connection i to ports[i % size]
  int connections = 1;
  int threads = 2;
  double seconds = 5;
};

struct LoadResult {
  int64_t ok = 0;
  int64_t errors = 0;
  int64_t late = 0;                  // sent in the window, answered after it (or not at all)
  double seconds = 0;                // the measured window
  std::vector<uint32_t> latency_us;  // of every answer in the window, sorted
  std::string first_error;           // status and body of the first failure

  double Rate() const { return seconds > 0 ? static_cast<double>(ok) / seconds : 0; }
  // Latency at quantile q (0..1) in milliseconds.
  double PercentileMs(double q) const;
};

LoadResult RunLoad(const LoadOptions& options, Workload& workload);

}  // namespace atm::bench
