#include "app.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "admin/routes.h"
#include "admin/seed_admin.h"
#include "core/file_checks.h"
#include "core/log.h"
#include "domain/seed.h"
#include "oauth/atm_routes.h"
#include "oauth/device_endpoints.h"
#include "oauth/oidc_routes.h"

namespace atm {
namespace {

// How often the maintenance loop checks the signing keys (rotation on
// schedule, other nodes' new keys).
constexpr int kKeyCheckSeconds = 5;

Result<std::string> ReadFile(const std::string& path, const std::string& key) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kInvalidConfig, key + ": cannot read " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// The key that encrypts the signing keys at rest: from the environment
// variable ATM_KEY_ENCRYPTION_KEY or from the file keys.encryption_key_file;
// none when neither is set.
Result<std::unique_ptr<SecretBox>> LoadKeyEncryptionKey(const Config& c) {
  const char* env = std::getenv("ATM_KEY_ENCRYPTION_KEY");
  const bool from_env = env != nullptr && *env != '\0';
  const bool from_file = !c.keys.encryption_key_file.empty();
  if (from_env && from_file) {
    return Error(ErrorCode::kInvalidConfig,
                 "ATM_KEY_ENCRYPTION_KEY and keys.encryption_key_file are both set: use one of them");
  }
  if (!from_env && !from_file) return std::unique_ptr<SecretBox>();
  std::string what = from_env ? "ATM_KEY_ENCRYPTION_KEY" : c.source + ": keys.encryption_key_file";
  std::string text;
  if (from_env) {
    text = env;
  } else {
    if (auto s = CheckPrivateFile(c.keys.encryption_key_file, "keys.encryption_key_file"); !s) return s.error();
    auto read = ReadFile(c.keys.encryption_key_file, what);
    if (!read) return read.error();
    text = std::move(*read);
  }
  auto box = SecretBox::FromKeyText(text);
  if (!box) return Error(ErrorCode::kInvalidConfig, what + ": " + box.error().description);
  return std::make_unique<SecretBox>(std::move(*box));
}

}  // namespace

Result<std::unique_ptr<Services>> Services::Open(const Config& config, const Clock* clock) {
  std::unique_ptr<Services> s(new Services(config));
  if (clock) s->clock_ = clock;
  const Config& c = s->config_;
  // The password-hashing memory budget; a cost that does not fit is refused
  // before the database is touched.
  auto budget =
      PlanHashBudget(c.passwords, MachineMemoryLimit(), std::max(1u, std::thread::hardware_concurrency()), c.source);
  if (!budget) return budget.error();
  s->hash_budget_ = *budget;
  if (!c.storage.postgres()) {
    if (auto f = PrepareDatabaseFile(c.storage.path); !f) return f.error();
  }
  auto kek = LoadKeyEncryptionKey(c);
  if (!kek) return kek.error();
  s->key_encryption_ = std::move(*kek);
  LoginSessionStore* shared_sessions = nullptr;  // the nodes' shared sign-in sessions (PostgreSQL)
  if (c.storage.postgres()) {
    PgOptions options;
    options.url = c.storage.url;
    options.pool_size = c.storage.pool_size;
    auto store = PgStore::Open(options);
    if (!store) return store.error();
    s->shared_throttle_ = store->get();
    shared_sessions = store->get();
    s->store_ = std::move(*store);
  } else {
    auto store = SqliteStore::Open({c.storage.path, c.storage.synchronous == SyncMode::kFull, 5000});
    if (!store) return store.error();
    s->sqlite_ = store->get();
    s->store_ = std::move(*store);
  }
  s->audit_ = std::make_unique<AuditService>(*s->store_, *s->clock_, c.audit);
  s->clients_ = std::make_unique<ClientService>(*s->store_, *s->clock_);
  s->users_ = std::make_unique<UserService>(*s->store_, *s->clock_, s->hash_budget_.Apply(c.passwords));
  s->codes_ = std::make_unique<CodeService>(*s->store_, *s->clock_, c.tokens.code_ttl);
  s->devices_ = std::make_unique<DeviceCodeService>(*s->store_, *s->clock_, c.device);
  KeyPolicy keys;
  keys.alg = c.keys.algorithm;
  keys.rotate_every = c.keys.rotate_every;
  // A retired key stays published while any token it signed can be valid,
  // plus keys.retired_grace for clock skew.
  keys.retain_retired = std::max(c.tokens.access_token_ttl, c.tokens.id_token_ttl) + c.keys.retired_grace;
  keys.encryption = s->key_encryption_.get();
  keys.cancel_generation_on_stop = !c.storage.postgres() && c.storage.path == ":memory:";
  // Several nodes load a new key at their next key check: on PostgreSQL a
  // replacing key signs only once every node has had two checks to publish it.
  if (c.storage.postgres()) keys.activate_after = 2 * kKeyCheckSeconds;
  if (!c.keys.key_file.empty()) {
    if (auto f = CheckPrivateFile(c.keys.key_file, "keys.key_file"); !f) return f.error();
    auto pem = ReadFile(c.keys.key_file, c.source + ": keys.key_file");
    if (!pem) return pem.error();
    keys.key_file_pem = std::move(*pem);
  }
  s->keys_ = std::make_unique<KeyService>(*s->store_, *s->clock_, keys);
  s->tokens_ = std::make_unique<TokenService>(*s->store_, *s->clock_, *s->keys_, c.tokens);
  s->token_status_ = std::make_unique<TokenStatusService>(*s->store_, *s->clock_, *s->tokens_);
  s->sessions_ = std::make_unique<LoginSessions>(*s->clock_, s->config_.sessions, shared_sessions);
  s->logout_ = std::make_unique<LogoutService>(*s->store_, *s->keys_, *s->sessions_);
  s->admins_ =
      std::make_unique<AdminService>(*s->store_, *s->clock_, *s->users_,
                                     AdminPolicy{c.admin.session_ttl, c.admin.token_ttl,
                                                 std::max(c.admin.min_password_length, c.passwords.min_length)});
  return s;
}

Result<std::unique_ptr<App>> App::Create(const Config& config) {
  std::unique_ptr<App> app(new App());
  if (auto s = CheckConfig(config); !s) return s.error();
  // The socket and the TLS files first: a server that cannot serve fails
  // with one line before it touches the database or makes a key.
  if (!config.server.tls_key_file.empty()) {
    if (auto f = CheckPrivateFile(config.server.tls_key_file, "server.tls.key_file"); !f) return f.error();
  }
  // The [server] section is the server's options, plus what the app uses.
  app->server_ = std::make_unique<HttpServer>(app->router_, static_cast<const ServerOptions&>(config.server));
  auto port = app->server_->Bind();
  if (!port) return port.error();
  app->port_ = *port;

  auto services = Services::Open(config);
  if (!services) return services.error();
  app->services_ = std::move(*services);
  Services& s = *app->services_;
  auto seeded = SeedFromConfig(s.config().applications, s.clients(), s.users());
  if (!seeded) {
    return Error(ErrorCode::kInvalidConfig, s.config().source + ": " + seeded.error().description);
  }
  for (const auto& [id, secret] : seeded->generated_secrets) {
    Log(LogLevel::kWarn, "seeded application " + id + " got a generated client secret: " + secret +
                             " (shown once; set client_secret in the config to fix it)");
  }
  if (auto k = s.keys().Start(); !k) return k.error();
  if (auto a = SeedAdminFromConfig(s.config(), s.admins()); !a) return a.error();
  if (s.config().testing.enabled) app->test_logins_ = std::make_unique<TestLogins>();
  app->deps_.reset(new OAuthDeps{s.config(), s.clock(), s.clients(), s.users(), s.codes(), s.tokens(), s.keys(),
                                 s.sessions(), s.logout(), s.devices(), app->test_logins_.get()});
  app->admin_deps_.reset(new AdminDeps{s.config(), s.clock(), s.clients(), s.users(), s.admins(), s.audit()});
  app->throttle_ = std::make_unique<Throttle>(s.clock(), s.config().throttle, s.shared_throttle());
  // The standard endpoints need the bound port for the issuer URL.
  app->RegisterRoutes();
  if (s.config().testing.enabled) {
    if (auto t = app->StartTesting(seeded->client_ids); !t) return t.error();
  }
  auto ops = Operations::Create(
      OpsDeps{s.config(), s.clock(), s.store(), s.sqlite(), s.users(), s.codes(), s.tokens(), s.keys(), s.audit()},
      app->router_, *app->server_);
  if (!ops) return ops.error();
  app->ops_ = std::move(*ops);
  app->maintenance_ = std::thread([a = app.get()] { a->MaintenanceLoop(); });
  // Once nothing can fail any more: a refused start-up is one line.
  const HashBudget& hb = s.hash_budget();
  Log(LogLevel::kInfo, "passwords: at most " + std::to_string(hb.concurrent) +
                           (hb.concurrent == 1 ? " scrypt hash at once, " : " scrypt hashes at once, ") +
                           FormatBytes(hb.hash_bytes) + " each" +
                           (hb.budget ? ", within a budget of " + FormatBytes(hb.budget) + " (" + hb.budget_from + ")"
                                      : " (no memory budget: " + hb.budget_from + ")"));
  return app;
}

App::~App() {
  Stop();
  if (maintenance_.joinable()) maintenance_.join();
}

void App::RegisterRoutes() {
  RegisterAtmRoutes(router_, *deps_, *throttle_, services_->audit());
  RegisterOidcRoutes(router_, *deps_, services_->token_status(), IssuerUrl());
  RegisterDeviceRoutes(router_, *deps_, *throttle_, services_->audit(), IssuerUrl());
  RegisterAdminRoutes(router_, *admin_deps_);
}

Status App::StartTesting(const std::vector<std::string>& seeded_client_ids) {
  Services& s = *services_;
  Log(LogLevel::kWarn,
      "testing is on: the test-control API at /_testing mints tokens and changes state for anyone who can reach " +
          ListenUrl() + "; never turn it on in production");
  TestingDeps deps{s.config(), s.system_clock(), *s.sqlite(), s.clients(),   s.users(),   s.codes(),        s.tokens(),
                   s.keys(),   s.sessions(),     *throttle_,  *test_logins_, IssuerUrl(), seeded_client_ids};
  testing_ = std::make_unique<TestingApi>(std::move(deps));
  testing_->Register(router_);
  return testing_->Start();
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
  if (!stopping_) server_->Listen();
}

void App::Stop() {
  if (stopping_.exchange(true)) return;
  {
    std::lock_guard<std::mutex> lock(stop_mutex_);
    stop_cv_.notify_all();
  }
  if (server_) server_->Stop();  // also before Listen, which then returns at once
  if (ops_) ops_->Stop();
}

void App::MaintenanceLoop() {
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
      if (auto s = services_->audit().Prune(); !s) Log(LogLevel::kWarn, "audit prune: " + s.error().description);
      throttle_->PurgeShared();
      last_purge = now;
    }
    lock.lock();
  }
}

}  // namespace atm
