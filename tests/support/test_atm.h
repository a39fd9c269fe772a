// A socket-less atm for tests: the Services over an in-memory store with a
// FakeClock, seeded like App::Create seeds, and the endpoints routed as
// App routes them (the ATM and the OpenID routes). Requests go straight to the Router.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "app.h"
#include "config/config.h"
#include "core/clock.h"
#include "domain/throttle.h"
#include "http/http.h"
#include "http/router.h"
#include "oauth/deps.h"

namespace atm::testing {

// The demo application and user of config.toml (README "Quick start").
inline constexpr const char* kClientId = "OJJvmTmatjCOTuqBxur2";
inline constexpr const char* kClientSecret = "QhRhyGuSTP7S9cU6riqR3vPHETq9vErX";
inline constexpr const char* kRedirectUrl = "http://localhost:8080/callback";
inline constexpr const char* kEmail = "end.user13@gmail.com";
inline constexpr const char* kPassword = "H123456789";
// A second application with its own user, for cross-client checks.
inline constexpr const char* kOtherClientId = "OtherAppClientId0001";
inline constexpr const char* kOtherClientSecret = "OtherAppSecret0123456789abcdefgh";
inline constexpr const char* kOtherEmail = "other.user@example.com";
// RFC 7636 Appendix B.
inline constexpr const char* kVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
inline constexpr const char* kS256Challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

// One RSA-2048 private key file (PEM, mode 0600) shared by every test of the
// process, for keys.key_file: generating a key per test would take minutes.
const std::string& SharedKeyPath();
const std::string& SharedKeyPem();

// A Config for fixtures that wire services without the demo seed: `:memory:`,
// scrypt at 2^scrypt_log_n, four hashes at once, RS256 with SharedKeyPath().
Config FixtureConfig(int scrypt_log_n = 4);

// The app's own Services (Services::Open) for a test: an in-memory store
// unless `config` says otherwise, the signing key started. FAILs on error.
std::unique_ptr<Services> OpenServices(const Config& config, const Clock& clock);

// What the socket-less fixtures share: a FakeClock, the app's Services over
// `services_config` (OpenServices), and a pointer to each service, as the
// tests use them (f.clients->Create(...)). `config` is the Config the
// handlers read (OAuthDeps, AdminDeps); a test may change it.
struct ServicesFixture {
  explicit ServicesFixture(const Config& services_config);
  Store& store() { return services->store(); }

  FakeClock clock;
  Config config;
  std::unique_ptr<Services> services;
  ClientService* clients;
  UserService* users;
  CodeService* codes;
  KeyService* keys;
  TokenService* tokens;
  TokenStatusService* status;
  AdminService* admins;
  LoginSessions* sessions;
  LogoutService* logout;
  DeviceCodeService* devices;
  AuditService* audit;
};

// The demo config with cheap scrypt, `:memory:` storage and both applications;
// `extra` is TOML appended before the applications (e.g. "[tokens]\ncode_ttl = 30").
Config TestConfig(const std::string& extra = "");

class TestAtm {
 public:
  explicit TestAtm(const Config& config = TestConfig());
  TestAtm(const TestAtm&) = delete;
  TestAtm& operator=(const TestAtm&) = delete;

  FakeClock& clock() { return clock_; }
  Services& services() { return *services_; }
  const Router& router() const { return router_; }

  HttpResponse Handle(const HttpRequest& request) const { return router_.Handle(request); }
  HttpResponse PostJson(const std::string& path, const nlohmann::json& body) const;
  HttpResponse Post(const std::string& path, const std::string& content_type, const std::string& body,
                    const std::string& authorization = "") const;
  // `target` may carry a query string: "/login?clientId=...".
  HttpResponse Get(const std::string& target) const;

  // POST /auth for the demo user; REQUIREs 200 and returns the code.
  std::string Login(const std::string& challenge = kS256Challenge, const std::string& method = "S256",
                    const std::string& client_id = kClientId, const std::string& email = kEmail) const;
  // POST /auth/token with the ATM body (grant_types = authorization_code).
  HttpResponse ExchangeCode(const std::string& code, const std::string& verifier = kVerifier,
                            const std::string& grant_field = "grant_types") const;
  // POST /auth/token with the ATM refresh body (grantType = refresh_token, no secret).
  HttpResponse RefreshTokens(const std::string& refresh_token, const std::string& id_token = "",
                             const std::string& grant_field = "grantType") const;

 private:
  FakeClock clock_;
  std::unique_ptr<Services> services_;
  std::unique_ptr<OAuthDeps> deps_;
  std::unique_ptr<Throttle> throttle_;
  Router router_;
};

// The ATM /auth body for the demo user with an S256 challenge; `changes`
// overrides fields, and a null value removes one.
nlohmann::json AuthBody(const nlohmann::json& changes = nlohmann::json::object());
// The ATM /auth/token authorization_code body for `code`, with `changes` as above.
nlohmann::json TokenBody(const std::string& code, const nlohmann::json& changes = nlohmann::json::object());
// Checks a JSON error response: status, RFC 6749 code, a description, no-store.
void ExpectError(const HttpResponse& response, int status, const std::string& code);

// The JSON body of a response; FAILs when it is not JSON.
nlohmann::json Json(const HttpResponse& response);
// The payload of a JWT, decoded without verification.
nlohmann::json JwtPayload(const std::string& token);
nlohmann::json JwtHeader(const std::string& token);

}  // namespace atm::testing
