// The requests one route answered: a count per status code and a latency
// histogram. Kept by the Router, one per registered route (and one for
// paths that match none), so the route label of the metrics is always a
// registered pattern, never a raw path.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>

#include "core/metrics.h"

namespace atm {

class RouteStats {
 public:
  static constexpr int kMinStatus = 100;
  static constexpr int kMaxStatus = 599;

  // A status outside 100..599 (none is sent) counts as 599.
  void Record(int status, std::chrono::nanoseconds elapsed) {
    if (status < kMinStatus || status > kMaxStatus) status = kMaxStatus;
    by_status_[status - kMinStatus].Add();
    latency_.Observe(elapsed);
  }
  uint64_t count(int status) const {
    if (status < kMinStatus || status > kMaxStatus) return 0;
    return by_status_[status - kMinStatus].value();
  }
  const LatencyHistogram& latency() const { return latency_; }

 private:
  std::array<Counter, kMaxStatus - kMinStatus + 1> by_status_;
  LatencyHistogram latency_;
};

}  // namespace atm
