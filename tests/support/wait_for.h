// Polls `done` every millisecond until it holds: true, or false after 10 s.
// For tests that wait for another thread to reach a state.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace atm::testing {

inline bool WaitFor(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace atm::testing
