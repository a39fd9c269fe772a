// Routes (method, exact path) to handlers. Unknown paths answer 404 and
// unknown methods 405, as JSON; one catch-all turns any exception that escapes
// a handler into an opaque server_error, logged with its detail.
// A prefix route (AddPrefix) takes every method on every path below the
// prefix that has no exact route, for APIs with identifiers in the path; its
// handler answers 404 and 405 itself. A middleware (Use) wraps every
// request: it may answer by itself, or call `next` and look at the answer.
// With Measure(true), every answer is counted by route pattern and status,
// with its latency from HttpRequest::received (route_stats.h).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "http/http.h"
#include "http/route_stats.h"

namespace atm {

using Handler = std::function<HttpResponse(const HttpRequest&)>;
using Middleware = std::function<HttpResponse(const HttpRequest&, const Handler& next)>;

class Router {
 public:
  void Add(const std::string& method, const std::string& path, Handler handler);
  void AddPrefix(const std::string& prefix, Handler handler);
  // Middlewares run in the order added, the first outermost; add them all
  // before serving.
  void Use(Middleware middleware);
  HttpResponse Handle(const HttpRequest& request) const;

  // Counts answers per route (off by default: the count costs a clock read).
  void Measure(bool on) { measure_ = on; }
  bool measuring() const { return measure_; }
  // The label of paths that match no route.
  static constexpr const char* kOtherRoute = "other";
  // Calls `fn(pattern, stats)` for every route ("/admin/api/*" for a prefix
  // route), then for kOtherRoute.
  void ForEachRoute(const std::function<void(const std::string&, const RouteStats&)>& fn) const;

 private:
  struct Route {
    std::map<std::string, Handler> methods;  // method -> handler
    std::unique_ptr<RouteStats> stats = std::make_unique<RouteStats>();
  };
  struct PrefixRoute {
    Handler handler;
    std::unique_ptr<RouteStats> stats = std::make_unique<RouteStats>();
  };
  HttpResponse Dispatch(const HttpRequest& request) const;
  // The statistics of the route that answers `request` (kOtherRoute's for none).
  RouteStats* StatsFor(const HttpRequest& request) const;

  std::map<std::string, Route> routes_;          // path -> route
  std::map<std::string, PrefixRoute> prefixes_;  // prefix -> route
  std::unique_ptr<RouteStats> other_ = std::make_unique<RouteStats>();
  bool measure_ = false;
  std::vector<Middleware> middlewares_;
  Handler chain_;  // the middlewares around Dispatch; empty without any
};

}  // namespace atm
