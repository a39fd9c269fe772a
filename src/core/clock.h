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
// is 0 unless testing is on. It is kept in nanoseconds, so that Set(t) makes
// Now() read exactly t for the next whole second, whatever the fraction of the
// real second at which it was called.
class AdjustableClock final : public Clock {
 public:
  int64_t Now() const override { return FloorSeconds(RealNanos() + offset_ns_.load(std::memory_order_relaxed)); }
  int64_t RealNow() const { return FloorSeconds(RealNanos()); }
  // The offset in whole seconds (rounded toward zero).
  int64_t offset() const { return offset_ns_.load(std::memory_order_relaxed) / kNanos; }
  void Advance(int64_t seconds) { offset_ns_.fetch_add(seconds * kNanos, std::memory_order_relaxed); }
  void Set(int64_t unix_seconds) { offset_ns_.store(unix_seconds * kNanos - RealNanos(), std::memory_order_relaxed); }
  void Reset() { offset_ns_.store(0, std::memory_order_relaxed); }

 private:
  static constexpr int64_t kNanos = 1'000'000'000;
  static int64_t RealNanos() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  static int64_t FloorSeconds(int64_t nanos) { return nanos / kNanos - (nanos % kNanos < 0 ? 1 : 0); }
  std::atomic<int64_t> offset_ns_{0};
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
