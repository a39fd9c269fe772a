#include "domain/throttle.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "core/log.h"
#include "crypto/encoding.h"

namespace atm {

int64_t BackoffRule::DelayAfter(int failures) const {
  if (failures < free_failures) return 0;
  const int doublings = std::min(failures - free_failures, 40);
  int64_t delay = base_delay;
  for (int i = 0; i < doublings && delay < max_delay; ++i) delay *= 2;
  return std::min(delay, max_delay);
}

std::string ClientNetwork(const std::string& ip) {
  unsigned char v6[16];
  if (inet_pton(AF_INET6, ip.c_str(), v6) != 1) return ip;  // IPv4 (or anything else) as is
  static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(v6, kMapped, sizeof kMapped) == 0) {
    char v4[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, v6 + 12, v4, sizeof v4);
    return v4;
  }
  std::memset(v6 + 8, 0, 8);
  char out[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, v6, out, sizeof out);
  return std::string(out) + "/64";
}

Throttle::Keys Throttle::KeysFor(const std::string& account, const std::string& client_ip) const {
  // Account names are hashed: the entries stay small whatever was submitted.
  std::string a = HashSecret(account);
  std::string n = ClientNetwork(client_ip);
  return {"p" + a + n, "a" + a, "n" + n};
}

Throttle::Entry& Throttle::Touch(const std::string& key, int64_t now) {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    while (entries_.size() >= std::max<size_t>(policy_.max_entries, 3)) {
      entries_.erase(lru_.back());
      lru_.pop_back();
    }
    lru_.push_front(key);
    it = entries_.emplace(key, Entry{}).first;
    it->second.lru = lru_.begin();
  } else {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
  }
  Entry& e = it->second;
  if (e.failures > 0 && now - e.last_failure >= policy_.forget_after) e.failures = 0;
  return e;
}

int64_t Throttle::Wait(const Entry& e, const BackoffRule& rule, int64_t now) const {
  int64_t delay = rule.DelayAfter(e.failures);
  int64_t wait = delay == 0 ? 0 : std::max<int64_t>(0, e.last_failure + delay - now);
  // Parallel attempts: many while within the free failures, then one at a time.
  int cap = e.failures >= rule.free_failures ? 1 : policy_.max_parallel;
  if (e.in_flight >= cap) wait = std::max<int64_t>(wait, 1);
  return wait;
}

std::optional<std::vector<ThrottleCounter>> Throttle::ReadShared(const Keys& keys) {
  if (!shared_) return std::nullopt;
  auto counters = shared_->GetThrottleCounters({keys.pair, keys.account, keys.network});
  if (!counters) {
    Log(LogLevel::kWarn, "throttle: shared counters unreadable, using this node's: " + counters.error().description);
    return std::nullopt;
  }
  return std::move(*counters);
}

void Throttle::Merge(const std::vector<ThrottleCounter>& counters, const std::string& key, Entry& e,
                     int64_t now) const {
  // The shared row is the truth (every node's failures); no row: none.
  e.failures = 0;
  e.last_failure = 0;
  e.trusted_until = 0;
  for (const auto& c : counters) {
    if (c.key != key) continue;
    e.failures = now - c.last_failure >= policy_.forget_after ? 0 : c.failures;
    e.last_failure = c.last_failure;
    e.trusted_until = c.trusted_until;
  }
}

void Throttle::WriteShared(const Keys& keys, Verdict verdict, int64_t now) {
  Status s = Ok();
  if (verdict == Verdict::kFailed) {
    s = shared_->AddThrottleFailures({keys.pair, keys.account, keys.network}, now, policy_.forget_after);
  } else if (verdict == Verdict::kSucceeded) {
    s = shared_->TrustThrottleKey(keys.pair, now + policy_.trust_for);
  }
  if (!s) Log(LogLevel::kWarn, "throttle: shared counters not updated: " + s.error().description);
}

Throttle::Attempt Throttle::Admit(const std::string& account, const std::string& client_ip) {
  if (!policy_.enabled) return Attempt(nullptr, account, client_ip, true, 0);
  const Keys keys = KeysFor(account, client_ip);
  const int64_t now = clock_.Now();
  // Read before the lock: a database round trip must not hold up other sign-ins.
  const auto shared = ReadShared(keys);
  std::lock_guard<std::mutex> lock(mutex_);
  Entry& pair = Touch(keys.pair, now);
  Entry& acct = Touch(keys.account, now);
  Entry& net = Touch(keys.network, now);
  if (shared) {
    Merge(*shared, keys.pair, pair, now);
    Merge(*shared, keys.account, acct, now);
    Merge(*shared, keys.network, net, now);
  }
  const bool trusted = pair.trusted_until > now;
  int64_t wait = std::max(Wait(pair, policy_.pair, now), Wait(net, policy_.network, now));
  if (!trusted) wait = std::max(wait, Wait(acct, policy_.account, now));
  if (wait > 0) return Attempt(nullptr, account, client_ip, false, wait);
  for (Entry* e : {&pair, &acct, &net}) ++e->in_flight;
  return Attempt(this, account, client_ip, true, 0);
}

void Throttle::Finish(const std::string& account, const std::string& client_ip, Verdict verdict) {
  const Keys keys = KeysFor(account, client_ip);
  const int64_t now = clock_.Now();
  std::lock_guard<std::mutex> lock(mutex_);
  Entry& pair = Touch(keys.pair, now);
  Entry& acct = Touch(keys.account, now);
  Entry& net = Touch(keys.network, now);
  for (Entry* e : {&pair, &acct, &net}) {
    if (e->in_flight > 0) --e->in_flight;  // 0 when the entry was evicted meanwhile
    if (verdict == Verdict::kFailed) {
      ++e->failures;
      e->last_failure = now;
    }
  }
  if (verdict == Verdict::kSucceeded) {
    pair.failures = 0;
    pair.trusted_until = now + policy_.trust_for;
  }
}

void Throttle::Record(const std::string& account, const std::string& client_ip, Verdict verdict) {
  Finish(account, client_ip, verdict);
  if (shared_ && verdict != Verdict::kNone) WriteShared(KeysFor(account, client_ip), verdict, clock_.Now());
}

Throttle::Attempt::Attempt(Attempt&& other) noexcept
    : throttle_(other.throttle_),
      account_(std::move(other.account_)),
      client_ip_(std::move(other.client_ip_)),
      allowed_(other.allowed_),
      retry_after_(other.retry_after_) {
  other.throttle_ = nullptr;
}

Throttle::Attempt::~Attempt() {
  if (throttle_) throttle_->Record(account_, client_ip_, Verdict::kNone);
}

void Throttle::Attempt::Failed() {
  if (throttle_) throttle_->Record(account_, client_ip_, Verdict::kFailed);
  throttle_ = nullptr;
}

void Throttle::Attempt::Succeeded() {
  if (throttle_) throttle_->Record(account_, client_ip_, Verdict::kSucceeded);
  throttle_ = nullptr;
}

void Throttle::Clear() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    entries_.clear();
    lru_.clear();
  }
  if (!shared_) return;
  if (auto s = shared_->ClearThrottle(); !s) Log(LogLevel::kWarn, "throttle: " + s.error().description);
}

void Throttle::PurgeShared() {
  if (!shared_) return;
  if (auto s = shared_->PurgeThrottle(clock_.Now(), policy_.forget_after); !s) {
    Log(LogLevel::kWarn, "throttle: " + s.error().description);
  }
}

size_t Throttle::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.size();
}

}  // namespace atm
