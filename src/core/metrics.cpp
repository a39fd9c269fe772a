#include "core/metrics.h"

#include <charconv>
#include <cmath>

namespace atm {

void LatencyHistogram::Observe(std::chrono::nanoseconds elapsed) {
  const int64_t ns = elapsed.count() < 0 ? 0 : elapsed.count();
  const double seconds = static_cast<double>(ns) / 1e9;
  size_t i = 0;
  while (i < kBounds.size() && seconds > kBounds[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(static_cast<uint64_t>(ns), std::memory_order_relaxed);
}

uint64_t LatencyHistogram::CumulativeCount(size_t i) const {
  uint64_t total = 0;
  for (size_t b = 0; b <= i && b < buckets_.size(); ++b) total += buckets_[b].load(std::memory_order_relaxed);
  return total;
}

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatMetricValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  if (ec != std::errc()) return "NaN";
  return std::string(buf, end);
}

void MetricsText::Family(std::string_view name, std::string_view type, std::string_view help) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  out_ += help;  // the help texts are ours, without backslashes or newlines
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void MetricsText::Name(std::string_view name, MetricLabels labels, std::string_view le) {
  out_ += name;
  if (labels.size() == 0 && le.empty()) return;
  out_ += '{';
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out_ += ',';
    first = false;
    out_ += k;
    out_ += "=\"";
    out_ += EscapeLabelValue(v);
    out_ += '"';
  }
  if (!le.empty()) {
    if (!first) out_ += ',';
    out_ += "le=\"";
    out_ += le;
    out_ += '"';
  }
  out_ += '}';
}

void MetricsText::Sample(std::string_view name, MetricLabels labels, double value) {
  Name(name, labels);
  out_ += ' ';
  out_ += FormatMetricValue(value);
  out_ += '\n';
}

void MetricsText::Sample(std::string_view name, MetricLabels labels, uint64_t value) {
  Name(name, labels);
  out_ += ' ';
  out_ += std::to_string(value);
  out_ += '\n';
}

void MetricsText::Sample(std::string_view name, MetricLabels labels, int64_t value) {
  Name(name, labels);
  out_ += ' ';
  out_ += std::to_string(value);
  out_ += '\n';
}

void MetricsText::Histogram(std::string_view name, MetricLabels labels, const LatencyHistogram& h) {
  const std::string base(name);
  const std::string bucket = base + "_bucket";
  // Observations may land while this reads: the buckets are read in order,
  // each at least the one before, and _count is the +Inf bucket as read, so
  // the exposition is always a consistent histogram.
  uint64_t total = 0;
  for (size_t i = 0; i <= LatencyHistogram::kBounds.size(); ++i) {
    uint64_t cumulative = h.CumulativeCount(i);
    if (cumulative < total) cumulative = total;  // read in order: never decreasing
    total = cumulative;
    std::string le = i < LatencyHistogram::kBounds.size() ? FormatMetricValue(LatencyHistogram::kBounds[i]) : "+Inf";
    Name(bucket, labels, le);
    out_ += ' ';
    out_ += std::to_string(cumulative);
    out_ += '\n';
  }
  Sample(base + "_sum", labels, h.sum_seconds());
  Sample(base + "_count", labels, total);
}

}  // namespace atm
