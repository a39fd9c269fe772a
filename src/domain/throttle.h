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
// by the injected Clock. Thread-safe. With several atm nodes on one database
// (PostgreSQL), the counters are shared through a ThrottleStore: a node reads
// them before each attempt and adds its verdict after, so an attacker who
// spreads guesses over the nodes is counted once. Attempts in flight stay
// per node. When the shared counters cannot be read or written (the database
// is away, and the sign-in fails anyway), the node's own counters decide.
#pragma once

#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "domain/throttle_policy.h"
#include "store/throttle_store.h"

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

  // `shared`: the counters of every node (null: this node's alone).
  Throttle(const Clock& clock, ThrottlePolicy policy, ThrottleStore* shared = nullptr)
      : clock_(clock), policy_(policy), shared_(shared) {}
  Throttle(const Throttle&) = delete;
  Throttle& operator=(const Throttle&) = delete;

  // Before a password is checked. `account` names the account tried (any
  // string, e.g. client id + login name), `client_ip` where it came from.
  Attempt Admit(const std::string& account, const std::string& client_ip);

  size_t size() const;
  // Forgets every failure (the test-control API's reset).
  void Clear();
  // Deletes the shared counters that no rule needs any more (maintenance).
  void PurgeShared();
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
  // The shared counters of `keys` (nullopt: not shared, or unreadable).
  std::optional<std::vector<ThrottleCounter>> ReadShared(const Keys& keys);
  // Puts the shared counter `key` (when among `counters`, else none) into `e`.
  void Merge(const std::vector<ThrottleCounter>& counters, const std::string& key, Entry& e, int64_t now) const;
  // An attempt's end: this node's counters, then (a verdict) the shared ones.
  void Record(const std::string& account, const std::string& client_ip, Verdict verdict);
  void WriteShared(const Keys& keys, Verdict verdict, int64_t now);

  const Clock& clock_;
  const ThrottlePolicy policy_;
  ThrottleStore* const shared_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> lru_;  // most recently used first
};

// The client "network" that per-address rules count: the IPv4 address, or
// the /64 prefix of an IPv6 address (one host usually owns a whole /64).
std::string ClientNetwork(const std::string& ip);

}  // namespace atm
