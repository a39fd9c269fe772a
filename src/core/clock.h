// Time comes through a Clock so that expiry tests move a fake clock instead of
// sleeping.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace atm {

class Clock {
 public:
  virtual ~Clock() = default;
  // Seconds since the Unix epoch.
  virtual int64_t Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t Now() const override {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

// The system clock moved by an offset, which the test-control API sets
// (README "Testing against atm"); every expiry in atm follows it. The offset
// is 0 unless testing is on.
class AdjustableClock final : public Clock {
 public:
  int64_t Now() const override { return system_.Now() + offset_.load(std::memory_order_relaxed); }
  int64_t offset() const { return offset_.load(std::memory_order_relaxed); }
  void SetOffset(int64_t seconds) { offset_.store(seconds, std::memory_order_relaxed); }

 private:
  SystemClock system_;
  std::atomic<int64_t> offset_{0};
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t now = 1700000000) : now_(now) {}
  int64_t Now() const override { return now_.load(); }
  void Advance(int64_t seconds) { now_ += seconds; }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace atm
