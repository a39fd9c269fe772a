#include "http/connection_guard.h"

#include <sys/socket.h>

namespace atm {
namespace {

thread_local ConnectionGuard* t_current = nullptr;

}  // namespace

ConnectionGuard::ConnectionGuard(ConnectionLimits limits)
    : limits_(limits), deadline_(SteadyClock::now() + limits.request_deadline), previous_(t_current) {
  t_current = this;
}

ConnectionGuard::~ConnectionGuard() { t_current = previous_; }

ConnectionGuard* ConnectionGuard::Current() { return t_current; }

void ConnectionGuard::Cut(int socket) {
  cut_ = true;
  ::shutdown(socket, SHUT_RDWR);
}

bool ConnectionGuard::BeforeRead(int socket) {
  if (!cut_ && SteadyClock::now() > deadline_) Cut(socket);
  return !cut_;
}

bool ConnectionGuard::AfterRead(int socket, long n) {
  if (n > 0) bytes_ += static_cast<size_t>(n);
  if (!cut_ && bytes_ > limits_.max_request_bytes) Cut(socket);
  return !cut_;
}

bool ConnectionGuard::KeepDraining(int socket, long n) {
  if (n > 0) bytes_ += static_cast<size_t>(n);
  if (n <= 0 || bytes_ > limits_.max_request_bytes || SteadyClock::now() > deadline_) {
    if (!cut_) Cut(socket);
    return false;
  }
  return true;
}

void ConnectionGuard::NextRequest() {
  deadline_ = SteadyClock::now() + limits_.request_deadline;
  bytes_ = 0;
}

}  // namespace atm
