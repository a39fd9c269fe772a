// The pool that runs handlers: one complete request per job (connections
// themselves live on the I/O threads and hold no worker), grown on demand up
// to a bound.
// Starting empty keeps start-up short (no burst of thread creation before the
// first request can be accepted) and idle memory low (no stacks nobody
// uses); a worker, once made, stays for the next request.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace atm {

class ThreadPool {
 public:
  explicit ThreadPool(size_t max_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Runs `job` on an idle worker, on a new one when none is idle and the
  // bound allows, or else when a worker frees up.
  void Enqueue(std::function<void()> job);
  // Finishes the queued jobs and joins every worker.
  void Shutdown();

  size_t threads() const;
  // Workers waiting for a job.
  size_t idle() const;

 private:
  void Work();

  const size_t max_threads_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  size_t idle_ = 0;
  bool stopping_ = false;
};

}  // namespace atm
