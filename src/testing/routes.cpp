#include "testing/routes.h"

#include <chrono>
#include <cstdlib>
#include <thread>

#include "admin/json_body.h"
#include "core/log.h"
#include "http/responses.h"
#include "oauth/params.h"
#include "testing/state.h"

namespace atm {
namespace {

constexpr const char* kPrefix = "/_testing";

HttpResponse NotAllowed(const HttpRequest& request, const std::string& allow) {
  return ErrorResponse(Error(ErrorCode::kMethodNotAllowed, request.method + " is not allowed here; use " + allow))
      .With("Allow", allow);
}

// The answer of a queued failure; a browser's request gets its origin back,
// so that the page can read the error.
HttpResponse FailureResponse(const PlannedFailure& f, const HttpRequest& request) {
  nlohmann::json body = {{"error", f.error}};
  if (!f.error_description.empty()) body["error_description"] = f.error_description;
  HttpResponse r = JsonResponse(f.status, body);
  if (std::string origin = request.Header("origin"); !origin.empty()) {
    r.With("Access-Control-Allow-Origin", origin).With("Vary", "Origin");
  }
  if (f.status == 503 || f.status == 429) r.With("Retry-After", "1");
  return r;
}

}  // namespace

void TestingApi::Register(Router& router) {
  router.AddPrefix(kPrefix, [this](const HttpRequest& r) { return Control(r); });
  router.Add("GET", kPrefix, [this](const HttpRequest& r) { return Control(r); });
  router.Use([this](const HttpRequest& r, const Handler& next) { return Around(r, next); });
}

Status TestingApi::Start() { return SaveSeedState(deps_); }

HttpResponse TestingApi::Around(const HttpRequest& request, const Handler& next) {
  if (request.path.rfind(kPrefix, 0) == 0) {
    HttpResponse r = next(request);
    Log(LogLevel::kWarn,
        "testing: " + request.method + " " + request.path + " " + std::to_string(r.status) + " " + request.remote_addr);
    return r;
  }
  const bool recorded = Recorder::Records(request);
  const bool may_fail = !failures_.Empty();
  if (!recorded && !may_fail) return next(request);
  const RequestInfo info = ReadRequestInfo(request);
  std::optional<HttpResponse> answer;
  if (may_fail) {
    if (auto f = failures_.Take(request.path, info.client_id)) {
      if (f->delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(f->delay_ms));
      if (!f->error.empty()) answer = FailureResponse(*f, request);
    }
  }
  if (!answer) answer = next(request);
  if (recorded) recorder_.Add(deps_.clock.Now(), request, info, *answer);
  return std::move(*answer);
}

nlohmann::json TestingApi::ClockView() const { return {{"now", deps_.clock.Now()}, {"offset", deps_.clock.offset()}}; }

HttpResponse TestingApi::Control(const HttpRequest& request) {
  const std::string path = request.path.substr(std::string(kPrefix).size());
  if (path.empty() || path == "/") {
    if (request.method != "GET") return NotAllowed(request, "GET");
    return JsonResponse(200, {{"enabled", true}, {"issuer", deps_.issuer}, {"clock", ClockView()}});
  }
  if (path == "/clock") return Clock(request);
  if (path == "/failures") return Failures(request);
  if (path == "/records") return Records(request);
  if (path == "/reset") {
    if (request.method != "POST") return NotAllowed(request, "POST");
    if (auto s = ResetToSeed(deps_); !s) return ErrorResponse(s.error());
    failures_.Clear();
    recorder_.Clear();
    return JsonResponse(200, {{"reset", true}, {"clock", ClockView()}});
  }
  if (path == "/tokens") {
    if (request.method != "POST") return NotAllowed(request, "POST");
    auto body = JsonBody::Parse(request, {"client_id", "user", "sub", "scope", "claims", "aud", "iss", "iat", "nbf",
                                          "exp", "expires_in", "broken"});
    if (!body) return ErrorResponse(body.error());
    auto minted = minter_.Mint(*body);
    if (!minted) return ErrorResponse(minted.error());
    return JsonResponse(200, *minted);
  }
  for (const std::string collection : {"/applications/", "/users/"}) {
    if (path.rfind(collection, 0) != 0) continue;
    const std::string id = path.substr(collection.size());
    if (id.empty() || id.find('/') != std::string::npos) break;
    if (request.method != "PUT") return NotAllowed(request, "PUT");
    const bool app = collection == "/applications/";
    auto body = app ? JsonBody::Parse(request, {"name", "client_secret", "public", "redirect_urls", "web_origins",
                                                "post_logout_redirect_urls", "disabled", "device_grant", "testing"})
                    : JsonBody::Parse(
                          request, {"client_id", "email", "password", "first_name", "last_name", "claims", "disabled"});
    if (!body) return ErrorResponse(body.error());
    auto done = app ? PutApplication(deps_, id, *body) : PutUser(deps_, id, *body);
    if (!done) return ErrorResponse(done.error());
    return JsonResponse(done->created ? 201 : 200, done->view);
  }
  return ErrorResponse(Error(ErrorCode::kNotFound, "no such control route: " + request.path));
}

HttpResponse TestingApi::Clock(const HttpRequest& request) {
  if (request.method == "GET") return JsonResponse(200, ClockView());
  if (request.method == "DELETE") {
    deps_.clock.Reset();
  } else if (request.method == "POST") {
    auto body = JsonBody::Parse(request, {"advance", "set"});
    if (!body) return ErrorResponse(body.error());
    constexpr int64_t kLimit = 100LL * 365 * 24 * 3600;  // a century either way
    auto advance = body->Integer("advance", -kLimit, kLimit);
    if (!advance) return ErrorResponse(advance.error());
    const int64_t real = deps_.clock.RealNow();
    auto set = body->Integer("set", std::max<int64_t>(0, real - kLimit), real + kLimit);
    if (!set) return ErrorResponse(set.error());
    if (advance->has_value() == set->has_value()) {
      return ErrorResponse(InvalidRequest("give one of advance (seconds) or set (Unix time)", "advance"));
    }
    if (*advance && std::abs(deps_.clock.offset() + **advance) > kLimit) {
      return ErrorResponse(InvalidRequest("the clock may move at most a century from the real time", "advance"));
    }
    if (*advance) {
      deps_.clock.Advance(**advance);
    } else {
      deps_.clock.Set(**set);
    }
    // Scheduled key rotation and retirement follow the clock at once.
    if (auto s = deps_.keys.Maintain(); !s) return ErrorResponse(s.error());
  } else {
    return NotAllowed(request, "GET, POST, DELETE");
  }
  return JsonResponse(200, ClockView());
}

HttpResponse TestingApi::Failures(const HttpRequest& request) {
  if (request.method == "GET") return JsonResponse(200, {{"failures", failures_.Pending()}});
  if (request.method == "DELETE") {
    failures_.Clear();
    return JsonResponse(200, {{"failures", nlohmann::json::array()}});
  }
  if (request.method != "POST") return NotAllowed(request, "GET, POST, DELETE");
  auto body =
      JsonBody::Parse(request, {"path", "count", "client_id", "error", "error_description", "status", "delay_ms"});
  if (!body) return ErrorResponse(body.error());
  auto path = body->String("path");
  auto count = body->Integer("count", 1, 1000000);
  auto client_id = body->String("client_id");
  auto error = body->String("error");
  auto description = body->String("error_description");
  auto status = body->Integer("status", 400, 599);
  auto delay = body->Integer("delay_ms", 0, 60000);
  if (auto e = FirstError(path, count, client_id, error, description, status, delay)) return ErrorResponse(*e);
  PlannedFailure f;
  f.path = path->value_or("");
  f.remaining = count->value_or(1);
  f.client_id = client_id->value_or("");
  f.error = error->value_or("");
  f.error_description = description->value_or("");
  f.status = static_cast<int>(status->value_or(0));
  f.delay_ms = delay->value_or(0);
  auto id = failures_.Add(std::move(f));
  if (!id) return ErrorResponse(id.error());
  return JsonResponse(201, {{"id", *id}, {"failures", failures_.Pending()}});
}

HttpResponse TestingApi::Records(const HttpRequest& request) {
  if (request.method == "DELETE") {
    recorder_.Clear();
    return JsonResponse(200, {{"records", nlohmann::json::array()}});
  }
  if (request.method != "GET") return NotAllowed(request, "GET, DELETE");
  auto query = ParseQuery(request);
  if (!query) return ErrorResponse(query.error());
  const std::string kind = query->Get("kind");
  if (!kind.empty() && kind != "login" && kind != "token") {
    return ErrorResponse(InvalidRequest("kind must be login or token", "kind"));
  }
  return JsonResponse(200, {{"records", recorder_.List(kind, query->Get("client_id"))}});
}

}  // namespace atm
