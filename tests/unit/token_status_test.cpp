// Introspection (RFC 7662) and revocation (RFC 7009) of atm's own tokens.
#include <catch2/catch.hpp>

#include "support/oidc_fixture.h"

using namespace atm;
using atm::testing::OidcFixture;

TEST_CASE("introspection describes a live access token of the calling application") {
  OidcFixture f;
  auto t = f.SignIn("openid email");
  auto r = f.status->Introspect(t.access_token, f.app, f.issuers());
  REQUIRE(r);
  const auto& j = *r;
  CHECK(j["active"] == true);
  CHECK(j["token_type"] == "Bearer");
  CHECK(j["client_id"] == "app-one");
  CHECK(j["sub"] == f.user.id);
  CHECK(j["username"] == "ann@example.com");
  CHECK(j["scope"] == "openid email");
  CHECK(j["iss"] == atm::testing::kIssuer);
  CHECK(j["aud"] == "app-one");
  CHECK(j["exp"].get<int64_t>() == f.clock.Now() + 600);
  CHECK(j["iat"].get<int64_t>() == f.clock.Now());
}

TEST_CASE("introspection describes a live refresh token") {
  OidcFixture f;
  auto t = f.SignIn("openid profile");
  auto r = f.status->Introspect(t.refresh_token, f.app, f.issuers());
  REQUIRE(r);
  CHECK((*r)["active"] == true);
  CHECK((*r)["token_type"] == "refresh_token");
  CHECK((*r)["sub"] == f.user.id);
  CHECK((*r)["scope"] == "openid profile");
  CHECK((*r)["exp"].get<int64_t>() == f.clock.Now() + 3600);
}

TEST_CASE("introspection says only active:false for tokens the caller may not rely on") {
  OidcFixture f;
  auto t = f.SignIn("openid");
  const std::string name =
      GENERATE(as<std::string>{}, "garbage", "malformed JWT", "access token of another application",
               "refresh token of another application", "expired access token", "expired refresh token",
               "revoked access token", "access token of a revoked grant", "rotated (spent) refresh token",
               "token of a disabled user", "token of another issuer");
  INFO(name);
  std::string token = t.access_token;
  ClientRecord caller = f.app;
  IssuerSet issuers = f.issuers();
  if (name == "garbage") token = "not-a-token";
  if (name == "malformed JWT") token = "a.b.c";
  if (name == "access token of another application") caller = f.other;
  if (name == "refresh token of another application") caller = f.other, token = t.refresh_token;
  if (name == "expired access token") f.clock.Advance(601);
  if (name == "expired refresh token") f.clock.Advance(3601), token = t.refresh_token;
  if (name == "revoked access token") REQUIRE(f.status->Revoke(t.access_token, f.app, issuers));
  if (name == "access token of a revoked grant") REQUIRE(f.status->Revoke(t.refresh_token, f.app, issuers));
  if (name == "rotated (spent) refresh token") {
    REQUIRE(f.tokens->Refresh(t.refresh_token, f.app, atm::testing::kIssuer, ""));
    token = t.refresh_token;
  }
  if (name == "token of a disabled user") REQUIRE(f.users->Update(f.user.id, {{}, {}, {}, true}));
  if (name == "token of another issuer") issuers.accepted = {"https://elsewhere.example"};
  auto r = f.status->Introspect(token, caller, issuers);
  REQUIRE(r);
  CHECK(*r == nlohmann::json({{"active", false}}));
}

TEST_CASE("revoking a refresh token ends the whole login") {
  OidcFixture f;
  auto t = f.SignIn("openid");
  auto next = f.tokens->Refresh(t.refresh_token, f.app, atm::testing::kIssuer, "");
  REQUIRE(next);
  REQUIRE(f.status->Revoke(next->refresh_token, f.app, f.issuers()));
  CHECK_FALSE(f.tokens->VerifyAccessToken(t.access_token, f.issuers().accepted));
  CHECK_FALSE(f.tokens->VerifyAccessToken(next->access_token, f.issuers().accepted));
  auto again = f.tokens->Refresh(next->refresh_token, f.app, atm::testing::kIssuer, "");
  REQUIRE_FALSE(again);
  CHECK(again.error().Is(ErrorCode::kInvalidGrant));
}

