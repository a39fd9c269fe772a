// Metric instruments and the Prometheus text exposition format (version
// 0.0.4, https://prometheus.io/docs/instrumenting/exposition_formats/).
//
// The instruments are cheap enough for the request path: each is a few
// relaxed atomics, with no lock and no allocation. Labels are not stored in
// the instruments: a component keeps one instrument per value of a label that
// takes a fixed set of values (an enum, a registered route), so no label can
// take an unbounded value. The component that owns the instruments writes
// them with MetricsText when /metrics is scraped.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace atm {

// A monotonic count (Prometheus "counter").
class Counter {
 public:
  void Add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down (Prometheus "gauge").
class Gauge {
 public:
  void Add(int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
  void Set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  // Sets the value to `v` if that is higher (a high-water mark).
  void Raise(int64_t v) {
    int64_t seen = value_.load(std::memory_order_relaxed);
    while (v > seen && !value_.compare_exchange_weak(seen, v, std::memory_order_relaxed)) {
    }
  }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

// A latency distribution in seconds over fixed buckets, 0.5 ms to 10 s
// (Prometheus "histogram"). Observing costs a short scan of the bounds and
// three relaxed increments; the sum is kept in nanoseconds.
class LatencyHistogram {
 public:
  static constexpr std::array<double, 14> kBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                     0.1,    0.25,  0.5,    1,     2.5,  5,     10};

  void Observe(std::chrono::nanoseconds elapsed);

  // The count of observations at or below kBounds[i] (cumulative); i ==
  // kBounds.size() is +Inf, the total count.
  uint64_t CumulativeCount(size_t i) const;
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum_seconds() const { return static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9; }

 private:
  std::array<std::atomic<uint64_t>, kBounds.size() + 1> buckets_{};  // not cumulative; the last is > 10 s
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_ns_{0};
};

using MetricLabels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// Builds one exposition: for each family, Family() once, then its samples.
class MetricsText {
 public:
  // "# HELP" and "# TYPE" lines; `type` is counter, gauge or histogram.
  void Family(std::string_view name, std::string_view type, std::string_view help);
  void Sample(std::string_view name, MetricLabels labels, double value);
  void Sample(std::string_view name, MetricLabels labels, uint64_t value);
  void Sample(std::string_view name, MetricLabels labels, int64_t value);
  // The _bucket (with le), _sum and _count samples of a histogram.
  void Histogram(std::string_view name, MetricLabels labels, const LatencyHistogram& histogram);

  const std::string& text() const { return out_; }
  std::string Take() { return std::move(out_); }

  // The content type of the text format.
  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  void Name(std::string_view name, MetricLabels labels, std::string_view le = {});
  std::string out_;
};

// A label value as the format writes it: backslash, double quote and newline
// escaped.
std::string EscapeLabelValue(std::string_view value);
// A sample value: integers without a fraction, +Inf/-Inf/NaN by name,
// otherwise the shortest text that reads back as the same double.
std::string FormatMetricValue(double value);

}  // namespace atm
