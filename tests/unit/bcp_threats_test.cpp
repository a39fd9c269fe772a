// The threats of the OAuth 2.0 Security BCP (RFC 9700) and RFC 7636 against
// the ATM endpoints, one TEST_CASE per threat, driven through the Router as
// the HTTP server drives it. See docs/SECURITY.md for the threat model.
#include <catch2/catch.hpp>

#include "support/security_fixture.h"

using atm::HttpResponse;
using atm::testing::NewPkce;
using atm::testing::SecurityFixture;
using nlohmann::json;

namespace {

std::string ErrorCode(const HttpResponse& r) { return json::parse(r.body).value("error", ""); }

}  // namespace

TEST_CASE("a replayed authorization code is refused and revokes the tokens of its first use", "[bcp]") {
  // RFC 9700 §4.5 (code injection/replay), RFC 6749 §4.1.2 and §10.5.
  SecurityFixture f;
  auto app = f.AddApp();
  auto user = f.AddUser(app);
  auto pkce = NewPkce();
  std::string code = f.LoginCode(app, user, pkce);
  REQUIRE(!code.empty());

  HttpResponse first = f.Exchange(app, code, pkce.verifier);
  REQUIRE(first.status == 200);
  json tokens = SecurityFixture::Json(first);
  REQUIRE(f.AccessTokenValid(tokens["access_token"]));

  HttpResponse replay = f.Exchange(app, code, pkce.verifier);
  CHECK(replay.status == 400);
  CHECK(ErrorCode(replay) == "invalid_grant");
  // The replay revoked the grant of the first use: its refresh and access
  // tokens no longer work.
  HttpResponse refresh = f.Refresh(app, tokens["refresh_token"]);
  CHECK(refresh.status == 400);
  CHECK(ErrorCode(refresh) == "invalid_grant");
  CHECK_FALSE(f.AccessTokenValid(tokens["access_token"]));
}

TEST_CASE("a code replayed while its first exchange is in flight still revokes what that exchange issues",
          "[bcp][store]") {
  // The race: two exchanges check the same code before either spent it, and
  // both sign tokens. The code is spent with the grant in one transaction,
  // so the second to commit finds it spent: its tokens are never stored and
  // the first exchange's grant is revoked (RFC 6749 §4.1.2).
  SecurityFixture f;
  auto app = f.AddApp();
  auto user = f.AddUser(app);
  auto pkce = NewPkce();
  const std::string code = f.LoginCode(app, user, pkce);
  REQUIRE_FALSE(code.empty());
  atm::Redemption redemption{code, app.client_id, pkce.verifier, ""};
  auto first_check = f.codes->Redeem(redemption);
  auto second_check = f.codes->Redeem(redemption);
  REQUIRE(first_check.ok());
  REQUIRE(second_check.ok());
  auto client = f.clients->Get(app.client_id).value();
  auto first = f.tokens->IssueForCode(*first_check, client, f.config.tokens.issuer);
  REQUIRE(first.ok());
  CHECK(f.AccessTokenValid(first->access_token));
  auto second = f.tokens->IssueForCode(*second_check, client, f.config.tokens.issuer);
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().Is(atm::ErrorCode::kInvalidGrant));
  CHECK_FALSE(f.AccessTokenValid(first->access_token));
  CHECK(ErrorCode(f.Refresh(app, first->refresh_token)) == "invalid_grant");
}

TEST_CASE("an authorization code is bound to its client: a code of application A is refused at B", "[bcp]") {
  // RFC 6749 §4.1.3: the code must have been issued to the authenticated
  // client (a client that mixes up codes, or an attacker that injects one at
  // another client, RFC 9700 §4.5). The failed attempt spends the code.
  SecurityFixture f;
  auto a = f.AddApp("http://localhost:9001/a");
  auto b = f.AddApp("http://localhost:9002/b");
  auto user = f.AddUser(a);
  auto pkce = NewPkce();
  std::string code = f.LoginCode(a, user, pkce);
  REQUIRE(!code.empty());

  HttpResponse at_b = f.Exchange(b, code, pkce.verifier);
  CHECK(at_b.status == 400);
  CHECK(ErrorCode(at_b) == "invalid_grant");
  CHECK(json::parse(at_b.body)["error_description"].get<std::string>().find("another client") != std::string::npos);
  HttpResponse at_a = f.Exchange(a, code, pkce.verifier);
  CHECK(at_a.status == 400);
  CHECK(ErrorCode(at_a) == "invalid_grant");
}

