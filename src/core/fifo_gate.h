// A gate that lets at most N threads through at once, in the order they
// arrived. Token signing goes through one sized to the machine's cores: with
// sixteen connections signing at once the scheduler time-slices them all and
// a request preempted mid-signature waits several slices (the latency tail);
// through the gate each signature runs to its end and requests finish in
// arrival order. A released slot is handed to the oldest waiter directly.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>

namespace atm {

class FifoGate {
 public:
  explicit FifoGate(size_t slots) : free_(slots == 0 ? 1 : slots) {}
  FifoGate(const FifoGate&) = delete;
  FifoGate& operator=(const FifoGate&) = delete;

  // Threads waiting for a slot.
  size_t waiting() {
    std::lock_guard<std::mutex> lock(mutex_);
    return waiters_.size();
  }

  // Holds a slot until destroyed; a null gate admits at once.
  class Pass {
   public:
    explicit Pass(FifoGate* gate) : gate_(gate) {
      if (gate_) gate_->Enter();
    }
    explicit Pass(FifoGate& gate) : Pass(&gate) {}
    ~Pass() {
      if (gate_) gate_->Leave();
    }
    Pass(const Pass&) = delete;
    Pass& operator=(const Pass&) = delete;

   private:
    FifoGate* gate_;
  };

 private:
  struct Waiter {
    std::condition_variable cv;
    bool admitted = false;
  };

  void Enter() {
    std::unique_lock<std::mutex> lock(mutex_);
    if (free_ > 0 && waiters_.empty()) {
      --free_;
      return;
    }
    Waiter me;
    waiters_.push_back(&me);
    me.cv.wait(lock, [&me] { return me.admitted; });
  }

  void Leave() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (waiters_.empty()) {
      ++free_;
      return;
    }
    Waiter* next = waiters_.front();
    waiters_.pop_front();
    next->admitted = true;
    next->cv.notify_one();
  }

  std::mutex mutex_;
  size_t free_;
  std::deque<Waiter*> waiters_;
};

}  // namespace atm
