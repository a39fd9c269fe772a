// The connection pool behind the HTTP server (src/http/thread_pool.h).
#include "http/thread_pool.h"
#include "support/wait_for.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace atm {
namespace {

// Holds jobs until Open(): lets a test keep workers busy on purpose.
class Gate {
 public:
  void Wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    open_cv_.wait(lock, [this] { return open_; });
  }
  void Open() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      open_ = true;
    }
    open_cv_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable open_cv_;
  bool open_ = false;
};

using atm::testing::WaitFor;

TEST_CASE("the pool starts no thread before the first job") {
  ThreadPool pool(8);
  CHECK(pool.threads() == 0);
}

TEST_CASE("the pool reuses an idle worker instead of starting another") {
  ThreadPool pool(8);
  std::atomic<int> ran{0};
  for (int i = 0; i < 20; ++i) {
    pool.Enqueue([&] { ++ran; });
    REQUIRE(WaitFor([&] { return ran == i + 1; }));
    // The worker is back waiting before the next job arrives.
    REQUIRE(WaitFor([&] { return pool.idle() == 1; }));
  }
  CHECK(pool.threads() == 1);
}

TEST_CASE("the pool grows while every worker is busy, up to its bound") {
  ThreadPool pool(4);
  Gate gate;
  std::atomic<int> started{0};
  std::atomic<int> finished{0};
  for (int i = 0; i < 6; ++i) {
    pool.Enqueue([&] {
      ++started;
      gate.Wait();
      ++finished;
    });
  }
  REQUIRE(WaitFor([&] { return started == 4; }));
  CHECK(pool.threads() == 4);
  CHECK(started == 4);  // the two others wait for a worker
  gate.Open();
  REQUIRE(WaitFor([&] { return finished == 6; }));
  CHECK(pool.threads() == 4);
}

TEST_CASE("shutting the pool down runs the jobs already queued") {
  std::atomic<int> ran{0};
  {
    ThreadPool pool(1);
    Gate gate;
    pool.Enqueue([&] {
      gate.Wait();
      ++ran;
    });
    for (int i = 0; i < 5; ++i) pool.Enqueue([&] { ++ran; });
    gate.Open();
    pool.Shutdown();
    CHECK(ran == 6);
  }
  CHECK(ran == 6);
}

}  // namespace
}  // namespace atm
