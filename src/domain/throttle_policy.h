// The throttle's rules (domain/throttle.h), each with its default: also the
// [throttle] section of the config file, so defaults are written once.
#pragma once

#include <cstddef>
#include <cstdint>

namespace atm {

// failures < free_failures: no delay; then base_delay, doubling per failure,
// at most max_delay (seconds).
struct BackoffRule {
  int free_failures = 5;
  int64_t base_delay = 1;
  int64_t max_delay = 60;

  // The delay before the next attempt after `failures` failures.
  int64_t DelayAfter(int failures) const;
};

struct ThrottlePolicy {
  bool enabled = true;
  BackoffRule pair{5, 1, 60};        // one account from one client network
  BackoffRule account{20, 1, 30};    // one account from anywhere: slows, never locks
  BackoffRule network{100, 1, 300};  // one client network, any account
  int max_parallel = 32;             // attempts in flight per counter before it backs off
  int64_t forget_after = 3600;       // a counter idle this long starts again from zero
  int64_t trust_for = 30 * 86400;    // a network that signed in skips the account rule
  size_t max_entries = 100000;       // memory bound (about 250 bytes each)
};

}  // namespace atm