TEST_CASE("revoking an access token ends that token only") {
  OidcFixture f;
  auto t = f.SignIn("openid");
  REQUIRE(f.status->Revoke(t.access_token, f.app, f.issuers()));
  auto v = f.tokens->VerifyAccessToken(t.access_token, f.issuers().accepted);
  REQUIRE_FALSE(v);
  CHECK(v.error().Is(ErrorCode::kInvalidToken));
  // The refresh token still works, and its new access token is good.
  auto next = f.tokens->Refresh(t.refresh_token, f.app, atm::testing::kIssuer, "");
  REQUIRE(next);
  CHECK(f.tokens->VerifyAccessToken(next->access_token, f.issuers().accepted));
}

TEST_CASE("a client_credentials token can be revoked and introspected") {
  OidcFixture f;
  auto t = f.tokens->IssueForClient(f.app, "reports", atm::testing::kIssuer);
  REQUIRE(t);
  auto before = f.status->Introspect(t->access_token, f.app, f.issuers());
  REQUIRE(before);
  CHECK((*before)["active"] == true);
  CHECK((*before)["sub"] == "app-one");
  CHECK((*before)["scope"] == "reports");
  CHECK_FALSE(before->contains("username"));
  REQUIRE(f.status->Revoke(t->access_token, f.app, f.issuers()));
  CHECK(f.status->Introspect(t->access_token, f.app, f.issuers()).value()["active"] == false);
}

TEST_CASE("revocation of unknown, expired or already revoked tokens succeeds quietly") {
  OidcFixture f;
  auto t = f.SignIn("openid");
  CHECK(f.status->Revoke("never-issued", f.app, f.issuers()));
  CHECK(f.status->Revoke("x.y.z", f.app, f.issuers()));
  REQUIRE(f.status->Revoke(t.refresh_token, f.app, f.issuers()));
  CHECK(f.status->Revoke(t.refresh_token, f.app, f.issuers()));
  f.clock.Advance(601);
  CHECK(f.status->Revoke(t.access_token, f.app, f.issuers()));
}

TEST_CASE("an application cannot revoke another application's live tokens") {
  OidcFixture f;
  auto t = f.SignIn("openid");
  for (const auto& token : {t.access_token, t.refresh_token}) {
    auto s = f.status->Revoke(token, f.other, f.issuers());
    REQUIRE_FALSE(s);
    CHECK(s.error().Is(ErrorCode::kInvalidGrant));
  }
  CHECK(f.tokens->VerifyAccessToken(t.access_token, f.issuers().accepted));
  CHECK(f.status->Introspect(t.refresh_token, f.app, f.issuers()).value()["active"] == true);
}

TEST_CASE("introspection and revocation need a token") {
  OidcFixture f;
  CHECK(f.status->Introspect("", f.app, f.issuers()).error().Is(ErrorCode::kInvalidRequest));
  CHECK(f.status->Revoke("", f.app, f.issuers()).error().Is(ErrorCode::kInvalidRequest));
}

TEST_CASE("revoked access tokens are forgotten once they would have expired anyway") {
  OidcFixture f;
  auto t = f.SignIn("openid");
  REQUIRE(f.status->Revoke(t.access_token, f.app, f.issuers()));
  auto jti = DecodeJwtUnverified(t.access_token)->payload["jti"].get<std::string>();
  CHECK(f.store().IsAccessTokenRevoked(jti).value());
  REQUIRE(f.store().PurgeExpired(f.clock.Now() + 601));
  CHECK_FALSE(f.store().IsAccessTokenRevoked(jti).value());
}
