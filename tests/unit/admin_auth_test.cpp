// Admin API authentication through the router (no socket): bearer tokens,
// the console cookie and its flags, CSRF on changes, sign-out.
#include <catch2/catch.hpp>

#include "support/admin_fixture.h"

using atm::HttpResponse;
using atm::test::AdminFixture;
using atm::test::kAdminName;
using atm::test::kAdminPassword;
using nlohmann::json;

namespace {

const json kSignIn = {{"username", kAdminName}, {"password", kAdminPassword}};

// Signs in through POST /admin/api/session; returns the cookie header value
// ("atm_admin=...") and the CSRF token.
std::pair<std::string, std::string> ConsoleSignIn(AdminFixture& f) {
  HttpResponse r = f.Call("POST", "/admin/api/session", kSignIn);
  REQUIRE(r.status == 200);
  std::string set_cookie = r.Header("Set-Cookie");
  return {set_cookie.substr(0, set_cookie.find(';')), AdminFixture::Json(r)["csrf_token"]};
}

}  // namespace

TEST_CASE("every applications endpoint answers 401 without an admin credential", "[admin-api]") {
  AdminFixture f;
  std::string id = f.App();
  auto [method, path] = GENERATE(table<std::string, std::string>({
      {"GET", "/admin/api/applications"},
      {"POST", "/admin/api/applications"},
      {"GET", "/admin/api/applications/ID"},
      {"PATCH", "/admin/api/applications/ID"},
      {"DELETE", "/admin/api/applications/ID"},
      {"POST", "/admin/api/applications/ID/secret"},
      {"GET", "/admin/api/applications/ID/users"},
      {"POST", "/admin/api/applications/ID/users"},
      {"GET", "/admin/api/applications/nope/users/nope"},
      {"GET", "/admin/api/session"},
      {"DELETE", "/admin/api/session"},
  }));
  if (auto at = path.find("ID"); at != std::string::npos) path.replace(at, 2, id);
  for (const auto& headers :
       std::vector<std::map<std::string, std::string>>{{},
                                                       {{"authorization", "Bearer not-a-real-token"}},
                                                       {{"authorization", "Basic YWRtaW46cGFzc3dvcmQ="}},
                                                       {{"cookie", "atm_admin=forged"}}}) {
    HttpResponse r = f.Call(method, path, json::object(), headers);
    INFO(method << " " << path);
    CHECK(r.status == 401);
    CHECK(AdminFixture::Json(r)["error"] == "invalid_token");
    CHECK(r.Header("WWW-Authenticate").find("Bearer") == 0);
  }
  // Nothing changed.
  CHECK(f.clients->Count().value() == 1);
}

TEST_CASE("console sign-in sets an HttpOnly SameSite=Strict cookie scoped to /admin", "[admin-api]") {
  AdminFixture f;
  HttpResponse r = f.Call("POST", "/admin/api/session", kSignIn);
  REQUIRE(r.status == 200);
  std::string cookie = r.Header("Set-Cookie");
  CHECK(cookie.rfind("atm_admin=", 0) == 0);
  CHECK(cookie.find("; HttpOnly") != std::string::npos);
  CHECK(cookie.find("; SameSite=Strict") != std::string::npos);
  CHECK(cookie.find("; Path=/admin") != std::string::npos);
  CHECK(cookie.find("; Max-Age=3600") != std::string::npos);
  CHECK(cookie.find("Secure") == std::string::npos);  // plain HTTP here
  json body = AdminFixture::Json(r);
  CHECK(body["username"] == kAdminName);
  CHECK(body["csrf_token"].get<std::string>().size() > 20);
  // The session token is only in the HttpOnly cookie, never in the body.
  std::string token = cookie.substr(10, cookie.find(';') - 10);
  CHECK(r.body.find(token) == std::string::npos);
  CHECK(r.Header("Cache-Control") == "no-store");
}

