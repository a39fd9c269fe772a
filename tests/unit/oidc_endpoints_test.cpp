// The standard endpoints through the router, without a socket: client
// authentication, Bearer errors (RFC 6750 §3), and the issuer rule.
#include <catch2/catch.hpp>

#include "crypto/encoding.h"
#include "http/router.h"
#include "http/url.h"
#include "oauth/oidc_routes.h"
#include "oauth/token_endpoint.h"
#include "support/oidc_fixture.h"

using namespace atm;
using atm::testing::kIssuer;
using atm::testing::kVerifier;
using atm::testing::OidcFixture;
using nlohmann::json;

namespace {

struct Server {
  OidcFixture f;
  Router router;
  Server() {
    RegisterOidcRoutes(router, *f.deps, *f.status, kIssuer);
    router.Add("POST", "/auth/token", MakeTokenHandler(*f.deps, TokenEndpointRules{}));
  }

  HttpResponse Call(const std::string& method, const std::string& path, const std::string& form,
                    std::map<std::string, std::string> headers = {}) {
    HttpRequest r;
    r.method = method;
    r.path = path;
    r.body = form;
    r.headers = std::move(headers);
    if (!form.empty() && !r.headers.count("content-type")) {
      r.headers["content-type"] = "application/x-www-form-urlencoded";
    }
    return router.Handle(r);
  }
  static std::map<std::string, std::string> Basic(const std::string& id, const std::string& secret) {
    std::string raw = id + ":" + secret;
    std::string b64;
    // Standard base64 of the url-safe encoding: swap the two alphabet letters and pad.
    b64 = Base64UrlEncode(raw);
    for (char& c : b64) c = c == '-' ? '+' : c == '_' ? '/' : c;
    while (b64.size() % 4) b64 += '=';
    return {{"authorization", "Basic " + b64}};
  }
  static std::map<std::string, std::string> Bearer(const std::string& token) {
    return {{"authorization", "Bearer " + token}};
  }
  std::string Code(const std::string& client_id, const std::string& scope) {
    CodeRequest r;
    r.client_id = client_id;
    r.user_id = f.user.id;
    r.challenge = ComputeChallenge(PkceMethod::kS256, kVerifier);
    r.redirect_uri = client_id == "spa" ? "http://localhost:3000/cb" : "https://app.example/cb";
    r.scope = scope;
    r.nonce = "n-1";
    r.auth_time = f.clock.Now();
    return f.codes->Issue(r).value();
  }
};

json Body(const HttpResponse& r) { return json::parse(r.body); }

json Claims(const std::string& jwt) { return DecodeJwtUnverified(jwt).value().payload; }

}  // namespace

TEST_CASE("/token redeems a code with client_secret_basic and issues tokens under the public issuer") {
  Server s;
  auto r = s.Call("POST", "/token",
                  "grant_type=authorization_code&code=" + s.Code("app-one", "openid email") +
                      "&code_verifier=" + kVerifier + "&redirect_uri=https%3A%2F%2Fapp.example%2Fcb",
                  Server::Basic("app-one", "app-one-secret-0123456789"));
  REQUIRE(r.status == 200);
  CHECK(r.Header("Cache-Control") == "no-store");
  json b = Body(r);
  CHECK(b["token_type"] == "Bearer");
  CHECK(b["scope"] == "openid email");
  json id = Claims(b["id_token"]);
  CHECK(id["iss"] == kIssuer);
  CHECK(id["aud"] == "app-one");
  CHECK(id["nonce"] == "n-1");
  CHECK(id["email"] == "ann@example.com");
  CHECK_FALSE(id.contains("given_name"));  // no profile scope
  CHECK(Claims(b["access_token"])["iss"] == kIssuer);
}

TEST_CASE("the ATM endpoint keeps tokens.issuer for the same kind of code") {
  Server s;
  json body = {{"clientId", "app-one"},
               {"clientSecret", "app-one-secret-0123456789"},
               {"grant_type", "authorization_code"},
               {"code", s.Code("app-one", "")},
               {"code_verifier", kVerifier},
               {"redirect_uri", "https://app.example/cb"}};
  auto r = s.Call("POST", "/auth/token", body.dump(), {{"content-type", "application/json"}});
  REQUIRE(r.status == 200);
  CHECK(Claims(Body(r)["access_token"])["iss"] == "atm");
  CHECK(Claims(Body(r)["id_token"])["iss"] == "atm");
}

