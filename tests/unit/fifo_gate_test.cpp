// The gate in front of token signing (core/fifo_gate.h): a bound on holders,
// and admission in arrival order.
#include "core/fifo_gate.h"
#include "support/wait_for.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

using namespace atm;

using atm::testing::WaitFor;

TEST_CASE("the gate never lets more than its slots through at once") {
  FifoGate gate(2);
  std::atomic<int> inside{0};
  std::atomic<int> most{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        FifoGate::Pass pass(gate);
        int now = ++inside;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::yield();
        --inside;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(most.load() == 2);
  CHECK(inside.load() == 0);
}

TEST_CASE("waiters are admitted in the order they arrived") {
  FifoGate gate(1);
  std::vector<int> order;
  std::mutex order_mutex;
  std::vector<std::thread> waiters;
  {
    FifoGate::Pass holder(gate);
    for (int i = 0; i < 6; ++i) {
      waiters.emplace_back([&, i] {
        FifoGate::Pass pass(gate);
        std::lock_guard<std::mutex> lock(order_mutex);
        order.push_back(i);
      });
      // Waiter i is queued before waiter i + 1 starts.
      REQUIRE(WaitFor([&] { return gate.waiting() == static_cast<size_t>(i + 1); }));
    }
  }
  for (auto& t : waiters) t.join();
  CHECK(order == std::vector<int>{0, 1, 2, 3, 4, 5});
}