TEST_CASE("a user cannot sign in at an application they were not added to", "[bcp]") {
  SecurityFixture f;
  auto a = f.AddApp("http://localhost:9001/a");
  auto b = f.AddApp("http://localhost:9002/b");
  auto user = f.AddUser(a);
  HttpResponse r = f.Login(b, user, NewPkce());
  CHECK(r.status == 401);
  CHECK(ErrorCode(r) == "invalid_grant");
}

TEST_CASE("an authorization code is bound to its challenge: the verifier of another code is refused", "[bcp][pkce]") {
  // RFC 7636 §4.6; RFC 9700 §4.5.3.1: PKCE stops an injected code.
  SecurityFixture f;
  auto app = f.AddApp();
  auto user = f.AddUser(app);
  auto p1 = NewPkce();
  auto p2 = NewPkce();
  std::string code1 = f.LoginCode(app, user, p1);
  std::string code2 = f.LoginCode(app, user, p2);
  REQUIRE(!code1.empty());
  REQUIRE(!code2.empty());

  HttpResponse swapped = f.Exchange(app, code1, p2.verifier);
  CHECK(swapped.status == 400);
  CHECK(ErrorCode(swapped) == "invalid_grant");
  // The code was spent by the failed attempt: a verifier cannot be guessed twice.
  CHECK(f.Exchange(app, code1, p1.verifier).status == 400);
  // The other code, with its own verifier, is unaffected.
  CHECK(f.Exchange(app, code2, p2.verifier).status == 200);
}

TEST_CASE("PKCE downgrade: a code is not redeemed without a code_verifier", "[bcp][pkce]") {
  // RFC 9700 §4.8.2: a token request without code_verifier for a code that
  // had a challenge must fail.
  SecurityFixture f;
  auto app = f.AddApp();
  auto user = f.AddUser(app);
  auto pkce = NewPkce();
  std::string code = f.LoginCode(app, user, pkce);
  REQUIRE(!code.empty());

  const json base = {{"clientId", app.client_id},
                     {"clientSecret", app.client_secret},
                     {"grant_types", "authorization_code"},
                     {"code", code}};
  for (const json& verifier : {json(nullptr), json(""), json("short"), json(std::string(129, 'a'))}) {
    json body = base;
    if (!verifier.is_null()) body["code_verifier"] = verifier;
    HttpResponse r = f.Post("/auth/token", body);
    INFO("code_verifier = " << verifier.dump());
    CHECK(r.status == 400);
    CHECK(ErrorCode(r) == "invalid_request");
    CHECK(json::parse(r.body).value("field", "") == "code_verifier");
  }
}

TEST_CASE("PKCE downgrade: no code is issued without a challenge or with plain", "[bcp][pkce]") {
  // RFC 9700 §2.1.1: PKCE is required; "plain" is refused unless configured.
  SecurityFixture f;
  auto app = f.AddApp();
  auto user = f.AddUser(app);
  auto pkce = NewPkce();
  struct Case {
    const char* name;
    json challenge;
    json method;
  };
  const Case cases[] = {
      {"no challenge, no method", nullptr, nullptr},
      {"no challenge", nullptr, "S256"},
      {"empty challenge", "", "S256"},
      {"no method", pkce.challenge, nullptr},
      {"plain", pkce.verifier, "plain"},
      {"unknown method", pkce.challenge, "S1"},
      {"S256 with a hex challenge", atm::ComputeChallenge(atm::PkceMethod::kSha256Hex, pkce.verifier), "S256"},
  };
  for (const auto& c : cases) {
    json body = {{"loginId", user.email}, {"password", user.password}, {"clientId", app.client_id}};
    if (!c.challenge.is_null()) body["code_challenge"] = c.challenge;
    if (!c.method.is_null()) body["code_challenge_method"] = c.method;
    HttpResponse r = f.Post("/auth", body);
    INFO(c.name);
    CHECK(r.status == 400);
    CHECK(ErrorCode(r) == "invalid_request");
    CHECK_FALSE(json::parse(r.body).contains("code"));
  }
}

