// /authorize validation (RFC 6749 §4.1.2.1): error page until the client and
// redirect URI are known good, redirected errors after.
#include "oauth/authorize_request.h"

#include <catch2/catch.hpp>

#include "http/url.h"
#include "support/oidc_fixture.h"

using namespace atm;
using atm::testing::OidcFixture;
using Kind = AuthorizeDecision::Kind;

namespace {

const std::string kChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";  // RFC 7636 App. B

std::multimap<std::string, std::string> Parse(const std::string& query) { return *ParseUrlEncoded(query); }

// A valid OpenID request for the fixture's "app-one", plus `extra`.
std::string Valid(const std::string& extra = "") {
  return "client_id=app-one&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&response_type=code"
         "&scope=openid%20email&state=st-1&nonce=n-1&code_challenge=" +
         kChallenge + "&code_challenge_method=S256" + extra;
}

}  // namespace

TEST_CASE("a bad client or redirect URI shows an error page and never redirects") {
  OidcFixture f;
  struct Case {
    const char* name;
    std::string query;
    const char* code;
  };
  auto c = GENERATE(
      Case{"no client_id", "redirect_uri=https%3A%2F%2Fapp.example%2Fcb&response_type=code", "invalid_request"},
      Case{"unknown client", "client_id=nope&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&response_type=code",
           "invalid_client"},
      Case{"client_id twice", "client_id=app-one&client_id=app-two&response_type=code", "invalid_request"},
      Case{"unregistered redirect", "client_id=app-one&redirect_uri=https%3A%2F%2Fevil.example%2Fcb&response_type=code",
           "invalid_request"},
      Case{"redirect only by prefix",
           "client_id=app-one&redirect_uri=https%3A%2F%2Fapp.example%2Fcb%2Fx&response_type=code", "invalid_request"},
      Case{"redirect twice", Valid("&redirect_uri=https%3A%2F%2Fapp.example%2Fcb"), "invalid_request"},
      Case{"no redirect, several registered", "client_id=spa&response_type=code", "invalid_request"});
  INFO(c.name);
  auto d = ValidateAuthorizeRequest(Parse(c.query), *f.clients, {});
  CHECK(d.kind == Kind::kErrorPage);
  CHECK(d.error.wire_name() == c.code);
  CHECK_FALSE(d.error.description.empty());
}

TEST_CASE("a disabled application gets the error page") {
  OidcFixture f;
  REQUIRE(f.clients->Update("app-one", {std::nullopt, std::nullopt, true}));
  auto d = ValidateAuthorizeRequest(Parse(Valid()), *f.clients, {});
  CHECK(d.kind == Kind::kErrorPage);
  CHECK(d.error.Is(ErrorCode::kInvalidClient));
}

TEST_CASE("once client and redirect URI are good, errors go back to the client with state") {
  OidcFixture f;
  struct Case {
    const char* name;
    std::string query;
    const char* code;
  };
  const std::string base =
      "client_id=app-one&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&state=st-1&code_challenge=" + kChallenge +
      "&code_challenge_method=S256";
  auto c = GENERATE_COPY(
      Case{"no response_type", base, "invalid_request"},
      Case{"implicit flow", base + "&response_type=token", "unsupported_response_type"},
      Case{"hybrid flow", base + "&response_type=code%20id_token", "unsupported_response_type"},
      Case{"fragment response mode", base + "&response_type=code&response_mode=fragment", "invalid_request"},
      Case{"unknown scope", base + "&response_type=code&scope=openid%20admin", "invalid_scope"},
      Case{"no challenge",
           "client_id=app-one&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&state=st-1&response_type=code",
           "invalid_request"},
      Case{"challenge without method (plain) when plain is off",
           "client_id=app-one&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&state=st-1&response_type=code"
           "&code_challenge=" +
               kChallenge,
           "invalid_request"},
      Case{"plain method when plain is off", Valid("").substr(0, Valid("").size() - 4) + "plain", "invalid_request"},
      Case{"ATM hex method at /authorize",
           "client_id=app-one&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&state=st-1&response_type=code"
           "&code_challenge=" +
               std::string(64, 'a') + "&code_challenge_method=SHA256",
           "invalid_request"},
      Case{"S256 challenge of the wrong shape",
           base.substr(0, base.find("code_challenge=")) +
               "code_challenge=short&code_challenge_method=S256&response_type=code",
           "invalid_request"},
      Case{"scope twice", Valid("&scope=email"), "invalid_request"},
      Case{"request object", Valid("&request=eyJ.x.y"), "request_not_supported"},
      Case{"request_uri", Valid("&request_uri=https%3A%2F%2Fx"), "request_uri_not_supported"},
      Case{"prompt=none with login", Valid("&prompt=none%20login"), "invalid_request"},
      Case{"max_age not a number", Valid("&max_age=soon"), "invalid_request"},
      Case{"nonce too long", Valid("&nonce2=x").replace(Valid().find("nonce=n-1"), 9, "nonce=" + std::string(600, 'n')),
           "invalid_request"});
  INFO(c.name);
  auto d = ValidateAuthorizeRequest(Parse(c.query), *f.clients, {});
  REQUIRE(d.kind == Kind::kErrorRedirect);
  CHECK(d.error.wire_name() == c.code);
  CHECK(d.redirect_uri == "https://app.example/cb");
  CHECK(d.state == "st-1");
}

