// TokenService: the ATM access token shape, the OpenID Connect ID token,
// lifetimes on the injected clock, refresh rotation, and the checks a
// presented access token must pass.
#include <catch2/catch.hpp>
#include <set>

#include "crypto/encoding.h"
#include "crypto/jwt.h"
#include "support/test_atm.h"

namespace atm {
using namespace atm::testing;
namespace {

// Logs the demo user in at the clock's time and redeems the code now.
Result<TokenSet> Issue(TestAtm& atm, const std::string& issuer = "atm") {
  Services& s = atm.services();
  auto client = s.clients().Get(kClientId);
  REQUIRE(client.ok());
  auto user = s.users().Authenticate(kClientId, kEmail, kPassword);
  REQUIRE(user.ok());
  CodeRequest request;
  request.client_id = kClientId;
  request.user_id = user->id;
  request.challenge = kS256Challenge;
  request.auth_time = atm.clock().Now();
  auto code = s.codes().Issue(request);
  REQUIRE(code.ok());
  auto redeemed = s.codes().Redeem({*code, kClientId, kVerifier, ""});
  REQUIRE(redeemed.ok());
  return s.tokens().IssueForCode(*redeemed, *client, issuer);
}

std::set<std::string> Keys(const nlohmann::json& object) {
  std::set<std::string> out;
  for (auto& [k, v] : object.items()) out.insert(k);
  return out;
}

}  // namespace

TEST_CASE("the access token has the ATM claim shape and lives access_token_ttl seconds", "[tokens]") {
  TestAtm atm;
  auto tokens = Issue(atm);
  REQUIRE(tokens.ok());
  auto user = atm.services().users().Authenticate(kClientId, kEmail, kPassword);
  REQUIRE(user.ok());
  auto claims = JwtPayload(tokens->access_token);
  for (const char* claim : {"iat", "iss", "exp", "aud", "scope"}) CHECK(claims.contains(claim));
  CHECK(claims["iat"] == atm.clock().Now());
  CHECK(claims["iss"] == "atm");
  CHECK(claims["aud"] == kClientId);
  CHECK(claims["exp"].get<int64_t>() - claims["iat"].get<int64_t>() == 600);
  CHECK(Keys(claims["scope"]) == std::set<std::string>{"email", "id", "firstName", "lastName"});
  CHECK(claims["scope"]["email"] == kEmail);
  CHECK(claims["scope"]["id"] == user->id);
  CHECK(claims["scope"]["firstName"] == "End");
  CHECK(claims["scope"]["lastName"] == "User");
  CHECK(claims["sub"] == user->id);
  CHECK(tokens->expires_in == 600);
  auto header = JwtHeader(tokens->access_token);
  CHECK(header["alg"] == "RS256");
  CHECK(header["kid"] == atm.services().keys().Current().value()->kid());
  CHECK(VerifyJwt(tokens->access_token, atm.services().keys().Lookup()).ok());
}

TEST_CASE("lifetimes and issuer follow the config", "[tokens]") {
  TestAtm atm(
      TestConfig("[tokens]\nissuer = \"https://auth.example.com\"\naccess_token_ttl = \"5m\"\n"
                 "id_token_ttl = \"2m\"\n"));
  auto tokens = Issue(atm, atm.services().config().tokens.issuer);
  REQUIRE(tokens.ok());
  auto access = JwtPayload(tokens->access_token);
  CHECK(access["iss"] == "https://auth.example.com");
  CHECK(access["exp"].get<int64_t>() - access["iat"].get<int64_t>() == 300);
  auto id = JwtPayload(tokens->id_token);
  CHECK(id["exp"].get<int64_t>() - id["iat"].get<int64_t>() == 120);
  CHECK(tokens->expires_in == 300);
}

TEST_CASE("the ID token carries the OpenID Connect claims of the user", "[tokens]") {
  TestAtm atm;
  const int64_t login_time = atm.clock().Now();
  auto user = atm.services().users().Authenticate(kClientId, kEmail, kPassword);
  REQUIRE(user.ok());
  auto tokens = Issue(atm);
  REQUIRE(tokens.ok());
  auto id = JwtPayload(tokens->id_token);
  for (const char* claim : {"iss", "sub", "aud", "exp", "iat", "auth_time", "email", "given_name", "family_name"}) {
    CAPTURE(claim);
    CHECK(id.contains(claim));
  }
  CHECK(id["iss"] == "atm");
  CHECK(id["sub"] == user->id);
  CHECK(id["aud"] == kClientId);
  CHECK(id["auth_time"] == login_time);
  CHECK(id["email"] == kEmail);
  CHECK(id["given_name"] == "End");
  CHECK(id["family_name"] == "User");
  // OIDC Core §3.1.3.6: the left half of SHA-256 of the access token.
  CHECK(id["at_hash"] == Base64UrlEncode(Sha256(tokens->access_token).substr(0, 16)));
  CHECK(id["sid"] == JwtPayload(tokens->access_token)["sid"]);
  CHECK_FALSE(id.contains("nonce"));
  CHECK(VerifyJwt(tokens->id_token, atm.services().keys().Lookup()).ok());
}

TEST_CASE("a refreshed token set keeps auth_time and moves iat with the clock", "[tokens]") {
  TestAtm atm;
  const int64_t login_time = atm.clock().Now();
  auto first = Issue(atm);
  REQUIRE(first.ok());
  atm.clock().Advance(120);
  auto client = atm.services().clients().Get(kClientId);
  auto next = atm.services().tokens().Refresh(first->refresh_token, *client, "atm", first->id_token);
  REQUIRE(next.ok());
  CHECK(next->refresh_token != first->refresh_token);
  auto access = JwtPayload(next->access_token);
  CHECK(access["iat"] == login_time + 120);
  CHECK(access["exp"] == login_time + 120 + 600);
  CHECK(JwtPayload(next->id_token)["auth_time"] == login_time);
}

TEST_CASE("a refresh token expires after refresh_token_ttl", "[tokens]") {
  TestAtm atm(TestConfig("[tokens]\nrefresh_token_ttl = \"1h\"\n"));
  auto first = Issue(atm);
  REQUIRE(first.ok());
  auto client = atm.services().clients().Get(kClientId);
  atm.clock().Advance(3600);
  auto r = atm.services().tokens().Refresh(first->refresh_token, *client, "atm", "");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().Is(ErrorCode::kInvalidGrant));
}