TEST_CASE("the session cookie is Secure under TLS or an https public_url", "[admin-api]") {
  AdminFixture f;
  atm::HttpRequest req;
  req.method = "POST";
  req.path = "/admin/api/session";
  req.body = kSignIn.dump();
  req.headers = {{"content-type", "application/json"}};
  req.tls = true;
  CHECK(f.router.Handle(req).Header("Set-Cookie").find("; Secure") != std::string::npos);
  req.tls = false;
  f.config.server.public_url = "https://id.example.com";
  CHECK(f.router.Handle(req).Header("Set-Cookie").find("; Secure") != std::string::npos);
}

TEST_CASE("wrong admin credentials are a 401 and set no cookie", "[admin-api]") {
  AdminFixture f;
  for (const json& body : {json{{"username", kAdminName}, {"password", "wrong password"}},
                           json{{"username", "nobody"}, {"password", kAdminPassword}}}) {
    HttpResponse r = f.Call("POST", "/admin/api/session", body);
    CHECK(r.status == 401);
    CHECK(r.Header("Set-Cookie").empty());
    CHECK(f.Call("POST", "/admin/api/tokens", body).status == 401);
  }
  HttpResponse missing = f.Call("POST", "/admin/api/session", json{{"username", kAdminName}});
  CHECK(missing.status == 400);
  CHECK(AdminFixture::Json(missing)["field"] == "password");
}

TEST_CASE("with the cookie, reads need no CSRF token but every change does", "[admin-api]") {
  AdminFixture f;
  auto [cookie, csrf] = ConsoleSignIn(f);
  std::string id = f.App();
  CHECK(f.Call("GET", "/admin/api/applications", nullptr, {{"cookie", cookie}}).status == 200);
  CHECK(f.Call("GET", "/admin/api/session", nullptr, {{"cookie", cookie}}).status == 200);

  json create = {{"name", "New"}, {"redirect_url", "https://app.example.com/cb"}};
  struct Change {
    std::string method, path;
    json body;
  };
  std::vector<Change> changes = {
      {"POST", "/admin/api/applications", create},
      {"PATCH", "/admin/api/applications/" + id, json{{"name", "Renamed"}}},
      {"POST", "/admin/api/applications/" + id + "/secret", json::object()},
      {"POST", "/admin/api/applications/" + id + "/users", json{{"email", "a@example.com"}, {"password", "password1"}}},
      {"DELETE", "/admin/api/applications/" + id, nullptr},
      {"DELETE", "/admin/api/session", nullptr},
  };
  for (const auto& c : changes) {
    INFO(c.method << " " << c.path);
    for (const std::string& bad : {std::string(), std::string("wrong"), csrf.substr(0, csrf.size() - 1)}) {
      std::map<std::string, std::string> h = {{"cookie", cookie}};
      if (!bad.empty()) h["x-csrf-token"] = bad;
      HttpResponse r = f.Call(c.method, c.path, c.body, h);
      CHECK(r.status == 403);
      CHECK(AdminFixture::Json(r)["error"] == "invalid_csrf_token");
    }
  }
  // Nothing changed; with the right token the change goes through.
  CHECK(f.clients->Count().value() == 1);
  CHECK(f.clients->Get(id)->name == "Demo SPA");
  HttpResponse ok = f.Call("PATCH", "/admin/api/applications/" + id, json{{"name", "Renamed"}},
                           {{"cookie", cookie}, {"x-csrf-token", csrf}});
  CHECK(ok.status == 200);
  CHECK(f.clients->Get(id)->name == "Renamed");
}

TEST_CASE("a CSRF token from another session is refused", "[admin-api]") {
  AdminFixture f;
  auto [cookie_a, csrf_a] = ConsoleSignIn(f);
  auto [cookie_b, csrf_b] = ConsoleSignIn(f);
  json create = {{"name", "New"}, {"redirect_url", "https://app.example.com/cb"}};
  CHECK(f.Call("POST", "/admin/api/applications", create, {{"cookie", cookie_a}, {"x-csrf-token", csrf_b}}).status ==
        403);
  CHECK(f.Call("POST", "/admin/api/applications", create, {{"cookie", cookie_a}, {"x-csrf-token", csrf_a}}).status ==
        201);
}

