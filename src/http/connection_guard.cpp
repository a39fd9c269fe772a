#include "http/connection_guard.h"

#include <sys/socket.h>

namespace atm {
namespace {

thread_local ConnectionGuard* t_current = nullptr;

}  // namespace

void ConnectionRegistry::ShutdownIdle() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (ConnectionGuard* g : guards_) {
    if (g->idle_ && g->socket_ >= 0) ::shutdown(g->socket_, SHUT_RDWR);
  }
}

ConnectionGuard::ConnectionGuard(ConnectionLimits limits, ConnectionRegistry* registry)
    : limits_(limits),
      deadline_(limits.now() + limits.request_deadline),
      previous_(t_current),
      registry_(registry) {
  t_current = this;
  if (registry_) {
    std::lock_guard<std::mutex> lock(registry_->mutex_);
    registry_->guards_.insert(this);
  }
}

ConnectionGuard::~ConnectionGuard() {
  t_current = previous_;
  if (registry_) {
    std::lock_guard<std::mutex> lock(registry_->mutex_);
    registry_->guards_.erase(this);
  }
}

ConnectionGuard* ConnectionGuard::Current() { return t_current; }

void ConnectionGuard::Cut(int socket) {
  cut_ = true;
  ::shutdown(socket, SHUT_RDWR);
}

bool ConnectionGuard::BeforeRead(int socket) {
  if (registry_) {
    std::lock_guard<std::mutex> lock(registry_->mutex_);
    socket_ = socket;
    idle_ = false;
  }
  if (!cut_ && limits_.now() > deadline_) Cut(socket);
  return !cut_;
}

bool ConnectionGuard::AfterRead(int socket, long n) {
  if (n > 0) bytes_ += static_cast<size_t>(n);
  if (!cut_ && bytes_ > limits_.max_request_bytes) Cut(socket);
  return !cut_;
}

bool ConnectionGuard::KeepDraining(int socket, long n) {
  if (n > 0) bytes_ += static_cast<size_t>(n);
  if (n <= 0 || bytes_ > limits_.max_request_bytes || limits_.now() > deadline_) {
    if (!cut_) Cut(socket);
    return false;
  }
  return true;
}

void ConnectionGuard::NextRequest() {
  deadline_ = limits_.now() + limits_.request_deadline;
  bytes_ = 0;
  if (registry_) {
    std::lock_guard<std::mutex> lock(registry_->mutex_);
    idle_ = true;
  }
}

int ConnectionGuard::TakeSendFlags() {
  if (!join_next_write_) return 0;
  join_next_write_ = false;
  return MSG_MORE;
}

}  // namespace atm
