#include "http/router.h"

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

HttpResponse Router::Handle(const HttpRequest& request) const {
  if (!measure_) {
    RouteStats* ignored = nullptr;
    return Dispatch(request, &ignored);
  }
  using SteadyClock = std::chrono::steady_clock;
  const SteadyClock::time_point start =
      request.received != SteadyClock::time_point() ? request.received : SteadyClock::now();
  RouteStats* stats = other_.get();
  HttpResponse response = Dispatch(request, &stats);
  stats->Record(response.status, SteadyClock::now() - start);
  return response;
}

HttpResponse Router::Dispatch(const HttpRequest& request, RouteStats** stats) const {
  auto path = routes_.find(request.path);
  if (path == routes_.end()) {
    // The longest prefix that the path starts with.
    for (auto it = prefixes_.rbegin(); it != prefixes_.rend(); ++it) {
      if (request.path.compare(0, it->first.size(), it->first) == 0) {
        *stats = it->second.stats.get();
        return Guarded(request, it->second.handler);
      }
    }
    return ErrorResponse(Error(ErrorCode::kNotFound, "no such endpoint: " + request.path));
  }
  *stats = path->second.stats.get();
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
