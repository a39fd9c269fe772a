// Brute-force throttling of password sign-ins (RFC 6749 §10.10 "Credentials-
// Guessing Attacks", OWASP ASVS 2.2.1): exponential backoff per account and
// client network, per account, and per client network.
//
// Designed so an attacker cannot lock a user out for long:
//  - the backoff of one account from one network is capped (max_delay,
//    default a minute), and a successful sign-in from there resets it;
//  - the per-account rule only slows (a short cap), and it does not apply to
//    a network that signed in to that account recently (trust_for), so the
//    user's usual device is not slowed by attacks from elsewhere;
//  - the per-network rule (credential stuffing from one address) affects only
//    that network.
// Counters are kept for any submitted login name, existing or not, so the
// throttle reveals nothing about which accounts exist.
//
// In memory, bounded (the least recently used entry is evicted), and timed
// by the injected Clock. Thread-safe.
#pragma once

#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/clock.h"

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
  BackoffRule pair{5, 1, 60};      // one account from one client network
  BackoffRule account{20, 1, 30};  // one account from anywhere: slows, never locks
  BackoffRule network{100, 1, 300};  // one client network, any account
  int64_t forget_after = 3600;     // a counter idle this long starts again from zero
  int64_t trust_for = 30 * 86400;  // a network that signed in skips the account rule
  size_t max_entries = 100000;     // memory bound (about 250 bytes each)
};

struct ThrottleDecision {
  bool allowed = true;
  int64_t retry_after = 0;  // seconds, when not allowed
};

class Throttle {
 public:
  Throttle(const Clock& clock, ThrottlePolicy policy) : clock_(clock), policy_(policy) {}
  Throttle(const Throttle&) = delete;
  Throttle& operator=(const Throttle&) = delete;

  // Before a password is checked. When allowed, the attempt is counted as a
  // failure at once (so parallel guesses are counted too) until Succeeded()
  // says otherwise. `account` names the account tried (any string, e.g.
  // client id + login name), `client_ip` where the request came from.
  ThrottleDecision Admit(const std::string& account, const std::string& client_ip);
  // The password was right: resets the account+network backoff, trusts the
  // network for this account, and takes back the counted failure.
  void Succeeded(const std::string& account, const std::string& client_ip);

  size_t size() const;
  const ThrottlePolicy& policy() const { return policy_; }

 private:
  struct Entry {
    int failures = 0;
    int64_t last_failure = 0;
    int64_t trusted_until = 0;
    std::list<std::string>::iterator lru;
  };
  struct Keys {
    std::string pair, account, network;
  };

  Keys KeysFor(const std::string& account, const std::string& client_ip) const;
  Entry& Touch(const std::string& key, int64_t now);
  int64_t Wait(const Entry& e, const BackoffRule& rule, int64_t now) const;

  const Clock& clock_;
  const ThrottlePolicy policy_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> lru_;  // most recently used first
};

// The client "network" that per-address rules count: the IPv4 address, or
// the /64 prefix of an IPv6 address (one host usually owns a whole /64).
std::string ClientNetwork(const std::string& ip);

}  // namespace atm
