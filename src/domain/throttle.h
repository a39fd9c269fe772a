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
// Parallel guesses are bounded too: while a counter is within its free
// failures, up to max_parallel attempts may be in flight (parallel sign-ins
// of a test rig are fine); once it backs off, one at a time.
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
#include "domain/throttle_policy.h"

namespace atm {

class Throttle {
 public:
  // One sign-in attempt, from admission to its verdict. Move-only; when it
  // ends without Failed() or Succeeded() (no password verdict, e.g. a
  // storage error) it counts as nothing.
  class Attempt {
   public:
    Attempt(Attempt&& other) noexcept;
    Attempt& operator=(Attempt&&) = delete;
    Attempt(const Attempt&) = delete;
    ~Attempt();
    bool allowed() const { return allowed_; }
    int64_t retry_after() const { return retry_after_; }  // seconds, when refused
    // The password was wrong: counts a failure on every counter.
    void Failed();
    // The password was right: resets the account+network backoff and trusts
    // the network for this account.
    void Succeeded();

   private:
    friend class Throttle;
    Attempt(Throttle* throttle, std::string account, std::string client_ip, bool allowed, int64_t retry_after)
        : throttle_(throttle),
          account_(std::move(account)),
          client_ip_(std::move(client_ip)),
          allowed_(allowed),
          retry_after_(retry_after) {}
    Throttle* throttle_;  // null once resolved
    std::string account_, client_ip_;
    bool allowed_;
    int64_t retry_after_;
  };

  Throttle(const Clock& clock, ThrottlePolicy policy) : clock_(clock), policy_(policy) {}
  Throttle(const Throttle&) = delete;
  Throttle& operator=(const Throttle&) = delete;

  // Before a password is checked. `account` names the account tried (any
  // string, e.g. client id + login name), `client_ip` where it came from.
  Attempt Admit(const std::string& account, const std::string& client_ip);

  size_t size() const;
  // Forgets every failure (the test-control API's reset).
  void Clear();
  const ThrottlePolicy& policy() const { return policy_; }

 private:
  enum class Verdict { kNone, kFailed, kSucceeded };
  struct Entry {
    int failures = 0;
    int in_flight = 0;
    int64_t last_failure = 0;
    int64_t trusted_until = 0;
    std::list<std::string>::iterator lru;
  };
  struct Keys {
    std::string pair, account, network;
  };

  void Finish(const std::string& account, const std::string& client_ip, Verdict verdict);
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
