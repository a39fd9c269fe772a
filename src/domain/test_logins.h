// The login page's shortcuts for test suites, per application (README
// "Testing against atm"): auto-login as one user, or a user picker instead of
// the password form. Only the composition root makes one, and only when
// testing is on; the OAuth endpoints then consult it.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "domain/seed_application.h"

namespace atm {

class TestLogins {
 public:
  // Replaces the settings of `client_id`; empty settings remove them.
  void Set(const std::string& client_id, const TestLogin& login) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (login.auto_login.empty() && !login.user_picker) {
      by_client_.erase(client_id);
    } else {
      by_client_[client_id] = login;
    }
  }
  std::optional<TestLogin> For(const std::string& client_id) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = by_client_.find(client_id);
    if (it == by_client_.end()) return std::nullopt;
    return it->second;
  }
  void Clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    by_client_.clear();
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, TestLogin> by_client_;
};

}  // namespace atm
