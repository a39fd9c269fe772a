#include "http/router.h"

#include <chrono>
#include <exception>

#include "core/log.h"
#include "http/responses.h"

namespace atm {

void Router::Add(const std::string& method, const std::string& path, Handler handler) {
  routes_[path].methods[method] = std::move(handler);
}

void Router::AddPrefix(const std::string& prefix, Handler handler) { prefixes_[prefix].handler = std::move(handler); }

void Router::ForEachRoute(const std::function<void(const std::string&, const RouteStats&)>& fn) const {
  for (const auto& [path, route] : routes_) fn(path, *route.stats);
  for (const auto& [prefix, route] : prefixes_) fn(prefix + "*", *route.stats);
  fn(kOtherRoute, *other_);
}

namespace {

template <class Fn>
HttpResponse Guarded(const HttpRequest& request, const Fn& fn) {
  try {
    return fn(request);
  } catch (const std::exception& e) {
    Log(LogLevel::kError, "unhandled exception on " + request.path + ": " + e.what());
  } catch (...) {
    Log(LogLevel::kError, "unhandled exception on " + request.path);
  }
  return ErrorResponse(Error(ErrorCode::kServerError, "the server hit an unexpected error"));
}

}  // namespace

void Router::Use(Middleware middleware) {
  middlewares_.push_back(std::move(middleware));
  Handler next = [this](const HttpRequest& request) { return Dispatch(request); };
  for (auto it = middlewares_.rbegin(); it != middlewares_.rend(); ++it) {
    next = [m = *it, inner = std::move(next)](const HttpRequest& request) {
      return Guarded(request, [&](const HttpRequest& r) { return m(r, inner); });
    };
  }
  chain_ = std::move(next);
}

HttpResponse Router::Handle(const HttpRequest& request) const {
  if (!measure_) return chain_ ? chain_(request) : Dispatch(request);
  using SteadyClock = std::chrono::steady_clock;
  const SteadyClock::time_point start =
      request.received != SteadyClock::time_point() ? request.received : SteadyClock::now();
  HttpResponse response = chain_ ? chain_(request) : Dispatch(request);
  StatsFor(request)->Record(response.status, SteadyClock::now() - start);
  return response;
}

RouteStats* Router::StatsFor(const HttpRequest& request) const {
  auto path = routes_.find(request.path);
  if (path != routes_.end()) return path->second.stats.get();
  for (auto it = prefixes_.rbegin(); it != prefixes_.rend(); ++it) {
    if (request.path.compare(0, it->first.size(), it->first) == 0) return it->second.stats.get();
  }
  return other_.get();
}

HttpResponse Router::Dispatch(const HttpRequest& request) const {
  auto path = routes_.find(request.path);
  if (path == routes_.end()) {
    // The longest prefix that the path starts with.
    for (auto it = prefixes_.rbegin(); it != prefixes_.rend(); ++it) {
      if (request.path.compare(0, it->first.size(), it->first) == 0) return Guarded(request, it->second.handler);
    }
    return ErrorResponse(Error(ErrorCode::kNotFound, "no such endpoint: " + request.path));
  }
  const auto& methods = path->second.methods;
  auto handler = methods.find(request.method);
  if (handler == methods.end() && request.method == "HEAD") {
    handler = methods.find("GET");
  }
  if (handler == methods.end()) {
    std::string allow;
    for (const auto& [m, h] : methods) allow += (allow.empty() ? "" : ", ") + m;
    return ErrorResponse(Error(ErrorCode::kMethodNotAllowed, request.method + " is not allowed here; use " + allow))
        .With("Allow", allow);
  }
  return Guarded(request, handler->second);
}

}  // namespace atm