TEST_CASE("an OpenID request must name its redirect_uri, even with one registered") {
  OidcFixture f;
  auto d =
      ValidateAuthorizeRequest(Parse("client_id=app-one&response_type=code&scope=openid&code_challenge=" + kChallenge +
                                     "&code_challenge_method=S256"),
                               *f.clients, {});
  REQUIRE(d.kind == Kind::kErrorRedirect);
  CHECK(d.error.Is(ErrorCode::kInvalidRequest));
  CHECK(d.redirect_uri == "https://app.example/cb");
  CHECK(d.state.empty());
}

TEST_CASE("a valid request leads to the login page with every parameter it needs") {
  OidcFixture f;
  auto d = ValidateAuthorizeRequest(Parse(Valid("&prompt=login&max_age=0")), *f.clients, {});
  REQUIRE(d.kind == Kind::kLogin);
  CHECK(d.request.client.id == "app-one");
  CHECK(d.request.redirect_uri_given);
  CHECK(d.request.prompt_login);
  CHECK_FALSE(d.request.prompt_none);
  CHECK(d.request.max_age == 0);
  auto none = ValidateAuthorizeRequest(Parse(Valid("&prompt=none")), *f.clients, {});
  REQUIRE(none.kind == Kind::kLogin);  // the endpoint answers from the session or with login_required
  CHECK(none.request.prompt_none);
  CHECK_FALSE(none.request.max_age);
  CHECK(LoginPageUrl(d.request, true).find("&session=1") != std::string::npos);
  auto login = LoginPageUrl(d.request, false);
  CHECK(login.find("session") == std::string::npos);
  REQUIRE(login.rfind("login?", 0) == 0);
  auto q = Parse(login.substr(6));
  CHECK(q.find("clientId")->second == "app-one");
  CHECK(q.find("code_challenge")->second == kChallenge);
  CHECK(q.find("code_challenge_method")->second == "S256");
  CHECK(q.find("redirect_uri")->second == "https://app.example/cb");
  CHECK(q.find("scope")->second == "openid email");
  CHECK(q.find("nonce")->second == "n-1");
  CHECK(q.find("state")->second == "st-1");
}

TEST_CASE("without redirect_uri an OAuth request uses the only registered URI, unbound") {
  OidcFixture f;
  auto d = ValidateAuthorizeRequest(
      Parse("client_id=app-one&response_type=code&code_challenge=" + kChallenge + "&code_challenge_method=S256"),
      *f.clients, {});
  REQUIRE(d.kind == Kind::kLogin);
  CHECK_FALSE(d.request.redirect_uri_given);
  CHECK(d.request.redirect_uri == "https://app.example/cb");
  CHECK(LoginPageUrl(d.request, false).find("redirect_uri") == std::string::npos);
}

TEST_CASE("plain PKCE is accepted at /authorize only when the config allows it") {
  OidcFixture f;
  const std::string verifier = atm::testing::kVerifier;
  const std::string q =
      "client_id=app-one&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&response_type=code"
      "&code_challenge=" +
      verifier;
  CHECK(ValidateAuthorizeRequest(Parse(q + "&code_challenge_method=plain"), *f.clients, {false}).kind ==
        Kind::kErrorRedirect);
  auto explicit_plain = ValidateAuthorizeRequest(Parse(q + "&code_challenge_method=plain"), *f.clients, {true});
  CHECK(explicit_plain.kind == Kind::kLogin);
  auto implied = ValidateAuthorizeRequest(Parse(q), *f.clients, {true});
  REQUIRE(implied.kind == Kind::kLogin);
  CHECK(implied.request.code_challenge_method == "plain");
}

TEST_CASE("error redirects keep the redirect URI's own query and encode every value") {
  Error e(ErrorCode::kAccessDenied, "no & no");
  CHECK(ErrorRedirectUrl("https://a.example/cb", e, "s 1") ==
        "https://a.example/cb?error=access_denied&error_description=no%20%26%20no&state=s%201");
  CHECK(ErrorRedirectUrl("https://a.example/cb?tenant=7", Error(ErrorCode::kLoginRequired, ""), "") ==
        "https://a.example/cb?tenant=7&error=login_required");
}
