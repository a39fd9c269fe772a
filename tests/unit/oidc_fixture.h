// A complete, in-memory atm for the OpenID tests: store, services with a fake
// clock, two confidential applications, one public application and a user,
// and a helper that signs the user in and returns tokens as /token would.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "config/config.h"
#include "core/clock.h"
#include "core/log.h"
#include "crypto/pkce.h"
#include "domain/clients.h"
#include "domain/codes.h"
#include "domain/keys.h"
#include "domain/token_status.h"
#include "domain/tokens.h"
#include "domain/users.h"
#include "oauth/deps.h"
#include "store/sqlite_store.h"

namespace atm::testing {

inline constexpr const char* kIssuer = "https://id.example.test";
inline constexpr const char* kVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";  // RFC 7636 App. B

class OidcFixture {
 public:
  explicit OidcFixture(JwsAlg alg = JwsAlg::kES256) {
    ConfigureLog(LogLevel::kWarn, false);  // no "now signing with" lines in test output
    store_ = SqliteStore::Open({":memory:", false, 1000}).value();
    clients = std::make_unique<ClientService>(*store_, clock);
    users = std::make_unique<UserService>(*store_, clock, PasswordPolicy{{4}, 8, 2});
    codes = std::make_unique<CodeService>(*store_, clock, 60);
    KeyPolicy policy;
    policy.alg = alg;
    policy.retain_retired = 600 + 60;
    keys = std::make_unique<KeyService>(*store_, clock, policy);
    REQUIRE(keys->StartSync());
    tokens = std::make_unique<TokenService>(*store_, clock, *keys, TokenLifetimes{600, 600, 3600});
    status = std::make_unique<TokenStatusService>(*store_, clock, *tokens);
    deps = std::make_unique<OAuthDeps>(OAuthDeps{config, clock, *clients, *users, *codes, *tokens, *keys});
    app = Create({"App", "app-one", "app-one-secret-0123456789", {"https://app.example/cb"}, false});
    other = Create({"Other", "app-two", "app-two-secret-0123456789", {"https://other.example/cb"}, false});
    spa = Create({"SPA", "spa", "", {"http://localhost:3000/cb", "http://localhost:3000/cb2"}, true});
    auto u = users->Create({app.id, "ann@example.com", "password123", "", "Ann", "Lee"});
    REQUIRE(u);
    user = *u;
  }

  ClientRecord Create(const NewApplication& a) {
    auto created = clients->Create(a);
    REQUIRE(created);
    return created->record;
  }

  // A login with `scope` and its code redeemed: the tokens /token answers.
  TokenSet SignIn(const std::string& scope, const std::string& nonce = "") {
    CodeRequest r;
    r.client_id = app.id;
    r.user_id = user.id;
    r.challenge = ComputeChallenge(PkceMethod::kS256, kVerifier);
    r.redirect_uri = "https://app.example/cb";
    r.scope = scope;
    r.nonce = nonce;
    r.auth_time = clock.Now();
    auto code = codes->Issue(r);
    REQUIRE(code);
    auto redeemed = codes->Redeem({*code, app.id, kVerifier, "https://app.example/cb"});
    REQUIRE(redeemed);
    auto t = tokens->IssueForCode(*redeemed, app, kIssuer);
    REQUIRE(t);
    return *t;
  }

  IssuerSet issuers() const { return {{kIssuer, "atm"}, kIssuer}; }
  SqliteStore& store() { return *store_; }

  FakeClock clock;
  Config config;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<ClientService> clients;
  std::unique_ptr<UserService> users;
  std::unique_ptr<CodeService> codes;
  std::unique_ptr<KeyService> keys;
  std::unique_ptr<TokenService> tokens;
  std::unique_ptr<TokenStatusService> status;
  std::unique_ptr<OAuthDeps> deps;
  ClientRecord app, other, spa;
  UserRecord user;
};

}  // namespace atm::testing
