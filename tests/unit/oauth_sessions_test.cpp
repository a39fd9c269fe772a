// Sign-in sessions and sign-out, through the router: the cookie the login
// page's /auth sets, /authorize answering from it (prompt=none, prompt=login,
// max_age, expiry, a disabled user, another application), the ATM /login page
// behind sessions.atm_login, and RP-initiated logout at /logout.
#include <catch2/catch.hpp>

#include "http/url.h"
#include "support/test_atm.h"

namespace atm {
using namespace atm::testing;
namespace {

const std::string kAuthorize = "/authorize?response_type=code&client_id=" + std::string(kClientId) +
                               "&redirect_uri=" + PercentEncode(kRedirectUrl) + "&code_challenge=" + kS256Challenge +
                               "&code_challenge_method=S256&scope=openid&state=s1";

HttpRequest Browser(const std::string& method, const std::string& target, const std::string& cookie) {
  HttpRequest r;
  r.method = method;
  size_t q = target.find('?');
  r.path = target.substr(0, q);
  if (q != std::string::npos) r.query_string = target.substr(q + 1);
  r.remote_addr = "127.0.0.1";
  if (!cookie.empty()) r.headers["cookie"] = "atm_session=" + cookie;
  return r;
}

// The login page's fetch: POST /auth from atm's own origin.
HttpRequest LoginPageAuth(nlohmann::json body) {
  HttpRequest r = Browser("POST", "/auth", "");
  r.headers["content-type"] = "application/json";
  r.headers["sec-fetch-site"] = "same-origin";
  r.body = body.dump();
  return r;
}

// The session id in a Set-Cookie header, or "".
std::string SessionFrom(const HttpResponse& r) {
  std::string c = r.Header("Set-Cookie");
  if (c.rfind("atm_session=", 0) != 0) return {};
  return c.substr(12, c.find(';') - 12);
}

std::string QueryValue(const std::string& url, const std::string& name) {
  auto q = ParseUrlEncoded(url.substr(url.find('?') + 1));
  if (!q) return {};
  auto it = q->find(name);
  return it == q->end() ? std::string() : it->second;
}

struct Signed {
  TestAtm atm;
  std::string session;
  Signed() {
    auto r = atm.Handle(LoginPageAuth(AuthBody({{"session", "1"}})));
    REQUIRE(r.status == 200);
    session = SessionFrom(r);
    REQUIRE_FALSE(session.empty());
  }
  HttpResponse Authorize(const std::string& extra = "", const std::string& cookie = "use") {
    return atm.Handle(Browser("GET", kAuthorize + extra, cookie == "use" ? session : cookie));
  }
};

// POST /token for a code that /authorize bound to kRedirectUrl.
HttpResponse RedeemAtToken(const TestAtm& atm, const std::string& code) {
  return atm.Post("/token", "application/x-www-form-urlencoded",
                  "grant_type=authorization_code&code=" + code + "&redirect_uri=" + PercentEncode(kRedirectUrl) +
                      "&code_verifier=" + kVerifier + "&client_id=" + kClientId + "&client_secret=" + kClientSecret);
}

bool ToLoginPage(const HttpResponse& r) { return r.status == 302 && r.Header("Location").rfind("login?", 0) == 0; }

}  // namespace

TEST_CASE("the login page's sign-in sets an HttpOnly, SameSite=Lax session cookie; others do not", "[sessions]") {
  TestAtm atm;
  auto r = atm.Handle(LoginPageAuth(AuthBody({{"session", "1"}})));
  REQUIRE(r.status == 200);
  const std::string cookie = r.Header("Set-Cookie");
  CHECK(cookie.find("HttpOnly") != std::string::npos);
  CHECK(cookie.find("SameSite=Lax") != std::string::npos);
  CHECK(cookie.find("Path=/") != std::string::npos);
  CHECK(cookie.find("Max-Age=36000") != std::string::npos);
  CHECK(SessionFrom(r).size() == 43);  // 32 random bytes, base64url

  CHECK(atm.Handle(LoginPageAuth(AuthBody())).Header("Set-Cookie").empty());  // the ATM flow: no session
  HttpRequest cross = LoginPageAuth(AuthBody({{"session", "1"}}));
  cross.headers["sec-fetch-site"] = "cross-site";  // another site's page calling /auth
  CHECK(atm.Handle(cross).Header("Set-Cookie").empty());
  CHECK(atm.PostJson("/auth", AuthBody({{"session", "1"}})).Header("Set-Cookie").empty());  // no browser
  CHECK(atm.Handle(LoginPageAuth(AuthBody({{"session", "1"}, {"password", "wrong-password"}})))
            .Header("Set-Cookie")
            .empty());
}

TEST_CASE("with a live session, /authorize answers with a code that redeems, without the form", "[sessions]") {
  Signed s;
  auto r = s.Authorize();
  REQUIRE(r.status == 302);
  const std::string location = r.Header("Location");
  CHECK(location.rfind(std::string(kRedirectUrl) + "?code=", 0) == 0);
  CHECK(QueryValue(location, "state") == "s1");
  auto tokens = RedeemAtToken(s.atm, QueryValue(location, "code"));
  INFO(tokens.body);
  CHECK(tokens.status == 200);
  CHECK(JwtPayload(Json(tokens)["id_token"])["sub"].is_string());

  // prompt=none answers from the session; without one, login_required.
  CHECK(s.Authorize("&prompt=none").Header("Location").find("code=") != std::string::npos);
  auto none = s.Authorize("&prompt=none", "");
  CHECK(QueryValue(none.Header("Location"), "error") == "login_required");
  CHECK(QueryValue(none.Header("Location"), "state") == "s1");
  CHECK(ToLoginPage(s.Authorize("", "")));
  CHECK(ToLoginPage(s.Authorize("", "not-a-session")));
}

TEST_CASE("prompt=login, max_age, expiry and a disabled user show the form again", "[sessions]") {
  Signed s;
  CHECK(ToLoginPage(s.Authorize("&prompt=login")));
  s.atm.clock().Advance(120);
  CHECK(ToLoginPage(s.Authorize("&max_age=60")));
  CHECK_FALSE(ToLoginPage(s.Authorize("&max_age=600")));
  auto none_too_old = s.Authorize("&prompt=none&max_age=60");
  CHECK(QueryValue(none_too_old.Header("Location"), "error") == "login_required");

  s.atm.clock().Advance(10 * 3600);  // past sessions.lifetime
  CHECK(ToLoginPage(s.Authorize()));

  Signed d;
  auto user = d.atm.services().users().FindByEmail(kClientId, kEmail);
  REQUIRE(user);
  REQUIRE(d.atm.services().users().Update(user->id, {std::nullopt, std::nullopt, std::nullopt, true}));
  CHECK(ToLoginPage(d.Authorize()));
}

TEST_CASE("each sign-in gets a new session id; the old one stops working (no session fixation)", "[sessions]") {
  Signed s;
  HttpRequest again = LoginPageAuth(AuthBody({{"session", "1"}}));
  again.headers["cookie"] = "atm_session=" + s.session;
  auto r = s.atm.Handle(again);
  const std::string renewed = SessionFrom(r);
  REQUIRE_FALSE(renewed.empty());
  CHECK(renewed != s.session);
  CHECK(ToLoginPage(s.Authorize()));  // the old id names nothing now
  CHECK_FALSE(ToLoginPage(s.Authorize("", renewed)));
}

TEST_CASE("a session holds the applications the browser signed in to, not others", "[sessions]") {
  Signed s;
  const std::string other = "/authorize?response_type=code&client_id=" + std::string(kOtherClientId) +
                            "&redirect_uri=" + PercentEncode("https://other.example.com/cb") +
                            "&code_challenge=" + kS256Challenge + "&code_challenge_method=S256&scope=openid";
  CHECK(ToLoginPage(s.atm.Handle(Browser("GET", other, s.session))));
}

TEST_CASE("the ATM /login page answers from the session only with sessions.atm_login", "[sessions]") {
  const std::string login = "/login?clientId=" + std::string(kClientId) + "&code_challenge=" + kS256Challenge +
                            "&code_challenge_method=S256&state=x";
  Signed off;
  CHECK(off.atm.Handle(Browser("GET", login, off.session)).status == 200);  // the form

  TestAtm on(TestConfig("[sessions]\natm_login = true\n"));
  auto first = on.Handle(LoginPageAuth(AuthBody()));  // the ATM page's own sign-in starts one
  std::string session = SessionFrom(first);
  REQUIRE_FALSE(session.empty());
  auto r = on.Handle(Browser("GET", login, session));
  REQUIRE(r.status == 302);
  CHECK(r.Header("Location").rfind(std::string(kRedirectUrl) + "?code=", 0) == 0);
  CHECK(QueryValue(r.Header("Location"), "state") == "x");
  auto tokens = on.ExchangeCode(QueryValue(r.Header("Location"), "code"));
  CHECK(tokens.status == 200);
}

TEST_CASE("sessions.enabled = false: no cookie, and /authorize always shows the form", "[sessions]") {
  TestAtm atm(TestConfig("[sessions]\nenabled = false\n"));
  CHECK(atm.Handle(LoginPageAuth(AuthBody({{"session", "1"}}))).Header("Set-Cookie").empty());
}

TEST_CASE("logout with an id_token_hint ends the session, revokes the login, and returns to the app",
          "[sessions][logout]") {
  Signed s;
  auto code = QueryValue(s.Authorize().Header("Location"), "code");
  auto tokens = Json(RedeemAtToken(s.atm, code));
  const std::string id_token = tokens["id_token"];
  auto out = s.atm.Handle(Browser(
      "GET",
      "/logout?id_token_hint=" + id_token + "&post_logout_redirect_uri=" + PercentEncode(kRedirectUrl) + "&state=bye",
      s.session));
  REQUIRE(out.status == 302);
  CHECK(out.Header("Location") == std::string(kRedirectUrl) + "?state=bye");
  CHECK(out.Header("Set-Cookie").find("atm_session=;") == 0);
  CHECK(out.Header("Set-Cookie").find("Max-Age=0") != std::string::npos);
  CHECK(ToLoginPage(s.Authorize()));  // the session is over
  auto refresh = s.atm.Post("/token", "application/x-www-form-urlencoded",
                            "grant_type=refresh_token&refresh_token=" + tokens["refresh_token"].get<std::string>() +
                                "&client_id=" + kClientId + "&client_secret=" + kClientSecret);
  CHECK(refresh.status == 400);
  CHECK(Json(refresh)["error"] == "invalid_grant");
}

TEST_CASE("sessions.max_sessions bounds memory: the oldest session goes first", "[sessions]") {
  TestAtm atm(TestConfig("[sessions]\nmax_sessions = 1\n"));
  const std::string first = SessionFrom(atm.Handle(LoginPageAuth(AuthBody({{"session", "1"}}))));
  atm.clock().Advance(1);
  const std::string second = SessionFrom(atm.Handle(LoginPageAuth(AuthBody({{"session", "1"}}))));
  REQUIRE_FALSE(first.empty());
  REQUIRE_FALSE(second.empty());
  CHECK(ToLoginPage(atm.Handle(Browser("GET", kAuthorize, first))));
  CHECK_FALSE(ToLoginPage(atm.Handle(Browser("GET", kAuthorize, second))));
}

TEST_CASE("with sessions.revoke_on_logout = false, logout ends the session but keeps the refresh token",
          "[sessions][logout]") {
  TestAtm atm(TestConfig("[sessions]\nrevoke_on_logout = false\n"));
  const std::string session = SessionFrom(atm.Handle(LoginPageAuth(AuthBody({{"session", "1"}}))));
  auto tokens =
      Json(RedeemAtToken(atm, QueryValue(atm.Handle(Browser("GET", kAuthorize, session)).Header("Location"), "code")));
  REQUIRE(tokens.contains("id_token"));
  auto out = atm.Handle(Browser("GET", "/logout?id_token_hint=" + tokens["id_token"].get<std::string>(), session));
  CHECK(out.status == 200);  // the signed-out page
  CHECK(ToLoginPage(atm.Handle(Browser("GET", kAuthorize, session))));
  CHECK(atm.RefreshTokens(tokens["refresh_token"]).status == 200);
}

TEST_CASE("logout without a hint asks first; the confirmed POST signs out", "[sessions][logout]") {
  Signed s;
  auto ask = s.atm.Handle(Browser("GET", "/logout?client_id=" + std::string(kClientId), s.session));
  CHECK(ask.status == 200);
  CHECK(ask.body.find("Sign out?") != std::string::npos);
  CHECK(ask.body.find("name=\"confirm\" value=\"yes\"") != std::string::npos);
  CHECK_FALSE(ToLoginPage(s.Authorize()));  // asking ended nothing

  HttpRequest confirm = Browser("POST", "/logout", s.session);
  confirm.headers["content-type"] = "application/x-www-form-urlencoded";
  confirm.body = "client_id=" + std::string(kClientId) + "&post_logout_redirect_uri=" + PercentEncode(kRedirectUrl) +
                 "&state=&confirm=yes";
  auto done = s.atm.Handle(confirm);
  CHECK(done.status == 302);
  CHECK(done.Header("Location") == kRedirectUrl);
  CHECK(ToLoginPage(s.Authorize()));
}

TEST_CASE("bad logout requests get an error page and end nothing", "[sessions][logout]") {
  Signed s;
  for (const std::string& target :
       {"/logout?client_id=" + std::string(kClientId) +
            "&post_logout_redirect_uri=" + PercentEncode("https://evil.example/"),
        "/logout?post_logout_redirect_uri=" + PercentEncode(kRedirectUrl),
        std::string("/logout?id_token_hint=not.a.token"), std::string("/logout?client_id=NoSuchApp")}) {
    CAPTURE(target);
    auto r = s.atm.Handle(Browser("GET", target, s.session));
    CHECK(r.status == 400);
    CHECK(r.Header("Set-Cookie").empty());
  }
  CHECK_FALSE(ToLoginPage(s.Authorize()));
}

}  // namespace atm