TEST_CASE("a bearer token needs no CSRF token, and the two credentials do not mix", "[admin-api]") {
  AdminFixture f;
  json create = {{"name", "New"}, {"redirect_url", "https://app.example.com/cb"}};
  CHECK(f.Call("POST", "/admin/api/applications", create, f.Bearer()).status == 201);

  HttpResponse t = f.Call("POST", "/admin/api/tokens", kSignIn);
  REQUIRE(t.status == 201);
  json token = AdminFixture::Json(t);
  CHECK(token["token_type"] == "Bearer");
  CHECK(token["expires_in"] == 600);
  CHECK(f.Call("GET", "/admin/api/applications", nullptr,
               {{"authorization", "bearer " + token["access_token"].get<std::string>()}})
            .status == 200);
  // An API token is not a session cookie, and a session cookie is not a bearer token.
  CHECK(f.Call("GET", "/admin/api/applications", nullptr,
               {{"cookie", "atm_admin=" + token["access_token"].get<std::string>()}})
            .status == 401);
  auto [cookie, csrf] = ConsoleSignIn(f);
  CHECK(f.Call("GET", "/admin/api/applications", nullptr,
               {{"authorization", "Bearer " + cookie.substr(cookie.find('=') + 1)}})
            .status == 401);
}

TEST_CASE("signing out ends the session on the server, not only in the browser", "[admin-api]") {
  AdminFixture f;
  auto [cookie, csrf] = ConsoleSignIn(f);
  HttpResponse out = f.Call("DELETE", "/admin/api/session", nullptr, {{"cookie", cookie}, {"x-csrf-token", csrf}});
  CHECK(out.status == 204);
  CHECK(out.Header("Set-Cookie").find("Max-Age=0") != std::string::npos);
  // Replaying the old cookie fails.
  CHECK(f.Call("GET", "/admin/api/applications", nullptr, {{"cookie", cookie}}).status == 401);

  std::string bearer = f.BearerToken();
  std::map<std::string, std::string> h = {{"authorization", "Bearer " + bearer}};
  CHECK(f.Call("DELETE", "/admin/api/session", nullptr, h).status == 204);
  CHECK(f.Call("GET", "/admin/api/applications", nullptr, h).status == 401);
}

TEST_CASE("signing in again from the same browser ends its previous session", "[admin-api]") {
  AdminFixture f;
  auto [old_cookie, old_csrf] = ConsoleSignIn(f);
  HttpResponse again = f.Call("POST", "/admin/api/session", kSignIn, {{"cookie", old_cookie}});
  REQUIRE(again.status == 200);
  std::string fresh = again.Header("Set-Cookie");
  fresh = fresh.substr(0, fresh.find(';'));
  CHECK(fresh != old_cookie);
  CHECK(f.Call("GET", "/admin/api/session", nullptr, {{"cookie", old_cookie}}).status == 401);
  CHECK(f.Call("GET", "/admin/api/session", nullptr, {{"cookie", fresh}}).status == 200);
}

TEST_CASE("an expired console session is refused", "[admin-api]") {
  AdminFixture f;
  auto [cookie, csrf] = ConsoleSignIn(f);
  f.clock.Advance(3599);
  CHECK(f.Call("GET", "/admin/api/session", nullptr, {{"cookie", cookie}}).status == 200);
  f.clock.Advance(1);
  CHECK(f.Call("GET", "/admin/api/session", nullptr, {{"cookie", cookie}}).status == 401);
}

TEST_CASE("GET /admin serves the console page under the strict CSP", "[admin-api]") {
  AdminFixture f;
  HttpResponse page = f.Call("GET", "/admin");
  CHECK(page.status == 200);
  CHECK(page.content_type.rfind("text/html", 0) == 0);
  CHECK(page.Header("Content-Security-Policy").find("script-src 'self'") != std::string::npos);
  CHECK(page.body.find("/assets/admin.js") != std::string::npos);
  CHECK(page.body.find("<script>") == std::string::npos);  // no inline script
  CHECK(f.Call("GET", "/assets/admin.js").status == 200);
  CHECK(f.Call("GET", "/assets/admin.css").status == 200);
}