TEST_CASE("/token follows RFC 6749 strictly") {
  Server s;
  SECTION("a JSON body is refused") {
    auto r = s.Call("POST", "/token", R"({"grant_type":"client_credentials"})", {{"content-type", "application/json"}});
    CHECK(r.status == 415);
    CHECK(Body(r)["error"] == "invalid_request");
  }
  SECTION("the ATM spelling grant_types is not a grant_type") {
    auto r = s.Call("POST", "/token", "grant_types=client_credentials",
                    Server::Basic("app-one", "app-one-secret-0123456789"));
    CHECK(r.status == 400);
    CHECK(Body(r)["error"] == "invalid_request");
  }
  SECTION("a wrong Basic secret is 401 with WWW-Authenticate") {
    auto r = s.Call("POST", "/token", "grant_type=client_credentials", Server::Basic("app-one", "wrong-secret-000000"));
    CHECK(r.status == 401);
    CHECK(Body(r)["error"] == "invalid_client");
    CHECK(r.Header("WWW-Authenticate").rfind("Basic", 0) == 0);
  }
  SECTION("a confidential client must authenticate to refresh (RFC 6749 §6)") {
    auto t = s.f.SignIn("openid");
    auto r = s.Call("POST", "/token", "grant_type=refresh_token&client_id=app-one&refresh_token=" + t.refresh_token);
    CHECK(r.status == 401);
    CHECK(Body(r)["error"] == "invalid_client");
    auto ok = s.Call("POST", "/token",
                     "grant_type=refresh_token&client_id=app-one&client_secret=app-one-secret-0123456789"
                     "&refresh_token=" +
                         t.refresh_token);
    CHECK(ok.status == 200);
  }
  SECTION("redirect_uri must match the authorization request's exactly") {
    auto r = s.Call("POST", "/token",
                    "grant_type=authorization_code&code=" + s.Code("app-one", "openid") +
                        "&code_verifier=" + kVerifier + "&redirect_uri=https%3A%2F%2Fapp.example%2Fcb%2F",
                    Server::Basic("app-one", "app-one-secret-0123456789"));
    CHECK(r.status == 400);
    CHECK(Body(r)["error"] == "invalid_grant");
  }
}

TEST_CASE("a public application redeems and refreshes with its client_id alone") {
  Server s;
  auto r = s.Call("POST", "/token",
                  "grant_type=authorization_code&client_id=spa&code=" + s.Code("spa", "openid") +
                      "&code_verifier=" + kVerifier + "&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcb");
  REQUIRE(r.status == 200);
  auto refreshed =
      s.Call("POST", "/token",
             "grant_type=refresh_token&client_id=spa&refresh_token=" + Body(r)["refresh_token"].get<std::string>());
  CHECK(refreshed.status == 200);
  auto cc = s.Call("POST", "/token", "grant_type=client_credentials&client_id=spa");
  CHECK(cc.status == 400);
  CHECK(Body(cc)["error"] == "unauthorized_client");
}

TEST_CASE("/userinfo answers the claims the token's scope releases") {
  Server s;
  auto with = [&](const std::string& scope) {
    auto t = s.f.SignIn(scope);
    auto r = s.Call("GET", "/userinfo", "", Server::Bearer(t.access_token));
    REQUIRE(r.status == 200);
    return Body(r);
  };
  json openid = with("openid");
  CHECK(openid == json({{"sub", s.f.user.id}}));
  json email = with("openid email");
  CHECK(email["email"] == "ann@example.com");
  CHECK(email["email_verified"] == false);
  CHECK_FALSE(email.contains("name"));
  json profile = with("openid profile");
  CHECK(profile["name"] == "Ann Lee");
  CHECK(profile["given_name"] == "Ann");
  CHECK(profile["family_name"] == "Lee");
  CHECK_FALSE(profile.contains("email"));
  json atm_flow = with("");  // the ATM flow has no scope: everything
  CHECK(atm_flow["email"] == "ann@example.com");
  CHECK(atm_flow["name"] == "Ann Lee");
}