TEST_CASE("a refresh token used twice revokes every token of its login", "[bcp][refresh]") {
  // RFC 9700 §4.14.2: refresh token rotation with reuse detection.
  SecurityFixture f;
  auto app = f.AddApp();
  auto user = f.AddUser(app);
  auto pkce = NewPkce();
  json t1 = SecurityFixture::Json(f.Exchange(app, f.LoginCode(app, user, pkce), pkce.verifier));
  REQUIRE(t1.contains("refresh_token"));
  // Another login of the same user: a separate family that must survive.
  auto other_pkce = NewPkce();
  json other = SecurityFixture::Json(f.Exchange(app, f.LoginCode(app, user, other_pkce), other_pkce.verifier));
  REQUIRE(other.contains("refresh_token"));

  HttpResponse rotated = f.Refresh(app, t1["refresh_token"]);
  REQUIRE(rotated.status == 200);
  json t2 = SecurityFixture::Json(rotated);
  CHECK(t2["refresh_token"] != t1["refresh_token"]);

  HttpResponse reuse = f.Refresh(app, t1["refresh_token"]);  // the attacker's stolen copy
  CHECK(reuse.status == 400);
  CHECK(ErrorCode(reuse) == "invalid_grant");
  // The legitimate holder's newer token is revoked too, and so are the access tokens.
  CHECK(f.Refresh(app, t2["refresh_token"]).status == 400);
  CHECK_FALSE(f.AccessTokenValid(t1["access_token"]));
  CHECK_FALSE(f.AccessTokenValid(t2["access_token"]));
  // The other login is untouched.
  CHECK(f.AccessTokenValid(other["access_token"]));
  CHECK(f.Refresh(app, other["refresh_token"]).status == 200);
}

TEST_CASE("a refresh token is bound to its client", "[bcp][refresh]") {
  SecurityFixture f;
  auto a = f.AddApp("http://localhost:9001/a");
  auto b = f.AddApp("http://localhost:9002/b");
  auto user = f.AddUser(a);
  auto pkce = NewPkce();
  json t = SecurityFixture::Json(f.Exchange(a, f.LoginCode(a, user, pkce), pkce.verifier));
  HttpResponse at_b = f.Refresh(b, t["refresh_token"]);
  CHECK(at_b.status == 400);
  CHECK(ErrorCode(at_b) == "invalid_grant");
  CHECK(f.Refresh(a, t["refresh_token"]).status == 200);
}

TEST_CASE("/auth refuses every redirect_uri that is not registered exactly", "[bcp][redirect]") {
  // RFC 9700 §4.1.3 / §2.1: exact string matching of redirect URIs.
  SecurityFixture f;
  auto app = f.AddApp("https://app.example.com/callback");
  auto user = f.AddUser(app);
  auto pkce = NewPkce();
  auto body = [&](const std::string& redirect_uri) {
    return json{{"loginId", user.email},           {"password", user.password},
                {"clientId", app.client_id},       {"code_challenge", pkce.challenge},
                {"code_challenge_method", "S256"}, {"redirect_uri", redirect_uri}};
  };
  const char* manipulated[] = {
      "https://evil.example.net/callback",
      "https://app.example.com.evil.net/callback",
      "https://app.example.com/callback/../../evil",
      "https://app.example.com/callback?next=https://evil.example.net",
      "https://app.example.com/callbackx",
      "https://APP.example.com/callback",
      "http://app.example.com/callback",
      "https://app.example.com:444/callback",
      "https://app.example.com@evil.example.net/callback",
      "https://app.example.com/callback#x",
      "javascript:alert(1)",
  };
  for (const char* uri : manipulated) {
    HttpResponse r = f.Post("/auth", body(uri));
    INFO(uri);
    CHECK(r.status == 400);
    CHECK(ErrorCode(r) == "invalid_request");
    CHECK(r.body.find("\"code\"") == std::string::npos);
  }
  HttpResponse ok = f.Post("/auth", body("https://app.example.com/callback"));
  REQUIRE(ok.status == 200);
  CHECK(json::parse(ok.body)["redirectUrl"] == "https://app.example.com/callback");
}

TEST_CASE("/auth always answers the registered redirect URL, whatever the request carries", "[bcp][redirect]") {
  // The login page navigates to the redirectUrl of this answer: it must come
  // from the registration, never from the request.
  SecurityFixture f;
  auto app = f.AddApp("https://app.example.com/callback");
  auto user = f.AddUser(app);
  auto pkce = NewPkce();
  HttpResponse r = f.Post("/auth", {{"loginId", user.email},
                                    {"password", user.password},
                                    {"clientId", app.client_id},
                                    {"code_challenge", pkce.challenge},
                                    {"code_challenge_method", "S256"},
                                    {"redirectUrl", "https://evil.example.net/"},
                                    {"redirect_url", "https://evil.example.net/"}});
  REQUIRE(r.status == 200);
  CHECK(json::parse(r.body)["redirectUrl"] == "https://app.example.com/callback");
}

