// A gate that lets at most N threads through at once, in the order they
// arrived. Token signing goes through one sized to the machine's cores: with
// sixteen connections signing at once the scheduler time-slices them all and
// a request preempted mid-signature waits several slices (the latency tail);
// through the gate each signature runs to its end and requests finish in
// arrival order. A released slot is handed to the oldest waiter directly.
//
// A gate may also have a capacity in some unit (bytes of memory, for password
// hashing): each pass then also holds its weight, and the passes inside never
// weigh more than the capacity together. Admission stays in arrival order: a
// heavy waiter at the head is not overtaken by lighter ones behind it. A pass
// heavier than the whole capacity can never enter: callers check Fits first.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>

namespace atm {

class FifoGate {
 public:
  // `capacity` 0: no capacity, only the slots bound the passes.
  explicit FifoGate(size_t slots, uint64_t capacity = 0)
      : free_(slots == 0 ? 1 : slots), capacity_(capacity), free_capacity_(capacity) {}
  FifoGate(const FifoGate&) = delete;
  FifoGate& operator=(const FifoGate&) = delete;

  // Threads waiting for a slot.
  size_t waiting() {
    std::lock_guard<std::mutex> lock(mutex_);
    return waiters_.size();
  }
  uint64_t capacity() const { return capacity_; }
  // Whether a pass of this weight can ever enter.
  bool Fits(uint64_t weight) const { return capacity_ == 0 || weight <= capacity_; }

  // Holds a slot (and `weight` of the capacity) until destroyed; a null gate
  // admits at once. The weight must fit (Fits).
  class Pass {
   public:
    explicit Pass(FifoGate* gate, uint64_t weight = 0) : gate_(gate), weight_(weight) {
      if (gate_) gate_->Enter(weight_);
    }
    explicit Pass(FifoGate& gate, uint64_t weight = 0) : Pass(&gate, weight) {}
    ~Pass() {
      if (gate_) gate_->Leave(weight_);
    }
    Pass(const Pass&) = delete;
    Pass& operator=(const Pass&) = delete;

   private:
    FifoGate* gate_;
    uint64_t weight_;
  };

 private:
  struct Waiter {
    std::condition_variable cv;
    uint64_t weight = 0;
    bool admitted = false;
  };

  // Under mutex_: whether a pass of `weight` can enter now.
  bool Room(uint64_t weight) const { return free_ > 0 && (capacity_ == 0 || weight <= free_capacity_); }
  // Under mutex_: takes a slot and the weight.
  void Take(uint64_t weight) {
    --free_;
    if (capacity_ != 0) free_capacity_ -= weight;
  }

  void Enter(uint64_t weight) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (waiters_.empty() && Room(weight)) {
      Take(weight);
      return;
    }
    Waiter me;
    me.weight = weight;
    waiters_.push_back(&me);
    me.cv.wait(lock, [&me] { return me.admitted; });
  }

  void Leave(uint64_t weight) {
    std::lock_guard<std::mutex> lock(mutex_);
    ++free_;
    if (capacity_ != 0) free_capacity_ += weight;
    // The oldest waiters, as many as now fit, in order.
    while (!waiters_.empty() && Room(waiters_.front()->weight)) {
      Waiter* next = waiters_.front();
      waiters_.pop_front();
      Take(next->weight);
      next->admitted = true;
      next->cv.notify_one();
    }
  }

  std::mutex mutex_;
  size_t free_;
  const uint64_t capacity_;
  uint64_t free_capacity_;
  std::deque<Waiter*> waiters_;
};

}  // namespace atm
