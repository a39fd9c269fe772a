// Sign-in throttle counters shared by every atm node on one database
// (PostgreSQL): a node reads them before checking a password and adds its
// verdict after, so failures count across nodes (domain/throttle.h). A
// single-node SQLite store has no such table: the throttle keeps its
// counters in memory there.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace atm {

struct ThrottleCounter {
  std::string key;
  int failures = 0;
  int64_t last_failure = 0;   // unix seconds of the latest failure
  int64_t trusted_until = 0;  // a network that signed in to the account: until then
};

class ThrottleStore {
 public:
  virtual ~ThrottleStore() = default;
  // The counters with these keys (one query; keys without a row are left out).
  virtual Result<std::vector<ThrottleCounter>> GetThrottleCounters(const std::vector<std::string>& keys) = 0;
  // One failure at `now` on each key, atomically (concurrent failures on
  // several nodes all count): a counter whose last failure is `forget_after`
  // seconds old or older starts again from 1.
  virtual Status AddThrottleFailures(const std::vector<std::string>& keys, int64_t now, int64_t forget_after) = 0;
  // A success: `key` goes back to no failures and is trusted until `trusted_until`.
  virtual Status TrustThrottleKey(const std::string& key, int64_t trusted_until) = 0;
  // Forgets counters idle for `forget_after` seconds and not trusted at `now`.
  virtual Status PurgeThrottle(int64_t now, int64_t forget_after) = 0;
  // Forgets every counter (the test-control API's reset).
  virtual Status ClearThrottle() = 0;
};

}  // namespace atm
