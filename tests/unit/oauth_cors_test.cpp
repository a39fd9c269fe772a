// CORS (oauth/cors.h): public documents for any page; the endpoints a browser
// app calls only for the origins its application allows (the origins of its
// redirect URLs), errors included; preflights; a disallowed origin changes
// nothing.
#include <catch2/catch.hpp>

#include "support/test_atm.h"

namespace atm {
using namespace atm::testing;
namespace {

constexpr const char* kAppOrigin = "http://localhost:8080";        // the demo app's redirect URL
constexpr const char* kOtherOrigin = "https://other.example.com";  // the other app's

HttpRequest Request(const std::string& method, const std::string& path, const std::string& origin,
                    const nlohmann::json& body = nullptr) {
  HttpRequest r;
  r.method = method;
  r.path = path;
  r.remote_addr = "127.0.0.1";
  if (!origin.empty()) r.headers["origin"] = origin;
  if (!body.is_null()) {
    r.headers["content-type"] = "application/json";
    r.body = body.dump();
  }
  return r;
}

HttpRequest Preflight(const std::string& path, const std::string& origin, const std::string& method = "POST") {
  HttpRequest r = Request("OPTIONS", path, origin);
  r.headers["access-control-request-method"] = method;
  r.headers["access-control-request-headers"] = "authorization, content-type";
  return r;
}

bool HasCorsHeader(const HttpResponse& r) {
  for (const auto& [name, value] : r.headers) {
    if (name.rfind("Access-Control-", 0) == 0) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("discovery and the JWKS may be read by any page", "[cors]") {
  TestAtm atm;
  for (const char* path :
       {"/.well-known/openid-configuration", "/auth/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server", "/.well-known/jwks.json", "/auth/.well-known/jwks.json"}) {
    CAPTURE(path);
    auto r = atm.Handle(Request("GET", path, "https://anyone.example"));
    CHECK(r.status == 200);
    CHECK(r.Header("Access-Control-Allow-Origin") == "*");
    auto pre = atm.Handle(Preflight(path, "https://anyone.example", "GET"));
    CHECK(pre.status == 204);
    CHECK(pre.Header("Access-Control-Allow-Origin") == "*");
    CHECK(pre.Header("Access-Control-Allow-Methods") == "GET, HEAD");
  }
}

TEST_CASE("the app's own origin may call /auth and /auth/token, and read their errors", "[cors]") {
  TestAtm atm;
  auto login = atm.Handle(Request("POST", "/auth", kAppOrigin, AuthBody()));
  REQUIRE(login.status == 200);
  CHECK(login.Header("Access-Control-Allow-Origin") == kAppOrigin);
  CHECK(login.Header("Vary") == "Origin");
  auto code = Json(login)["code"].get<std::string>();
  auto token = atm.Handle(Request("POST", "/auth/token", kAppOrigin, TokenBody(code)));
  CHECK(token.status == 200);
  CHECK(token.Header("Access-Control-Allow-Origin") == kAppOrigin);

  // The replay is refused, and the app can read why.
  auto replay = atm.Handle(Request("POST", "/auth/token", kAppOrigin, TokenBody(code)));
  CHECK(replay.status == 400);
  CHECK(Json(replay)["error"] == "invalid_grant");
  CHECK(replay.Header("Access-Control-Allow-Origin") == kAppOrigin);

  auto wrong_password = atm.Handle(Request("POST", "/auth", kAppOrigin, AuthBody({{"password", "nope-nope"}})));
  CHECK(wrong_password.status == 401);
  CHECK(wrong_password.Header("Access-Control-Allow-Origin") == kAppOrigin);
}

TEST_CASE("another application's origin, or an unknown one, gets no CORS header and the same answer", "[cors]") {
  TestAtm atm;
  const auto body = AuthBody({{"password", "wrong-password"}});
  auto plain = atm.Handle(Request("POST", "/auth", "", body));
  for (const char* origin : {kOtherOrigin, "https://evil.example", "null", "http://localhost:8081"}) {
    CAPTURE(origin);
    auto r = atm.Handle(Request("POST", "/auth", origin, body));
    CHECK_FALSE(HasCorsHeader(r));
    CHECK(r.Header("Vary").empty());
    CHECK(r.status == plain.status);
    CHECK(r.body == plain.body);
  }
}

TEST_CASE("a request that names no known application is answered for an origin some application allows", "[cors]") {
  TestAtm atm;
  auto r = atm.Handle(Request("POST", "/auth/token", kOtherOrigin, nlohmann::json{{"clientId", "NoSuchClient"}}));
  CHECK(Json(r)["error"].is_string());
  CHECK(r.Header("Access-Control-Allow-Origin") == kOtherOrigin);
  auto evil = atm.Handle(Request("POST", "/auth/token", "https://evil.example", nlohmann::json{{"clientId", "x"}}));
  CHECK_FALSE(HasCorsHeader(evil));
}

TEST_CASE("preflights answer 204 with the methods and headers, for allowed origins only", "[cors]") {
  TestAtm atm;
  for (const char* path : {"/token", "/revoke", "/introspect", "/auth", "/auth/token"}) {
    CAPTURE(path);
    auto ok = atm.Handle(Preflight(path, kAppOrigin));
    CHECK(ok.status == 204);
    CHECK(ok.body.empty());
    CHECK(ok.Header("Access-Control-Allow-Origin") == kAppOrigin);
    CHECK(ok.Header("Access-Control-Allow-Methods") == "POST");
    CHECK(ok.Header("Access-Control-Allow-Headers") == "Authorization, Content-Type");
    CHECK(ok.Header("Vary") == "Origin");
    auto refused = atm.Handle(Preflight(path, "https://evil.example"));
    CHECK(refused.status == 204);
    CHECK_FALSE(HasCorsHeader(refused));
  }
  auto userinfo = atm.Handle(Preflight("/userinfo", kAppOrigin, "GET"));
  CHECK(userinfo.Header("Access-Control-Allow-Methods") == "GET, POST");
  auto not_cors = atm.Handle(Request("OPTIONS", "/token", ""));
  CHECK(not_cors.status == 204);
  CHECK(not_cors.Header("Allow") == "OPTIONS, POST");
  CHECK_FALSE(HasCorsHeader(not_cors));
}

TEST_CASE("/userinfo answers the token's application's origin and exposes WWW-Authenticate", "[cors]") {
  TestAtm atm;
  auto tokens = Json(atm.ExchangeCode(atm.Login()));
  HttpRequest r = Request("GET", "/userinfo", kAppOrigin);
  r.headers["authorization"] = "Bearer " + tokens["access_token"].get<std::string>();
  auto answer = atm.Handle(r);
  CHECK(answer.Header("Access-Control-Allow-Origin") == kAppOrigin);
  CHECK(answer.Header("Access-Control-Expose-Headers").find("WWW-Authenticate") != std::string::npos);
  r.headers["origin"] = kOtherOrigin;  // the other app's page with this app's token
  CHECK_FALSE(HasCorsHeader(atm.Handle(r)));

  HttpRequest none = Request("GET", "/userinfo", kAppOrigin);
  auto unauthorized = atm.Handle(none);
  CHECK(unauthorized.status == 401);
  CHECK_FALSE(unauthorized.Header("WWW-Authenticate").empty());
  CHECK(unauthorized.Header("Access-Control-Allow-Origin") == kAppOrigin);
}

}  // namespace atm
