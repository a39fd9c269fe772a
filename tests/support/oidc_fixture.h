// A complete, in-memory atm for the OpenID tests: the app's Services with a
// fake clock (tests/support/test_atm.h), two confidential applications, one public application and a user,
// and a helper that signs the user in and returns tokens as /token would.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "app.h"
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
#include "support/test_atm.h"

namespace atm::testing {

inline constexpr const char* kIssuer = "https://id.example.test";

class OidcFixture : public ServicesFixture {
 public:
  explicit OidcFixture(JwsAlg alg = JwsAlg::kES256) : ServicesFixture(OidcConfig(alg)) {
    deps = std::make_unique<OAuthDeps>(
        OAuthDeps{config, clock, *clients, *users, *codes, *tokens, *keys, *sessions, *logout, *devices});
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

 private:
  static Config OidcConfig(JwsAlg alg) {
    ConfigureLog(LogLevel::kWarn, false);  // no "now signing with" lines in test output
    Config c = FixtureConfig();
    c.keys.algorithm = alg;
    if (alg != JwsAlg::kRS256) c.keys.key_file.clear();
    c.tokens.refresh_token_ttl = 3600;
    return c;
  }

 public:
  std::unique_ptr<OAuthDeps> deps;
  ClientRecord app, other, spa;
  UserRecord user;
};

}  // namespace atm::testing
