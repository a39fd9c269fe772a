// core/metrics.h and the router's route statistics: the text exposition
// format (escaping, histograms), and answers counted by route pattern, with
// unknown paths under "other".
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "core/metrics.h"
#include "http/responses.h"
#include "http/router.h"

namespace atm {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

HttpRequest Get(const std::string& path, const std::string& method = "GET") {
  HttpRequest r;
  r.method = method;
  r.path = path;
  return r;
}

}  // namespace

TEST_CASE("counters and gauges add up across threads", "[metrics]") {
  Counter c;
  Gauge g;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.Add();
        g.Add(1);
        g.Add(-1);
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(c.value() == 40000);
  CHECK(g.value() == 0);
  g.Set(-7);
  CHECK(g.value() == -7);
}

TEST_CASE("a histogram's buckets are cumulative, and an observation on a bound falls in it", "[metrics]") {
  LatencyHistogram h;
  h.Observe(microseconds(100));         // <= 0.0005
  h.Observe(microseconds(500));         // == 0.0005: in that bucket (le is "less or equal")
  h.Observe(milliseconds(3));           // <= 0.005
  h.Observe(std::chrono::seconds(20));  // only +Inf
  CHECK(h.CumulativeCount(0) == 2);
  CHECK(h.CumulativeCount(2) == 2);                                     // 0.0025
  CHECK(h.CumulativeCount(3) == 3);                                     // 0.005
  CHECK(h.CumulativeCount(LatencyHistogram::kBounds.size() - 1) == 3);  // 10 s
  CHECK(h.CumulativeCount(LatencyHistogram::kBounds.size()) == 4);      // +Inf
  CHECK(h.count() == 4);
  CHECK(h.sum_seconds() == Approx(20.0036));
}

TEST_CASE("the exposition has HELP and TYPE lines, escaped label values and a complete histogram", "[metrics]") {
  MetricsText out;
  out.Family("atm_things_total", "counter", "Things.");
  out.Sample("atm_things_total", {{"kind", "a\"b\\c\nd"}}, uint64_t{3});
  out.Sample("atm_things_total", {}, uint64_t{0});
  out.Family("atm_level", "gauge", "A level.");
  out.Sample("atm_level", {{"a", "1"}, {"b", "2"}}, int64_t{-4});
  out.Sample("atm_level", {}, 0.25);
  LatencyHistogram h;
  h.Observe(milliseconds(2));
  out.Family("atm_wait_seconds", "histogram", "Waits.");
  out.Histogram("atm_wait_seconds", {{"route", "/x"}}, h);
  const std::string text = out.Take();
  CHECK(text.find("# HELP atm_things_total Things.\n# TYPE atm_things_total counter\n") == 0);
  CHECK(text.find("atm_things_total{kind=\"a\\\"b\\\\c\\nd\"} 3\n") != std::string::npos);
  CHECK(text.find("atm_things_total 0\n") != std::string::npos);
  CHECK(text.find("atm_level{a=\"1\",b=\"2\"} -4\n") != std::string::npos);
  CHECK(text.find("atm_level 0.25\n") != std::string::npos);
  CHECK(text.find("atm_wait_seconds_bucket{route=\"/x\",le=\"0.001\"} 0\n") != std::string::npos);
  CHECK(text.find("atm_wait_seconds_bucket{route=\"/x\",le=\"0.0025\"} 1\n") != std::string::npos);
  CHECK(text.find("atm_wait_seconds_bucket{route=\"/x\",le=\"+Inf\"} 1\n") != std::string::npos);
  CHECK(text.find("atm_wait_seconds_sum{route=\"/x\"} 0.002\n") != std::string::npos);
  CHECK(text.find("atm_wait_seconds_count{route=\"/x\"} 1\n") != std::string::npos);
  // One line per bound, plus +Inf, _sum and _count.
  size_t lines = 0;
  for (size_t at = text.find("atm_wait_seconds_"); at != std::string::npos;
       at = text.find("atm_wait_seconds_", at + 1)) {
    ++lines;
  }
  CHECK(lines == LatencyHistogram::kBounds.size() + 3);
}

TEST_CASE("sample values are written as Prometheus reads them", "[metrics]") {
  const std::vector<std::pair<double, std::string>> cases = {
      {0, "0"}, {1, "1"}, {0.5, "0.5"}, {1e-9, "1e-09"}, {1700000000.5, "1700000000.5"}, {-2, "-2"}};
  for (const auto& [value, text] : cases) {
    INFO(text);
    CHECK(FormatMetricValue(value) == text);
  }
  CHECK(FormatMetricValue(std::numeric_limits<double>::infinity()) == "+Inf");
  CHECK(FormatMetricValue(-std::numeric_limits<double>::infinity()) == "-Inf");
  CHECK(FormatMetricValue(std::nan("")) == "NaN");
}

TEST_CASE("the router counts answers by route pattern and status, unknown paths as other", "[metrics][router]") {
  Router router;
  router.Add("GET", "/a", [](const HttpRequest&) { return JsonResponse(200, {{"ok", true}}); });
  router.AddPrefix("/api/", [](const HttpRequest&) { return JsonResponse(201, {{"ok", true}}); });
  auto counts = [&] {
    std::map<std::string, std::map<int, uint64_t>> out;
    router.ForEachRoute([&](const std::string& route, const RouteStats& stats) {
      for (int s : {200, 201, 404, 405}) {
        if (stats.count(s)) out[route][s] = stats.count(s);
      }
      if (stats.latency().count()) out[route][0] = stats.latency().count();
    });
    return out;
  };
  router.Handle(Get("/a"));
  CHECK(counts().empty());  // not measuring
  router.Measure(true);
  router.Handle(Get("/a"));
  router.Handle(Get("/a"));
  router.Handle(Get("/a", "POST"));  // 405 on a known route
  router.Handle(Get("/api/things/123"));
  router.Handle(Get("/api/things/456"));
  router.Handle(Get("/nowhere/secret-looking-path"));
  auto c = counts();
  CHECK(c["/a"][200] == 2);
  CHECK(c["/a"][405] == 1);
  CHECK(c["/a"][0] == 3);
  CHECK(c["/api/*"][201] == 2);
  CHECK(c[Router::kOtherRoute][404] == 1);
  CHECK(c.size() == 3);  // no route per raw path
}

TEST_CASE("a request's latency counts from when it was received", "[metrics][router]") {
  Router router;
  router.Measure(true);
  router.Add("GET", "/a", [](const HttpRequest&) { return JsonResponse(200, {{"ok", true}}); });
  HttpRequest r = Get("/a");
  r.received = std::chrono::steady_clock::now() - milliseconds(30);  // waited for a worker
  router.Handle(r);
  router.ForEachRoute([](const std::string& route, const RouteStats& stats) {
    if (route != "/a") return;
    CHECK(stats.latency().sum_seconds() >= 0.03);
    CHECK(stats.latency().CumulativeCount(5) == 0);  // not within 25 ms
  });
}

}  // namespace atm