TEST_CASE("a refresh for a disabled user fails and ends the login", "[tokens]") {
  TestAtm atm;
  auto first = Issue(atm);
  REQUIRE(first.ok());
  auto user = atm.services().users().Authenticate(kClientId, kEmail, kPassword);
  REQUIRE(atm.services().users().Update(user->id, UserChanges{{}, {}, {}, true}).ok());
  auto client = atm.services().clients().Get(kClientId);
  auto r = atm.services().tokens().Refresh(first->refresh_token, *client, "atm", "");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().Is(ErrorCode::kInvalidGrant));
}

TEST_CASE("an access token verifies until it expires, while its login stands", "[tokens]") {
  TestAtm atm;
  auto tokens = Issue(atm);
  REQUIRE(tokens.ok());
  auto& service = atm.services().tokens();
  SECTION("valid") {
    auto info = service.VerifyAccessToken(tokens->access_token, {"atm"});
    REQUIRE(info.ok());
    CHECK(info->client_id == kClientId);
    CHECK(info->claims["scope"]["email"] == kEmail);
  }
  SECTION("expired") {
    atm.clock().Advance(600);
    auto r = service.VerifyAccessToken(tokens->access_token, {"atm"});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().Is(ErrorCode::kInvalidToken));
    CHECK(r.error().status() == 401);
  }
  SECTION("another issuer") { CHECK_FALSE(service.VerifyAccessToken(tokens->access_token, {"https://other"}).ok()); }
  SECTION("tampered") {
    std::string t = tokens->access_token;
    t[t.find('.') + 5] ^= 1;
    CHECK_FALSE(service.VerifyAccessToken(t, {"atm"}).ok());
  }
  SECTION("login revoked by refresh token reuse") {
    auto client = atm.services().clients().Get(kClientId);
    REQUIRE(service.Refresh(tokens->refresh_token, *client, "atm", "").ok());
    REQUIRE_FALSE(service.Refresh(tokens->refresh_token, *client, "atm", "").ok());
    auto r = service.VerifyAccessToken(tokens->access_token, {"atm"});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().description.find("revoked") != std::string::npos);
  }
  SECTION("user deleted") {
    auto user = atm.services().users().Authenticate(kClientId, kEmail, kPassword);
    REQUIRE(atm.services().users().Delete(user->id).ok());
    CHECK_FALSE(service.VerifyAccessToken(tokens->access_token, {"atm"}).ok());
  }
  SECTION("application disabled") {
    REQUIRE(atm.services().clients().Update(kClientId, ApplicationChanges{{}, {}, true}).ok());
    CHECK_FALSE(service.VerifyAccessToken(tokens->access_token, {"atm"}).ok());
  }
}

TEST_CASE("HasScope matches whole space-separated items", "[tokens]") {
  CHECK(HasScope("openid email", "email"));
  CHECK(HasScope("openid", "openid"));
  CHECK_FALSE(HasScope("openid emails", "email"));
  CHECK_FALSE(HasScope("", "openid"));
}

}  // namespace atm
