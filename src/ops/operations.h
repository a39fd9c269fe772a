// What an operator watches (README "Operating atm"): Prometheus metrics at
// /metrics, liveness at /health/live and readiness at /health/ready.
//
// /metrics is served when [metrics] asks for it: on the main port behind a
// bearer token (metrics.token, compared in constant time), and/or on a
// listener of its own (metrics.listen, e.g. 127.0.0.1:9464), which serves
// /metrics and /health/* only. The counters live in the components that
// count (the router, the services, the store); Metrics() reads them all when
// scraped, so counting costs the request path a few relaxed atomics.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "http/router.h"
#include "http/server.h"
#include "ops/deps.h"

namespace atm {

class Operations {
 public:
  // Registers /health/live, /health/ready and (with metrics.token) /metrics
  // on `router`, which starts measuring when metrics are on; binds and
  // starts the metrics listener when metrics.listen is set. `router` and
  // `server` (the main ones) must outlive it.
  static Result<std::unique_ptr<Operations>> Create(const OpsDeps& deps, Router& router, const HttpServer& server);
  ~Operations();
  Operations(const Operations&) = delete;
  Operations& operator=(const Operations&) = delete;

  // Stops the metrics listener (in-flight scrapes finish). Safe to repeat.
  void Stop();
  // The port of the metrics listener (0 without one).
  int metrics_port() const { return metrics_port_; }

  // The exposition (text format 0.0.4).
  std::string Metrics() const;
  // {"status": "ready"|"not_ready", "checks": {name: "ok" | what failed}}: 200 or 503.
  HttpResponse Ready();

 private:
  Operations(const OpsDeps& deps, const Router& router, const HttpServer& server)
      : deps_(deps), router_(router), server_(server) {}
  HttpResponse ServeMetrics(const HttpRequest& request) const;
  void RegisterHealth(Router& router);

  OpsDeps deps_;
  const Router& router_;
  const HttpServer& server_;
  // The readiness answer is kept for a second: a flood of probes costs one
  // database write per second.
  std::mutex ready_mutex_;
  std::chrono::steady_clock::time_point ready_at_{};
  HttpResponse ready_;
  // The metrics listener.
  Router metrics_router_;
  std::unique_ptr<HttpServer> metrics_server_;
  std::thread metrics_thread_;
  int metrics_port_ = 0;
};

}  // namespace atm
