#include "ops/operations.h"

#include <cctype>

#include "core/log.h"
#include "crypto/encoding.h"
#include "http/responses.h"
#include "ops/exposition.h"

namespace atm {
namespace {

// How long readiness waits for a lock another process holds on the database.
constexpr int kReadyWriteTimeoutMs = 250;
constexpr auto kReadyCacheTime = std::chrono::seconds(1);

HttpResponse MetricsText200(std::string body) {
  HttpResponse r;
  r.content_type = std::string(MetricsText::kContentType);
  r.body = std::move(body);
  r.With("Cache-Control", "no-store");
  return r;
}

}  // namespace

Result<std::unique_ptr<Operations>> Operations::Create(const OpsDeps& deps, Router& router, const HttpServer& server) {
  std::unique_ptr<Operations> ops(new Operations(deps, router, server));
  const MetricsConfig& m = deps.config.metrics;
  Operations* self = ops.get();
  ops->RegisterHealth(router);
  if (!m.enabled()) return ops;
  router.Measure(true);
  if (!m.token.empty()) {
    router.Add("GET", "/metrics", [self](const HttpRequest& r) { return self->ServeMetrics(r); });
  }
  if (!m.listen.empty()) {
    ops->RegisterHealth(ops->metrics_router_);
    ops->metrics_router_.Add("GET", "/metrics", [self](const HttpRequest&) { return MetricsText200(self->Metrics()); });
    ServerOptions options = static_cast<const ServerOptions&>(deps.config.server);
    options.host = m.listen_host;
    options.port = m.listen_port;
    options.threads = 2;
    options.tls_cert_file.clear();
    options.tls_key_file.clear();
    options.max_connections = 64;
    options.max_connections_per_client = 0;
    ops->metrics_server_ = std::make_unique<HttpServer>(ops->metrics_router_, options);
    auto port = ops->metrics_server_->Bind();
    if (!port) return Error(ErrorCode::kInvalidConfig, "metrics.listen: " + port.error().description);
    ops->metrics_port_ = *port;
    ops->metrics_thread_ = std::thread([self] { self->metrics_server_->Listen(); });
    Log(LogLevel::kInfo, "metrics on http://" + m.listen + "/metrics (port " + std::to_string(*port) + ")");
  }
  return ops;
}

Operations::~Operations() { Stop(); }

void Operations::Stop() {
  if (metrics_server_) metrics_server_->Stop();
  if (metrics_thread_.joinable()) metrics_thread_.join();
}

void Operations::RegisterHealth(Router& router) {
  // Liveness: the process answers requests. Nothing else is checked, so a
  // slow database never gets a live server restarted.
  router.Add("GET", "/health/live", [](const HttpRequest&) { return JsonResponse(200, {{"status", "live"}}); });
  router.Add("GET", "/health/ready", [this](const HttpRequest&) { return Ready(); });
}

HttpResponse Operations::ServeMetrics(const HttpRequest& request) const {
  // RFC 6750 §2.1. Hashed first, so that the comparison takes the same time
  // whatever the length presented.
  const auto token = request.BearerCredentials();
  auto challenge = [](const Error& e) {
    return ErrorResponse(e).With("WWW-Authenticate", "Bearer realm=\"atm metrics\"");
  };
  if (!token) return challenge(Error(ErrorCode::kMissingToken, "send Authorization: Bearer <metrics.token>"));
  if (token->empty() || !ConstantTimeEquals(Sha256(*token), Sha256(deps_.config.metrics.token))) {
    return challenge(Error(ErrorCode::kInvalidToken, "the metrics token is wrong"));
  }
  return MetricsText200(Metrics());
}

HttpResponse Operations::Ready() {
  std::lock_guard<std::mutex> lock(ready_mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (ready_at_ != std::chrono::steady_clock::time_point() && now - ready_at_ < kReadyCacheTime) return ready_;
  nlohmann::json checks = nlohmann::json::object();
  nlohmann::json failed = nlohmann::json::array();
  auto check = [&](const char* name, const std::string& problem) {
    checks[name] = problem.empty() ? "ok" : problem;
    if (!problem.empty()) failed.push_back(name);
  };
  auto write = deps_.store.ProbeWrite(deps_.clock.Now(), kReadyWriteTimeoutMs);
  check("database", write ? "" : "the database does not take writes: " + write.error().description);
  check("signing_key", deps_.keys.current_created_at() != 0 ? "" : "no signing key is loaded yet");
  auto version = deps_.store.SchemaVersion();
  const int latest = deps_.store.KnownSchemaVersion();
  check("migrations", !version ? "the schema version cannot be read: " + version.error().description
                      : *version < latest
                          ? "the schema is at version " + std::to_string(*version) + " of " + std::to_string(latest)
                          : "");
  // A newer node migrated the schema further (a rolling upgrade): migrations
  // only add, so this node goes on serving until it is replaced.
  if (version && *version > latest) {
    checks["migrations"] = "ok: the schema is at version " + std::to_string(*version) + ", newer than this atm's " +
                           std::to_string(latest) + " (a rolling upgrade)";
  }
  const bool ready = failed.empty();
  nlohmann::json body = {{"status", ready ? "ready" : "not_ready"}, {"checks", checks}};
  if (!ready) body["failed"] = failed;
  ready_ = JsonResponse(ready ? 200 : 503, body).With("Cache-Control", "no-store");
  ready_at_ = now;
  return ready_;
}

std::string Operations::Metrics() const {
  MetricsText out;
  WriteRequestMetrics(out, router_, server_);
  WriteServiceMetrics(out, deps_);
  return out.Take();
}

}  // namespace atm
