#include "http/connection_registry.h"

#include <vector>

namespace atm {

ConnectionRegistry::Admission ConnectionRegistry::Admit(const std::string& address) {
  std::lock_guard lock(mutex_);
  if (draining_) return Admission::kDraining;
  if (limits_.max_connections && open_ >= limits_.max_connections) return Admission::kServerFull;
  size_t& from_address = per_address_[address];
  if (limits_.max_connections_per_address && from_address >= limits_.max_connections_per_address) {
    if (from_address == 0) per_address_.erase(address);
    return Admission::kAddressFull;
  }
  ++from_address;
  ++open_;
  return Admission::kAdmitted;
}

void ConnectionRegistry::Track(std::weak_ptr<DrainableConnection> connection, const DrainableConnection* key) {
  std::shared_ptr<DrainableConnection> drain_now;
  {
    std::lock_guard lock(mutex_);
    tracked_.emplace(key, connection);
    if (draining_) drain_now = connection.lock();
  }
  if (drain_now) drain_now->Drain();
}

void ConnectionRegistry::Release(const DrainableConnection* key, const std::string& address) {
  std::lock_guard lock(mutex_);
  tracked_.erase(key);
  auto it = per_address_.find(address);
  if (it != per_address_.end() && --it->second == 0) per_address_.erase(it);
  if (open_ > 0) --open_;
}

void ConnectionRegistry::DrainAll() {
  // Drained outside the lock: the last reference to a connection may be
  // the one taken here, and its destructor Releases it.
  std::vector<std::shared_ptr<DrainableConnection>> open;
  {
    std::lock_guard lock(mutex_);
    draining_ = true;
    for (auto& [key, weak] : tracked_) {
      if (auto connection = weak.lock()) open.push_back(std::move(connection));
    }
  }
  for (auto& connection : open) connection->Drain();
}

size_t ConnectionRegistry::open() const {
  std::lock_guard lock(mutex_);
  return open_;
}

}  // namespace atm