TEST_CASE("/userinfo takes the token from a POST form body too") {
  Server s;
  auto t = s.f.SignIn("openid email");
  auto r = s.Call("POST", "/userinfo", "access_token=" + t.access_token);
  REQUIRE(r.status == 200);
  CHECK(Body(r)["email"] == "ann@example.com");
  auto both =
      s.Call("POST", "/userinfo", "access_token=" + t.access_token,
             {{"authorization", "Bearer " + t.access_token}, {"content-type", "application/x-www-form-urlencoded"}});
  CHECK(both.status == 400);
  CHECK(both.Header("WWW-Authenticate").find("error=\"invalid_request\"") != std::string::npos);
}

TEST_CASE("/userinfo failures follow RFC 6750 §3") {
  Server s;
  auto t = s.f.SignIn("openid");
  SECTION("no token: 401 and a challenge without an error code") {
    auto r = s.Call("GET", "/userinfo", "");
    CHECK(r.status == 401);
    CHECK(r.Header("WWW-Authenticate") == "Bearer realm=\"atm\"");
  }
  SECTION("a forged token: 401 invalid_token") {
    std::string forged = t.access_token;
    forged.back() = forged.back() == 'A' ? 'B' : 'A';
    auto r = s.Call("GET", "/userinfo", "", Server::Bearer(forged));
    CHECK(r.status == 401);
    CHECK(Body(r)["error"] == "invalid_token");
    CHECK(r.Header("WWW-Authenticate").find("error=\"invalid_token\"") != std::string::npos);
  }
  SECTION("an expired token: 401 invalid_token") {
    s.f.clock.Advance(601);
    auto r = s.Call("GET", "/userinfo", "", Server::Bearer(t.access_token));
    CHECK(r.status == 401);
    CHECK(r.Header("WWW-Authenticate").find("invalid_token") != std::string::npos);
  }
  SECTION("a revoked token: 401 invalid_token") {
    REQUIRE(s.f.status->Revoke(t.access_token, s.f.app, s.f.issuers()));
    CHECK(s.Call("GET", "/userinfo", "", Server::Bearer(t.access_token)).status == 401);
  }
  SECTION("another scheme: 400 invalid_request") {
    auto r = s.Call("GET", "/userinfo", "", {{"authorization", "Basic YTpi"}});
    CHECK(r.status == 400);
    CHECK(Body(r)["error"] == "invalid_request");
  }
  SECTION("a token without openid, or without a user: 403 insufficient_scope") {
    auto cc = s.f.tokens->IssueForClient(s.f.app, "", kIssuer);
    for (const std::string& token : {s.f.SignIn("email").access_token, cc->access_token}) {
      auto r = s.Call("GET", "/userinfo", "", Server::Bearer(token));
      CHECK(r.status == 403);
      CHECK(r.Header("WWW-Authenticate").find("error=\"insufficient_scope\"") != std::string::npos);
      CHECK(r.Header("WWW-Authenticate").find("scope=\"openid\"") != std::string::npos);
    }
  }
}

TEST_CASE("/revoke and /introspect authenticate the client") {
  Server s;
  auto t = s.f.SignIn("openid");
  const std::string form = "token=" + t.refresh_token;
  for (const char* path : {"/introspect", "/revoke"}) {
    auto none = s.Call("POST", path, form);  // no client credentials at all: RFC 6749 §5.2
    CHECK(none.status == 401);
    CHECK(none.body.find("\"invalid_client\"") != std::string::npos);
    CHECK(none.Header("WWW-Authenticate") == "Basic realm=\"atm\"");
  }
  CHECK(s.Call("POST", "/introspect", form + "&client_id=app-one").status == 401);
  CHECK(s.Call("POST", "/revoke", form + "&client_id=app-one").status == 401);
  auto bad = s.Call("POST", "/revoke", form, Server::Basic("app-one", "not-the-secret-00000"));
  CHECK(bad.status == 401);
  CHECK_FALSE(bad.Header("WWW-Authenticate").empty());
  // A public application cannot authenticate, so it may not introspect.
  auto pub = s.Call("POST", "/introspect", form + "&client_id=spa");
  CHECK(pub.status == 401);
  CHECK(Body(pub)["error"] == "invalid_client");
  // JSON is not the RFC's encoding.
  CHECK(s.Call("POST", "/revoke", json({{"token", t.refresh_token}}).dump(), {{"content-type", "application/json"}})
            .status == 415);
}

