// The composition root: builds and owns everything, in dependency order
// (store -> services -> handlers -> router -> server), and runs the
// background maintenance (key rotation, expiry purge).
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "admin/deps.h"
#include "config/config.h"
#include "core/clock.h"
#include "crypto/secret_box.h"
#include "domain/admins.h"
#include "domain/audit.h"
#include "domain/clients.h"
#include "domain/codes.h"
#include "domain/device_codes.h"
#include "domain/keys.h"
#include "domain/login_sessions.h"
#include "domain/logout.h"
#include "domain/password_budget.h"
#include "domain/throttle.h"
#include "domain/token_status.h"
#include "domain/tokens.h"
#include "domain/users.h"
#include "http/router.h"
#include "http/server.h"
#include "oauth/deps.h"
#include "ops/operations.h"
#include "store/pg_store.h"
#include "store/sqlite_store.h"
#include "testing/routes.h"

namespace atm {

// The store and the domain services over it: what both the server and the CLI
// subcommands need.
class Services {
 public:
  // `clock` (tests pass a FakeClock) must outlive the Services; null = the system clock.
  static Result<std::unique_ptr<Services>> Open(const Config& config, const Clock* clock = nullptr);

  const Config& config() const { return config_; }
  const Clock& clock() const { return *clock_; }
  // The system clock and its offset (the test-control API moves it); not
  // used when Open was given a clock.
  AdjustableClock& system_clock() { return system_clock_; }
  Store& store() { return *store_; }
  // The SQLite store (null on PostgreSQL): snapshots, WAL and write metrics.
  SqliteStore* sqlite() { return sqlite_; }
  // The sign-in throttle counters every node shares (PostgreSQL), or null.
  ThrottleStore* shared_throttle() { return shared_throttle_; }
  ClientService& clients() { return *clients_; }
  UserService& users() { return *users_; }
  CodeService& codes() { return *codes_; }
  KeyService& keys() { return *keys_; }
  TokenService& tokens() { return *tokens_; }
  TokenStatusService& token_status() { return *token_status_; }
  AdminService& admins() { return *admins_; }
  LoginSessions& sessions() { return *sessions_; }
  LogoutService& logout() { return *logout_; }
  AuditService& audit() { return *audit_; }
  DeviceCodeService& devices() { return *devices_; }
  // How many password hashes run at once, and the memory budget behind it.
  const HashBudget& hash_budget() const { return hash_budget_; }

 private:
  explicit Services(const Config& config) : config_(config) {}
  Config config_;
  AdjustableClock system_clock_;
  const Clock* clock_ = &system_clock_;
  std::unique_ptr<Store> store_;
  SqliteStore* sqlite_ = nullptr;
  ThrottleStore* shared_throttle_ = nullptr;
  HashBudget hash_budget_;
  std::unique_ptr<ClientService> clients_;
  std::unique_ptr<UserService> users_;
  std::unique_ptr<CodeService> codes_;
  std::unique_ptr<SecretBox> key_encryption_;  // null when the keys are stored in plaintext
  std::unique_ptr<KeyService> keys_;
  std::unique_ptr<TokenService> tokens_;
  std::unique_ptr<TokenStatusService> token_status_;
  std::unique_ptr<AdminService> admins_;
  std::unique_ptr<LoginSessions> sessions_;
  std::unique_ptr<LogoutService> logout_;
  std::unique_ptr<AuditService> audit_;
  std::unique_ptr<DeviceCodeService> devices_;
};

class App {
 public:
  // Opens storage, seeds from config, starts the keys, binds the socket.
  static Result<std::unique_ptr<App>> Create(const Config& config);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  int port() const { return port_; }
  const Router& router() const { return router_; }
  Services& services() { return *services_; }
  Operations& operations() { return *ops_; }
  // The URL printed in the listening line.
  std::string ListenUrl() const;
  // The OpenID issuer: server.public_url, or the listening URL (README "Using
  // standard OpenID Connect clients").
  std::string IssuerUrl() const;
  // Serves until Stop(); returns after in-flight requests finish.
  void Serve();
  // Safe from any thread, before or during Serve().
  void Stop();

 private:
  App() = default;
  void RegisterRoutes();
  // [testing] enabled: the control API, the login shortcuts, the reset point.
  Status StartTesting(const std::vector<std::string>& seeded_client_ids);
  void MaintenanceLoop();

  std::unique_ptr<Services> services_;
  std::unique_ptr<OAuthDeps> deps_;
  std::unique_ptr<AdminDeps> admin_deps_;
  std::unique_ptr<Throttle> throttle_;
  std::unique_ptr<TestLogins> test_logins_;  // testing only
  std::unique_ptr<TestingApi> testing_;      // testing only
  Router router_;
  std::unique_ptr<HttpServer> server_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  std::thread maintenance_;
  std::unique_ptr<Operations> ops_;  // metrics and health (src/ops/)
};

}  // namespace atm
