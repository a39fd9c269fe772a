// The ATM endpoints through the router, without a socket (README "The flow by
// hand, with curl"): the flow, the grant type spellings, the challenge methods,
// the error table, no-store, refresh rotation, the JWKS, and 404/405.
#include <catch2/catch.hpp>
#include <regex>
#include <string>

#include "crypto/encoding.h"
#include "crypto/pkce.h"
#include "support/test_atm.h"

namespace atm {
using namespace atm::testing;
namespace {

bool IsCode(const std::string& s) { return std::regex_match(s, std::regex("[A-Za-z0-9]{50}")); }

}  // namespace

TEST_CASE("POST /auth answers the redirect URL and a 50-character code", "[router]") {
  TestAtm atm;
  auto r = atm.PostJson("/auth", AuthBody());
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto body = Json(r);
  CHECK(body["redirectUrl"] == kRedirectUrl);
  CHECK(IsCode(body["code"].get<std::string>()));
  CHECK(r.Header("Cache-Control") == "no-store");
}

TEST_CASE("the code exchanges for the ATM token response with no-store", "[router]") {
  TestAtm atm;
  auto r = atm.ExchangeCode(atm.Login());
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.Header("Cache-Control") == "no-store");
  CHECK(r.Header("Pragma") == "no-cache");
  auto body = Json(r);
  for (const char* field : {"id_token", "access_token", "refresh_token"}) {
    CAPTURE(field);
    REQUIRE(body[field].is_string());
    CHECK_FALSE(body[field].get<std::string>().empty());
  }
  CHECK(body["exp_access_token"] == 600);
  CHECK(body["expires_in"] == 600);
  CHECK(body["token_type"] == "Bearer");
  CHECK(JwtHeader(body["access_token"])["alg"] == "RS256");
  auto claims = JwtPayload(body["access_token"]);
  CHECK(claims["aud"] == kClientId);
  CHECK(claims["iss"] == "atm");
  CHECK(claims["scope"]["email"] == kEmail);
}

TEST_CASE("the grant type is accepted as grant_types, grant_type or grantType", "[router]") {
  auto field = GENERATE("grant_types", "grant_type", "grantType");
  CAPTURE(field);
  TestAtm atm;
  auto first = atm.ExchangeCode(atm.Login(), kVerifier, field);
  INFO(first.body);
  REQUIRE(first.status == 200);
  auto refreshed = atm.RefreshTokens(Json(first)["refresh_token"], "", field);
  INFO(refreshed.body);
  CHECK(refreshed.status == 200);
}

TEST_CASE("SHA256, SHA512 and S256 challenges work end to end, in any case", "[router]") {
  auto [method, pkce] = GENERATE(table<std::string, PkceMethod>({
      {"S256", PkceMethod::kS256},
      {"s256", PkceMethod::kS256},
      {"SHA256", PkceMethod::kSha256Hex},
      {"sha256", PkceMethod::kSha256Hex},
      {"SHA512", PkceMethod::kSha512Hex},
      {"Sha512", PkceMethod::kSha512Hex},
  }));
  CAPTURE(method);
  TestAtm atm;
  const std::string verifier = "a-verifier-of-forty-three-characters-or-more_~.";
  const std::string challenge = ComputeChallenge(pkce, verifier);
  SECTION("the right verifier gets tokens") {
    auto r = atm.ExchangeCode(atm.Login(challenge, method), verifier);
    INFO(r.body);
    CHECK(r.status == 200);
  }
  SECTION("another verifier is invalid_grant") {
    auto r = atm.ExchangeCode(atm.Login(challenge, method), verifier + "x");
    ExpectError(r, 400, "invalid_grant");
  }
}

TEST_CASE("plain challenges are refused by default and accepted when the config allows them", "[router]") {
  SECTION("default") {
    TestAtm atm;
    auto r = atm.PostJson("/auth", AuthBody({{"code_challenge", kVerifier}, {"code_challenge_method", "plain"}}));
    ExpectError(r, 400, "invalid_request");
  }
  SECTION("allowed") {
    TestAtm atm(TestConfig("[pkce]\nallow_plain = true\n"));
    auto r = atm.ExchangeCode(atm.Login(kVerifier, "plain"), kVerifier);
    INFO(r.body);
    CHECK(r.status == 200);
  }
}

