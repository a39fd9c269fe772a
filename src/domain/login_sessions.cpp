#include "domain/login_sessions.h"

#include "core/log.h"
#include "crypto/encoding.h"
#include "crypto/random.h"

namespace atm {

void LoginSessions::EraseLocked(const std::string& key) {
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return;
  auto [first, last] = by_expiry_.equal_range(it->second.expires_at);
  for (auto e = first; e != last; ++e) {
    if (e->second == key) {
      by_expiry_.erase(e);
      break;
    }
  }
  sessions_.erase(it);
}

void LoginSessions::EvictExpiredLocked(int64_t now) {
  while (!by_expiry_.empty() && by_expiry_.begin()->first <= now) EraseLocked(by_expiry_.begin()->second);
}

std::string LoginSessions::SignIn(const std::string& id, const std::string& client_id, const std::string& user_id,
                                  int64_t auth_time) {
  const int64_t now = clock_.Now();
  std::string fresh = Base64UrlEncode(RandomBytes(32));
  std::string key = HashSecret(fresh);
  if (shared_) {
    auto saved = shared_->SaveLoginSignIn(id.empty() ? "" : HashSecret(id), key, client_id, {user_id, auth_time}, now,
                                          now + options_.lifetime);
    if (saved) return fresh;
    Log(LogLevel::kWarn, "sign-in session not saved: " + saved.error().description);
    return "";
  }
  std::lock_guard lock(mutex_);
  EvictExpiredLocked(now);
  // Every sign-in gets a new id (no session fixation: an id planted in the
  // browser before the sign-in never names it); the browser's other
  // sign-ins, if its old session is live, move over with their expiry.
  Session next;
  next.expires_at = now + options_.lifetime;
  if (auto old = sessions_.find(HashSecret(id)); !id.empty() && old != sessions_.end()) {
    next = old->second;
    const std::string old_key = old->first;
    EraseLocked(old_key);
  }
  next.by_client[client_id] = {user_id, auth_time};
  while (!sessions_.empty() && sessions_.size() >= options_.max_sessions) EraseLocked(by_expiry_.begin()->second);
  by_expiry_.emplace(next.expires_at, key);
  sessions_.emplace(key, std::move(next));
  return fresh;
}

Result<std::optional<SessionSignIn>> LoginSessions::Find(const std::string& id, const std::string& client_id) {
  if (id.empty()) return std::optional<SessionSignIn>();
  if (shared_) {
    auto found = shared_->FindLoginSignIn(HashSecret(id), client_id, clock_.Now());
    if (!found) return found.error();
    if (!*found) return std::optional<SessionSignIn>();
    return std::optional<SessionSignIn>(SessionSignIn{(*found)->user_id, (*found)->auth_time});
  }
  std::lock_guard lock(mutex_);
  EvictExpiredLocked(clock_.Now());
  auto it = sessions_.find(HashSecret(id));
  if (it == sessions_.end()) return std::optional<SessionSignIn>();
  auto sign_in = it->second.by_client.find(client_id);
  if (sign_in == it->second.by_client.end()) return std::optional<SessionSignIn>();
  return std::optional<SessionSignIn>(sign_in->second);
}

Result<bool> LoginSessions::End(const std::string& id) {
  if (id.empty()) return false;
  if (shared_) return shared_->EndLoginSession(HashSecret(id), clock_.Now());
  std::lock_guard lock(mutex_);
  const std::string key = HashSecret(id);
  const bool live = sessions_.count(key) > 0;
  EraseLocked(key);
  return live;
}

void LoginSessions::Clear() {
  if (shared_) {
    if (auto s = shared_->ClearLoginSessions(); !s) Log(LogLevel::kWarn, "sign-in sessions: " + s.error().description);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  sessions_.clear();
  by_expiry_.clear();
}

}  // namespace atm