TEST_CASE("/introspect then /revoke then /introspect, as a resource server sees it") {
  Server s;
  auto t = s.f.SignIn("openid email");
  auto creds = Server::Basic("app-one", "app-one-secret-0123456789");
  auto before = s.Call("POST", "/introspect", "token=" + t.access_token + "&token_type_hint=access_token", creds);
  REQUIRE(before.status == 200);
  CHECK(Body(before)["active"] == true);
  CHECK(Body(before)["scope"] == "openid email");
  // The hint is only a hint: a wrong one changes nothing.
  auto revoked = s.Call("POST", "/revoke", "token=" + t.refresh_token + "&token_type_hint=access_token", creds);
  CHECK(revoked.status == 200);
  for (const auto& token : {t.access_token, t.refresh_token}) {
    auto after = s.Call("POST", "/introspect", "token=" + token, creds);
    REQUIRE(after.status == 200);
    CHECK(Body(after) == json({{"active", false}}));
  }
  CHECK(s.Call("POST", "/revoke", "token=unknown-token", creds).status == 200);
}

TEST_CASE("a public application revokes its own refresh token with its client_id") {
  Server s;
  auto r = s.Call("POST", "/token",
                  "grant_type=authorization_code&client_id=spa&code=" + s.Code("spa", "openid") +
                      "&code_verifier=" + kVerifier + "&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcb");
  REQUIRE(r.status == 200);
  std::string refresh = Body(r)["refresh_token"];
  CHECK(s.Call("POST", "/revoke", "client_id=spa&token=" + refresh).status == 200);
  auto again = s.Call("POST", "/token", "grant_type=refresh_token&client_id=spa&refresh_token=" + refresh);
  CHECK(again.status == 400);
  CHECK(Body(again)["error"] == "invalid_grant");
}

TEST_CASE("discovery is served at the root and under /auth/") {
  Server s;
  for (const char* path : {"/.well-known/openid-configuration", "/auth/.well-known/openid-configuration",
                           "/.well-known/oauth-authorization-server"}) {
    INFO(path);
    auto r = s.Call("GET", path, "");
    REQUIRE(r.status == 200);
    CHECK(Body(r)["issuer"] == kIssuer);
  }
}

TEST_CASE("/authorize redirects to the login page, errors to the client, or shows a page") {
  Server s;
  const std::string good =
      "client_id=app-one&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&response_type=code"
      "&scope=openid&state=s1&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
      "&code_challenge_method=S256";
  HttpRequest get;
  get.method = "GET";
  get.path = "/authorize";
  get.query_string = good;
  auto login = s.router.Handle(get);
  CHECK(login.status == 302);
  CHECK(login.Header("Location").rfind("login?clientId=app-one&", 0) == 0);
  auto post = s.Call("POST", "/authorize", good);
  CHECK(post.status == 302);
  CHECK(post.Header("Location") == login.Header("Location"));
  get.query_string = good + "&prompt=none";
  auto none = s.router.Handle(get);
  CHECK(none.status == 302);
  CHECK(none.Header("Location") == "https://app.example/cb?error=login_required&error_description=" +
                                       PercentEncode("the user must sign in: no live session at atm") + "&state=s1");
  get.query_string = "client_id=app-one&redirect_uri=https%3A%2F%2Fattacker.example%2F&response_type=code";
  auto page = s.router.Handle(get);
  CHECK(page.status == 400);
  CHECK(page.Header("Location").empty());
  CHECK(page.content_type.rfind("text/html", 0) == 0);
}