TEST_CASE("errors carry the RFC 6749 code, the right status and no-store", "[router]") {
  TestAtm atm;
  const std::string code = atm.Login();
  struct Case {
    const char* name;
    std::string path;
    nlohmann::json body;
    int status;
    const char* error;
  };
  const Case cases[] = {
      {"unknown client at /auth", "/auth", AuthBody({{"clientId", "nope"}}), 401, "invalid_client"},
      {"missing clientId at /auth", "/auth", AuthBody({{"clientId", nullptr}}), 400, "invalid_request"},
      {"wrong password", "/auth", AuthBody({{"password", "wrong-password"}}), 401, "invalid_grant"},
      {"unknown email", "/auth", AuthBody({{"loginId", "nobody@example.com"}}), 401, "invalid_grant"},
      {"user of another application", "/auth", AuthBody({{"loginId", kOtherEmail}}), 401, "invalid_grant"},
      {"missing password", "/auth", AuthBody({{"password", nullptr}}), 400, "invalid_request"},
      {"missing loginId", "/auth", AuthBody({{"loginId", nullptr}}), 400, "invalid_request"},
      {"missing challenge", "/auth", AuthBody({{"code_challenge", nullptr}}), 400, "invalid_request"},
      {"missing method", "/auth", AuthBody({{"code_challenge_method", nullptr}}), 400, "invalid_request"},
      {"unknown method", "/auth", AuthBody({{"code_challenge_method", "MD5"}}), 400, "invalid_request"},
      {"malformed challenge", "/auth", AuthBody({{"code_challenge", "abc"}}), 400, "invalid_request"},
      {"wrong client secret", "/auth/token", TokenBody(code, {{"clientSecret", "wrong-secret-0123456789"}}), 401,
       "invalid_client"},
      {"missing client secret", "/auth/token", TokenBody(code, {{"clientSecret", nullptr}}), 401, "invalid_client"},
      {"unknown client", "/auth/token", TokenBody(code, {{"clientId", "nope"}}), 401, "invalid_client"},
      {"missing clientId", "/auth/token", TokenBody(code, {{"clientId", nullptr}}), 400, "invalid_request"},
      {"unknown grant type", "/auth/token", TokenBody(code, {{"grant_types", "password"}}), 400,
       "unsupported_grant_type"},
      {"missing grant type", "/auth/token", TokenBody(code, {{"grant_types", nullptr}}), 400, "invalid_request"},
      {"unknown code", "/auth/token", TokenBody(std::string(50, 'A')), 400, "invalid_grant"},
      {"missing code", "/auth/token", TokenBody(code, {{"code", nullptr}}), 400, "invalid_request"},
      {"missing verifier", "/auth/token", TokenBody(code, {{"code_verifier", nullptr}}), 400, "invalid_request"},
      {"malformed verifier", "/auth/token", TokenBody(code, {{"code_verifier", "short"}}), 400, "invalid_request"},
      {"unknown refresh token",
       "/auth/token",
       {{"clientId", kClientId}, {"grantType", "refresh_token"}, {"refresh_token", "nope"}},
       400,
       "invalid_grant"},
      {"missing refresh token",
       "/auth/token",
       {{"clientId", kClientId}, {"grantType", "refresh_token"}},
       400,
       "invalid_request"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    ExpectError(atm.PostJson(c.path, c.body), c.status, c.error);
  }
  // None of the refused requests above spent the code: it still works.
  CHECK(atm.ExchangeCode(code).status == 200);
}

TEST_CASE("a wrong password and an unknown email give the same answer", "[router]") {
  TestAtm atm;
  auto wrong = atm.PostJson("/auth", AuthBody({{"password", "wrong-password"}}));
  auto unknown = atm.PostJson("/auth", AuthBody({{"loginId", "nobody@example.com"}}));
  CHECK(wrong.status == unknown.status);
  CHECK(wrong.body == unknown.body);
}

TEST_CASE("the login email matches case-insensitively and ignores surrounding spaces", "[router]") {
  TestAtm atm;
  CHECK(atm.PostJson("/auth", AuthBody({{"loginId", "  END.User13@Gmail.com "}})).status == 200);
}

TEST_CASE("HTTP Basic client authentication works, and its failure asks for Basic", "[router]") {
  TestAtm atm;
  const std::string basic = "Basic " + Base64UrlEncode(std::string(kClientId) + ":" + kClientSecret);
  SECTION("right secret") {
    const std::string body = "grant_type=authorization_code&code=" + atm.Login() + "&code_verifier=" + kVerifier;
    auto r = atm.Post("/auth/token", "application/x-www-form-urlencoded", body, basic);
    INFO(r.body);
    CHECK(r.status == 200);
  }
  SECTION("wrong secret") {
    const std::string bad = "Basic " + Base64UrlEncode(std::string(kClientId) + ":wrong-secret-0123456789");
    const std::string body = "grant_type=authorization_code&code=" + atm.Login() + "&code_verifier=" + kVerifier;
    auto r = atm.Post("/auth/token", "application/x-www-form-urlencoded", body, bad);
    ExpectError(r, 401, "invalid_client");
    CHECK(r.Header("WWW-Authenticate").rfind("Basic", 0) == 0);
  }
  SECTION("malformed header") {
    auto r =
        atm.Post("/auth/token", "application/x-www-form-urlencoded",
                 "grant_type=authorization_code&code=x&code_verifier=" + std::string(kVerifier), "Basic !!!not-base64");
    ExpectError(r, 401, "invalid_client");
  }
}

TEST_CASE("a code works once; replaying it revokes the tokens it gave", "[router]") {
  TestAtm atm;
  const std::string code = atm.Login();
  auto first = atm.ExchangeCode(code);
  REQUIRE(first.status == 200);
  ExpectError(atm.ExchangeCode(code), 400, "invalid_grant");
  ExpectError(atm.RefreshTokens(Json(first)["refresh_token"]), 400, "invalid_grant");
}

TEST_CASE("a code expires after the code TTL (60 s by default)", "[router]") {
  TestAtm atm;
  SECTION("at 59 s it still works") {
    const std::string code = atm.Login();
    atm.clock().Advance(59);
    CHECK(atm.ExchangeCode(code).status == 200);
  }
  SECTION("at 60 s it has expired") {
    const std::string code = atm.Login();
    atm.clock().Advance(60);
    auto r = atm.ExchangeCode(code);
    ExpectError(r, 400, "invalid_grant");
    CHECK(Json(r)["error_description"].get<std::string>().find("expired") != std::string::npos);
  }
}

TEST_CASE("the code TTL follows the config", "[router]") {
  TestAtm atm(TestConfig("[tokens]\ncode_ttl = \"5s\"\n"));
  const std::string code = atm.Login();
  atm.clock().Advance(5);
  ExpectError(atm.ExchangeCode(code), 400, "invalid_grant");
}

TEST_CASE("a code is bound to its client", "[router]") {
  TestAtm atm;
  const std::string code = atm.Login();
  auto stolen = atm.PostJson("/auth/token",
                             TokenBody(code, {{"clientId", kOtherClientId}, {"clientSecret", kOtherClientSecret}}));
  ExpectError(stolen, 400, "invalid_grant");
  // The failed attempt spent it (RFC 6749 §4.1.2: one use).
  ExpectError(atm.ExchangeCode(code), 400, "invalid_grant");
}

TEST_CASE("a refresh rotates the refresh token; the old one is refused; reuse revokes the new one", "[router]") {
  TestAtm atm;
  auto first = Json(atm.ExchangeCode(atm.Login()));
  const std::string r1 = first["refresh_token"];
  atm.clock().Advance(10);
  auto second = atm.RefreshTokens(r1, first["id_token"]);
  INFO(second.body);
  REQUIRE(second.status == 200);
  CHECK(second.Header("Cache-Control") == "no-store");
  auto tokens = Json(second);
  const std::string r2 = tokens["refresh_token"];
  CHECK(r2 != r1);
  CHECK(tokens["access_token"] != first["access_token"]);
  CHECK(JwtPayload(tokens["access_token"])["iat"].get<int64_t>() ==
        JwtPayload(first["access_token"])["iat"].get<int64_t>() + 10);
  CHECK(tokens["exp_access_token"] == 600);
  CHECK(tokens["id_token"].is_string());

  ExpectError(atm.RefreshTokens(r1), 400, "invalid_grant");  // reuse: revokes the login
  ExpectError(atm.RefreshTokens(r2), 400, "invalid_grant");
}

TEST_CASE("a refresh token is refused to another client and with another user's id_token", "[router]") {
  TestAtm atm;
  auto mine = Json(atm.ExchangeCode(atm.Login()));
  SECTION("another client") {
    auto r = atm.PostJson("/auth/token", {{"clientId", kOtherClientId},
                                          {"clientSecret", kOtherClientSecret},
                                          {"grantType", "refresh_token"},
                                          {"refresh_token", mine["refresh_token"]}});
    ExpectError(r, 400, "invalid_grant");
    CHECK(atm.RefreshTokens(mine["refresh_token"]).status == 200);  // still the owner's
  }
  SECTION("another login's id_token") {
    auto other = Json(atm.ExchangeCode(atm.Login()));
    // Same user and client: accepted. Forge one with another sub: refused.
    auto payload = JwtPayload(other["id_token"]);
    payload["sub"] = "someone-else";
    std::string forged = Base64UrlEncode(R"({"alg":"RS256"})") + "." + Base64UrlEncode(payload.dump()) + ".x";
    ExpectError(atm.RefreshTokens(mine["refresh_token"], forged), 400, "invalid_grant");
    CHECK(atm.RefreshTokens(mine["refresh_token"], other["id_token"]).status == 200);
  }
}

TEST_CASE("a refresh with a wrong client secret is invalid_client even though none is required", "[router]") {
  TestAtm atm;
  auto mine = Json(atm.ExchangeCode(atm.Login()));
  auto r = atm.PostJson("/auth/token", {{"clientId", kClientId},
                                        {"clientSecret", "wrong-secret-0123456789"},
                                        {"grantType", "refresh_token"},
                                        {"refresh_token", mine["refresh_token"]}});
  ExpectError(r, 401, "invalid_client");
}

TEST_CASE("the JWKS publishes the key that signed the tokens", "[router]") {
  TestAtm atm;
  auto tokens = Json(atm.ExchangeCode(atm.Login()));
  const std::string kid = JwtHeader(tokens["access_token"])["kid"];
  for (const char* path : {"/auth/.well-known/jwks.json", "/.well-known/jwks.json"}) {
    CAPTURE(path);
    auto r = atm.Get(path);
    REQUIRE(r.status == 200);
    auto jwks = Json(r);
    REQUIRE(jwks["keys"].size() == 1);
    const auto& key = jwks["keys"][0];
    CHECK(key["kid"] == kid);
    CHECK(key["kty"] == "RSA");
    CHECK(key["use"] == "sig");
    CHECK(key["alg"] == "RS256");
    CHECK(key["n"].is_string());
    CHECK(key["e"] == "AQAB");
    CHECK_FALSE(key.contains("d"));
  }
}

TEST_CASE("GET /health answers 200 with JSON", "[router]") {
  TestAtm atm;
  auto r = atm.Get("/health");
  CHECK(r.status == 200);
  CHECK(Json(r)["status"] == "ok");
}

TEST_CASE("unknown paths are 404 and wrong methods 405, as JSON", "[router]") {
  TestAtm atm;
  auto missing = atm.Get("/nope");
  CHECK(missing.status == 404);
  CHECK(Json(missing)["error"] == "not_found");
  auto wrong = atm.Get("/auth/token");
  CHECK(wrong.status == 405);
  CHECK(wrong.Header("Allow") == "OPTIONS, POST");
  CHECK(Json(wrong)["error"].is_string());
}

}  // namespace atm
