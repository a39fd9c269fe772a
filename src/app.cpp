#include "app.h"

#include <fstream>
#include <sstream>
#include <thread>

#include "admin/routes.h"
#include "admin/seed_admin.h"
#include "core/log.h"
#include "domain/seed.h"
#include "oauth/atm_routes.h"
#include "oauth/oidc_routes.h"

namespace atm {
namespace {

Result<std::string> ReadFile(const std::string& path, const std::string& key) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error("invalid_config", key + ": cannot read " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

}  // namespace

Result<std::unique_ptr<Services>> Services::Open(const Config& config, const Clock* clock) {
  std::unique_ptr<Services> s(new Services(config));
  if (clock) s->clock_ = clock;
  const Config& c = s->config_;
  auto store = SqliteStore::Open({c.storage.path, c.storage.synchronous == "full", 5000});
  if (!store) return store.error();
  s->store_ = std::move(*store);
  s->clients_ = std::make_unique<ClientService>(*s->store_, *s->clock_);
  PasswordPolicy policy;
  policy.scrypt.log_n = c.passwords.scrypt_log_n;
  policy.min_length = c.passwords.min_length;
  policy.max_concurrent_hashes = c.passwords.max_concurrent_hashes > 0
                                     ? c.passwords.max_concurrent_hashes
                                     : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  s->users_ = std::make_unique<UserService>(*s->store_, *s->clock_, policy);
  s->codes_ = std::make_unique<CodeService>(*s->store_, *s->clock_, c.tokens.code_ttl);
  KeyPolicy keys;
  auto alg = ParseJwsAlg(c.keys.algorithm);
  if (!alg) return Error("invalid_config", c.source + ": keys.algorithm: " + alg.error().description);
  keys.alg = *alg;
  keys.rotate_every = c.keys.rotate_every;
  // A retired key stays published while any token it signed can be valid,
  // plus keys.retired_grace for clock skew.
  keys.retain_retired = std::max(c.tokens.access_token_ttl, c.tokens.id_token_ttl) + c.keys.retired_grace;
  if (!c.keys.key_file.empty()) {
    auto pem = ReadFile(c.keys.key_file, c.source + ": keys.key_file");
    if (!pem) return pem.error();
    keys.key_file_pem = std::move(*pem);
  }
  s->keys_ = std::make_unique<KeyService>(*s->store_, *s->clock_, keys);
  s->tokens_ = std::make_unique<TokenService>(
      *s->store_, *s->clock_, *s->keys_,
      TokenLifetimes{c.tokens.access_token_ttl, c.tokens.id_token_ttl, c.tokens.refresh_token_ttl});
  s->token_status_ = std::make_unique<TokenStatusService>(*s->store_, *s->clock_, *s->tokens_);
  s->admins_ = std::make_unique<AdminService>(
      *s->store_, *s->clock_, *s->users_,
      AdminPolicy{c.admin.session_ttl, c.admin.token_ttl, std::max(8, c.passwords.min_length)});
  return s;
}

Result<std::unique_ptr<App>> App::Create(const Config& config) {
  std::unique_ptr<App> app(new App());
  auto services = Services::Open(config);
  if (!services) return services.error();
  app->services_ = std::move(*services);
  Services& s = *app->services_;
  auto seeded = SeedFromConfig(s.config().applications, s.clients(), s.users());
  if (!seeded) {
    return Error("invalid_config", s.config().source + ": " + seeded.error().description);
  }
  for (const auto& [id, secret] : seeded->generated_secrets) {
    Log(LogLevel::kWarn, "seeded application " + id + " got a generated client secret: " + secret +
                             " (shown once; set client_secret in the config to fix it)");
  }
  app->deps_.reset(new OAuthDeps{s.config(), s.clock(), s.clients(), s.users(), s.codes(), s.tokens(), s.keys()});
  app->admin_deps_.reset(new AdminDeps{s.config(), s.clock(), s.clients(), s.users(), s.admins()});
  const Config& c = s.config();
  ServerOptions options;
  options.host = c.server.host;
  options.port = c.server.port;
  options.threads = c.server.threads;
  options.max_body_bytes = static_cast<size_t>(c.server.max_body_bytes);
  options.read_timeout_seconds = c.server.read_timeout_seconds;
  options.access_log = c.server.access_log;
  options.tls_cert_file = c.server.tls_cert_file;
  options.tls_key_file = c.server.tls_key_file;
  app->server_ = std::make_unique<HttpServer>(app->router_, options);
  auto port = app->server_->Bind();
  if (!port) return port.error();
  app->port_ = *port;
  // After the bind, so that a port in use is a one-line error and costs no key.
  if (auto k = s.keys().Start(); !k) return k.error();
  if (auto a = SeedAdminFromConfig(s.config(), s.admins()); !a) return a.error();
  // After Bind: the standard endpoints need the bound port for the issuer URL.
  app->RegisterRoutes();
  app->maintenance_ = std::thread([a = app.get()] { a->MaintenanceLoop(); });
  return app;
}

App::~App() {
  Stop();
  if (maintenance_.joinable()) maintenance_.join();
}

void App::RegisterRoutes() {
  RegisterAtmRoutes(router_, *deps_);
  RegisterOidcRoutes(router_, *deps_, services_->token_status(), IssuerUrl());
  RegisterAdminRoutes(router_, *admin_deps_);
}

std::string App::IssuerUrl() const {
  const auto& c = services_->config();
  std::string url = c.PublicUrl(port_);
  if (c.server.public_url.empty() && server_->tls()) url.replace(0, 4, "https");
  return url;
}

std::string App::ListenUrl() const {
  const std::string& host = services_->config().server.host;
  // RFC 3986 §3.2.2: an IPv6 literal is bracketed in a URL.
  const bool ipv6 = host.find(':') != std::string::npos;
  return std::string(server_->tls() ? "https" : "http") + "://" + (ipv6 ? "[" + host + "]" : host) + ":" +
         std::to_string(port_);
}

void App::Serve() {
  serving_ = true;
  if (!stopping_) server_->Listen();
  serving_ = false;
}

void App::Stop() {
  if (stopping_.exchange(true)) return;
  {
    std::lock_guard<std::mutex> lock(stop_mutex_);
    stop_cv_.notify_all();
  }
  // httplib ignores stop() until its accept loop runs: retry until Serve returns.
  while (serving_) {
    server_->Stop();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void App::MaintenanceLoop() {
  constexpr int kKeyCheckSeconds = 5;
  constexpr int kPurgeSeconds = 600;
  int64_t last_purge = services_->clock().Now();
  std::unique_lock<std::mutex> lock(stop_mutex_);
  while (!stopping_) {
    stop_cv_.wait_for(lock, std::chrono::seconds(kKeyCheckSeconds), [this] { return stopping_.load(); });
    if (stopping_) break;
    lock.unlock();
    if (auto s = services_->keys().Maintain(); !s) Log(LogLevel::kWarn, "keys: " + s.error().description);
    int64_t now = services_->clock().Now();
    if (now - last_purge >= kPurgeSeconds) {
      if (auto s = services_->store().PurgeExpired(now); !s) Log(LogLevel::kWarn, "purge: " + s.error().description);
      last_purge = now;
    }
    lock.lock();
  }
}

}  // namespace atm
