// An atm without sockets for the security tests: the app's Services over a
// :memory: store (tests/support/test_atm.h), a FakeClock, and the ATM routes on a Router, so that a test
// drives /login, /auth and /auth/token exactly as the HTTP server would and
// moves time instead of sleeping.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "app.h"
#include "config/config.h"
#include "core/clock.h"
#include "crypto/encoding.h"
#include "crypto/pkce.h"
#include "crypto/random.h"
#include "domain/clients.h"
#include "domain/codes.h"
#include "domain/keys.h"
#include "domain/throttle.h"
#include "domain/tokens.h"
#include "domain/users.h"
#include "http/router.h"
#include "http/url.h"
#include "oauth/atm_routes.h"
#include "oauth/auth_endpoint.h"
#include "oauth/deps.h"
#include "oauth/login_endpoint.h"
#include "oauth/token_endpoint.h"
#include "store/sqlite_store.h"
#include "support/test_atm.h"

namespace atm::testing {

struct Pkce {
  std::string verifier;
  std::string challenge;  // S256
};

inline Pkce NewPkce() {
  Pkce p;
  p.verifier = RandomString(64, kAlphanumeric);
  p.challenge = ComputeChallenge(PkceMethod::kS256, p.verifier);
  return p;
}

struct TestApp {
  std::string client_id;
  std::string client_secret;
  std::string redirect_url;
};

struct TestUser {
  std::string id;
  std::string email;
  std::string password;
};

class SecurityFixture : public ServicesFixture {
 public:
  explicit SecurityFixture(ThrottlePolicy throttle_policy = ThrottlePolicy{}, int scrypt_log_n = 4)
      : ServicesFixture(FixtureConfig(scrypt_log_n)) {
    throttle = std::make_unique<Throttle>(clock, throttle_policy);
    deps = std::make_unique<OAuthDeps>(
        OAuthDeps{config, clock, *clients, *users, *codes, *tokens, *keys, *sessions, *logout, *devices});
    RegisterAtmRoutes(router, *deps, *throttle, *audit);
  }

  TestApp AddApp(const std::string& redirect_url = "http://localhost:9999/callback") {
    NewApplication a;
    a.name = "App " + RandomString(6, kAlphanumeric);
    a.redirect_urls = {redirect_url};
    auto created = clients->Create(a);
    return {created->record.id, created->client_secret, redirect_url};
  }

  TestUser AddUser(const TestApp& app, const std::string& email = "") {
    TestUser u;
    u.email = email.empty() ? RandomString(8, "abcdefghijklmnopqrstuvwxyz") + "@example.com" : email;
    u.password = "correct horse " + RandomString(6, kAlphanumeric);
    auto created = users->Create({app.client_id, u.email, u.password, "", "Test", "User"});
    u.id = created ? created->id : "";
    return u;
  }

  HttpResponse Post(const std::string& path, const nlohmann::json& body, const std::string& remote_addr = "192.0.2.1") {
    HttpRequest r;
    r.method = "POST";
    r.path = path;
    r.headers["content-type"] = "application/json";
    r.body = body.dump();
    r.remote_addr = remote_addr;
    return router.Handle(r);
  }

  HttpResponse Get(const std::string& path, const std::string& query) {
    HttpRequest r;
    r.method = "GET";
    r.path = path;
    r.query_string = query;
    r.remote_addr = "192.0.2.1";
    return router.Handle(r);
  }

  // POST /auth for `user` at `app` with the S256 challenge of `pkce`.
  HttpResponse Login(const TestApp& app, const TestUser& user, const Pkce& pkce,
                     const std::string& remote_addr = "192.0.2.1") {
    return Post("/auth",
                {{"loginId", user.email},
                 {"password", user.password},
                 {"clientId", app.client_id},
                 {"code_challenge", pkce.challenge},
                 {"code_challenge_method", "S256"}},
                remote_addr);
  }

  // The code of a successful login (empty when it failed).
  std::string LoginCode(const TestApp& app, const TestUser& user, const Pkce& pkce) {
    HttpResponse r = Login(app, user, pkce);
    if (r.status != 200) return {};
    return nlohmann::json::parse(r.body).value("code", "");
  }

  HttpResponse Exchange(const TestApp& app, const std::string& code, const std::string& verifier) {
    return Post("/auth/token", {{"clientId", app.client_id},
                                {"clientSecret", app.client_secret},
                                {"grant_types", "authorization_code"},
                                {"code", code},
                                {"code_verifier", verifier}});
  }

  HttpResponse Refresh(const TestApp& app, const std::string& refresh_token) {
    return Post("/auth/token",
                {{"clientId", app.client_id}, {"refresh_token", refresh_token}, {"grantType", "refresh_token"}});
  }

  // Whether TokenService accepts the access token (the check /userinfo and
  // /introspect make).
  bool AccessTokenValid(const std::string& access_token) {
    return tokens->VerifyAccessToken(access_token, {config.tokens.issuer}).ok();
  }

  static nlohmann::json Json(const HttpResponse& r) { return nlohmann::json::parse(r.body); }

  std::unique_ptr<Throttle> throttle;
  std::unique_ptr<OAuthDeps> deps;
  Router router;
};

}  // namespace atm::testing