TEST_CASE("/login never redirects: bad sign-in links get an error page", "[bcp][redirect]") {
  // RFC 9700 §4.11 (open redirection), RFC 6749 §4.1.2.1: with an invalid
  // client or redirect URI the server must not redirect.
  SecurityFixture f;
  auto app = f.AddApp("https://app.example.com/callback");
  auto pkce = NewPkce();
  const std::string good =
      "clientId=" + app.client_id + "&code_challenge=" + pkce.challenge + "&code_challenge_method=S256";
  const std::string evil = atm::PercentEncode("https://evil.example.net/x");
  const std::pair<const char*, std::string> cases[] = {
      {"unknown client", "clientId=nope&code_challenge=" + pkce.challenge + "&code_challenge_method=S256"},
      {"no client", "code_challenge=" + pkce.challenge + "&code_challenge_method=S256&redirect_uri=" + evil},
      {"unregistered redirect_uri", good + "&redirect_uri=" + evil},
      {"no challenge", "clientId=" + app.client_id + "&redirect_uri=" + evil},
      {"plain challenge",
       "clientId=" + app.client_id + "&code_challenge=" + pkce.verifier + "&code_challenge_method=plain"},
      {"malformed query", good + "&redirect_uri=%zz"},
  };
  for (const auto& [name, query] : cases) {
    HttpResponse r = f.Get("/login", query);
    INFO(name);
    CHECK(r.status == 400);
    CHECK(r.content_type.rfind("text/html", 0) == 0);
    CHECK(r.Header("Location").empty());
    CHECK(r.body.find("evil.example.net") == std::string::npos);
  }
  HttpResponse page = f.Get("/login", good);
  CHECK(page.status == 200);
  CHECK(page.Header("Location").empty());
}

TEST_CASE("tokens of a deleted or disabled user are refused", "[bcp][revocation]") {
  enum class Change { kDelete, kDisable };
  auto change = GENERATE(Change::kDelete, Change::kDisable);
  SecurityFixture f;
  auto app = f.AddApp();
  auto user = f.AddUser(app);
  auto pkce = NewPkce();
  json t = SecurityFixture::Json(f.Exchange(app, f.LoginCode(app, user, pkce), pkce.verifier));
  REQUIRE(f.AccessTokenValid(t["access_token"]));

  if (change == Change::kDelete) {
    REQUIRE(f.users->Delete(user.id).ok());
  } else {
    atm::UserChanges c;
    c.disabled = true;
    REQUIRE(f.users->Update(user.id, c).ok());
  }
  HttpResponse r = f.Refresh(app, t["refresh_token"]);
  CHECK(r.status == 400);
  CHECK(ErrorCode(r) == "invalid_grant");
  CHECK_FALSE(f.AccessTokenValid(t["access_token"]));
  CHECK(f.Login(app, user, NewPkce()).status != 200);
}

TEST_CASE("tokens of a deleted or disabled application are refused", "[bcp][revocation]") {
  enum class Change { kDelete, kDisable };
  auto change = GENERATE(Change::kDelete, Change::kDisable);
  SecurityFixture f;
  auto app = f.AddApp();
  auto user = f.AddUser(app);
  auto pkce = NewPkce();
  std::string code = f.LoginCode(app, user, pkce);
  json t = SecurityFixture::Json(f.Exchange(app, code, pkce.verifier));
  REQUIRE(f.AccessTokenValid(t["access_token"]));
  auto pkce2 = NewPkce();
  std::string unused_code = f.LoginCode(app, user, pkce2);
  REQUIRE(!unused_code.empty());

  if (change == Change::kDelete) {
    REQUIRE(f.clients->Delete(app.client_id).ok());
  } else {
    atm::ApplicationChanges c;
    c.disabled = true;
    REQUIRE(f.clients->Update(app.client_id, c).ok());
  }
  HttpResponse r = f.Refresh(app, t["refresh_token"]);
  CHECK(r.status == 401);
  CHECK(ErrorCode(r) == "invalid_client");
  CHECK_FALSE(f.AccessTokenValid(t["access_token"]));
  CHECK(f.Exchange(app, unused_code, pkce2.verifier).status == 401);
}

TEST_CASE("an authorization code expires after code_ttl", "[bcp]") {
  SecurityFixture f;
  auto app = f.AddApp();
  auto user = f.AddUser(app);
  auto pkce = NewPkce();
  std::string code = f.LoginCode(app, user, pkce);
  f.clock.Advance(f.config.tokens.code_ttl);
  HttpResponse r = f.Exchange(app, code, pkce.verifier);
  CHECK(r.status == 400);
  CHECK(ErrorCode(r) == "invalid_grant");
}
