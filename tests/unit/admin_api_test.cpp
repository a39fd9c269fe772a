// The admin API's applications and users through the router (no socket):
// the operations, pagination, 404 / 409, and errors naming the field.
#include <catch2/catch.hpp>

#include "support/admin_fixture.h"

using atm::HttpResponse;
using atm::test::AdminFixture;
using nlohmann::json;

namespace {

const json kApp = {{"name", "Shop"}, {"redirect_url", "https://shop.example.com/callback"}};

json CreateApp(AdminFixture& f, const json& body = kApp) {
  HttpResponse r = f.Call("POST", "/admin/api/applications", body, f.Bearer());
  REQUIRE(r.status == 201);
  return AdminFixture::Json(r);
}

std::string UsersPath(const std::string& client_id) { return "/admin/api/applications/" + client_id + "/users"; }

// GENERATE evaluates its values once, but each case runs on a new fixture:
// tables name the fixture's ids as {app}, {other} and {user}.
std::string Fill(std::string path, const std::map<std::string, std::string>& ids) {
  for (const auto& [name, value] : ids) {
    for (size_t at = path.find(name); at != std::string::npos; at = path.find(name))
      path.replace(at, name.size(), value);
  }
  return path;
}

json AddUser(AdminFixture& f, const std::string& client_id, const std::string& email) {
  HttpResponse r = f.Call("POST", UsersPath(client_id),
                          {{"email", email}, {"password", "password-123"}, {"first_name", "Ann"}}, f.Bearer());
  REQUIRE(r.status == 201);
  return AdminFixture::Json(r);
}

}  // namespace

TEST_CASE("creating an application answers its secret once, with the ATM fields", "[admin-api]") {
  AdminFixture f;
  json app = CreateApp(f);
  CHECK(app["name"] == "Shop");
  CHECK(app["client_id"].get<std::string>().size() == 20);
  CHECK(app["client_secret"].get<std::string>().size() == 32);
  CHECK(app["type"] == "confidential");
  CHECK(app["authenticator_type"] == "Authorization PKCE Flow");
  CHECK(app["redirect_url"] == "https://shop.example.com/callback");
  CHECK(app["user_count"] == 0);
  // The secret works, and is never shown again.
  std::string id = app["client_id"];
  CHECK(f.clients->Authenticate(id, app["client_secret"], true));
  HttpResponse shown = f.Call("GET", "/admin/api/applications/" + id, nullptr, f.Bearer());
  CHECK(shown.status == 200);
  CHECK_FALSE(AdminFixture::Json(shown).contains("client_secret"));
  HttpResponse listed = f.Call("GET", "/admin/api/applications", nullptr, f.Bearer());
  CHECK(listed.body.find(app["client_secret"].get<std::string>()) == std::string::npos);

  json pub = CreateApp(f, {{"name", "Mobile"}, {"type", "public"}, {"redirect_urls", {"myapp://callback"}}});
  CHECK(pub["type"] == "public");
  CHECK_FALSE(pub.contains("client_secret"));
}

TEST_CASE("rotating the secret answers a new one and the old one stops working", "[admin-api]") {
  AdminFixture f;
  json app = CreateApp(f);
  std::string id = app["client_id"];
  HttpResponse r = f.Call("POST", "/admin/api/applications/" + id + "/secret", nullptr, f.Bearer());
  REQUIRE(r.status == 200);
  std::string fresh = AdminFixture::Json(r)["client_secret"];
  CHECK(fresh != app["client_secret"]);
  CHECK_FALSE(f.clients->Authenticate(id, app["client_secret"], true));
  CHECK(f.clients->Authenticate(id, fresh, true));
}

TEST_CASE("updating an application changes only the fields sent", "[admin-api]") {
  AdminFixture f;
  std::string id = CreateApp(f)["client_id"];
  HttpResponse r = f.Call("PATCH", "/admin/api/applications/" + id,
                          {{"redirect_urls", {"https://a.example.com/cb", "http://127.0.0.1:3000/cb"}}}, f.Bearer());
  REQUIRE(r.status == 200);
  json app = AdminFixture::Json(r);
  CHECK(app["name"] == "Shop");
  CHECK(app["redirect_urls"] == json({"https://a.example.com/cb", "http://127.0.0.1:3000/cb"}));
  r = f.Call("PATCH", "/admin/api/applications/" + id, {{"disabled", true}}, f.Bearer());
  CHECK(AdminFixture::Json(r)["disabled"] == true);
  CHECK_FALSE(f.clients->FindActive(id));
}

TEST_CASE("web origins and post-logout redirect URLs are set on create, replaced on update and shown", "[admin-api]") {
  AdminFixture f;
  json app = CreateApp(f, {{"name", "Shop"},
                           {"redirect_url", "https://shop.example.com/callback"},
                           {"web_origins", {"https://shop.example.com", "http://localhost:5173"}},
                           {"post_logout_redirect_urls", {"https://shop.example.com/bye"}}});
  CHECK(app["web_origins"] == json({"https://shop.example.com", "http://localhost:5173"}));
  CHECK(app["post_logout_redirect_urls"] == json::array({"https://shop.example.com/bye"}));
  std::string id = app["client_id"];
  auto stored = f.clients->Get(id);
  REQUIRE(stored.ok());
  CHECK(atm::ClientService::AllowsOrigin(*stored, "http://localhost:5173"));
  CHECK(atm::ClientService::AllowsPostLogoutRedirect(*stored, "https://shop.example.com/bye"));

  // Only the lists sent change; an empty list clears one.
  HttpResponse r =
      f.Call("PATCH", "/admin/api/applications/" + id, {{"web_origins", {"https://admin.example.com"}}}, f.Bearer());
  REQUIRE(r.status == 200);
  CHECK(AdminFixture::Json(r)["web_origins"] == json::array({"https://admin.example.com"}));
  CHECK(AdminFixture::Json(r)["post_logout_redirect_urls"] == json::array({"https://shop.example.com/bye"}));
  r = f.Call("PATCH", "/admin/api/applications/" + id, {{"post_logout_redirect_urls", json::array()}}, f.Bearer());
  REQUIRE(r.status == 200);
  CHECK(AdminFixture::Json(r)["post_logout_redirect_urls"] == json::array());
  json shown = AdminFixture::Json(f.Call("GET", "/admin/api/applications/" + id, nullptr, f.Bearer()));
  CHECK(shown["web_origins"] == json::array({"https://admin.example.com"}));
  CHECK(shown["post_logout_redirect_urls"] == json::array());
  json listed = AdminFixture::Json(f.Call("GET", "/admin/api/applications", nullptr, f.Bearer()));
  CHECK(listed["items"][0]["web_origins"] == json::array({"https://admin.example.com"}));

  // An application created without them has empty lists.
  json plain = CreateApp(f);
  CHECK(plain["web_origins"] == json::array());
  CHECK(plain["post_logout_redirect_urls"] == json::array());
}

TEST_CASE("the application list is paginated and reports the total", "[admin-api]") {
  AdminFixture f;
  for (int i = 0; i < 7; ++i) {
    f.App("App " + std::to_string(i));
    f.clock.Advance(1);  // listed in creation order
  }
  json page = AdminFixture::Json(f.Call("GET", "/admin/api/applications?offset=5&limit=3", nullptr, f.Bearer()));
  CHECK(page["total"] == 7);
  CHECK(page["offset"] == 5);
  CHECK(page["limit"] == 3);
  REQUIRE(page["items"].size() == 2);
  CHECK(page["items"][0]["name"] == "App 5");
  json all = AdminFixture::Json(f.Call("GET", "/admin/api/applications", nullptr, f.Bearer()));
  CHECK(all["limit"] == 50);
  CHECK(all["items"].size() == 7);
}

TEST_CASE("a bad request names the field at fault", "[admin-api]") {
  AdminFixture f;
  std::string id = f.App();
  std::string user_id = f.users->Create({id, "taken@example.com", "password-123", "", "", ""})->id;
  std::map<std::string, std::string> ids = {{"{app}", id}, {"{user}", user_id}};
  struct Case {
    std::string method, path;
    json body;
    std::string field;
  };
  const std::string apps = "/admin/api/applications";
  const std::string users = "/admin/api/applications/{app}/users";
  auto c = GENERATE_COPY(values<Case>({
      {"POST", apps, {{"redirect_url", "https://a.example.com/cb"}}, "name"},
      {"POST", apps, {{"name", "X"}}, "redirect_url"},
      {"POST", apps, {{"name", "X"}, {"redirect_url", "http://evil.example.com/cb"}}, "redirect_url"},
      {"POST",
       apps,
       {{"name", "X"}, {"redirect_urls", {"https://ok.example.com", "javascript:alert(1)"}}},
       "redirect_urls"},
      {"POST", apps, {{"name", "X"}, {"redirect_url", "/relative"}}, "redirect_url"},
      {"POST", apps, {{"name", "X"}, {"redirect_url", "https://a.example.com/cb#frag"}}, "redirect_url"},
      {"POST", apps, {{"name", "X"}, {"redirect_url", "https://a.example.com"}, {"type", "spa"}}, "type"},
      {"POST", apps, {{"name", 42}, {"redirect_url", "https://a.example.com"}}, "name"},
      {"POST", apps, {{"name", "X"}, {"redirect_url", "https://a.example.com"}, {"colour", "red"}}, "colour"},
      {"POST",
       apps,
       {{"name", "X"}, {"redirect_url", "https://a.example.com/cb"}, {"web_origins", {"https://a.example.com/"}}},
       "web_origins"},
      {"POST", apps, {{"name", "X"}, {"redirect_url", "https://a.example.com/cb"}, {"web_origins", 5}}, "web_origins"},
      {"POST",
       apps,
       {{"name", "X"},
        {"redirect_url", "https://a.example.com/cb"},
        {"post_logout_redirect_urls", {"https://a.example.com/#x"}}},
       "post_logout_redirect_urls"},
      {"PATCH", apps + "/{app}", {{"web_origins", {"https://A.example.com"}}}, "web_origins"},
      {"PATCH", apps + "/{app}", {{"web_origins", {1, 2}}}, "web_origins"},
      {"PATCH",
       apps + "/{app}",
       {{"post_logout_redirect_urls", {"http://evil.example.com/bye"}}},
       "post_logout_redirect_urls"},
      {"PATCH", apps + "/{app}", {{"disabled", "yes"}}, "disabled"},
      {"PATCH", apps + "/{app}", {{"type", "public"}}, "type"},
      {"POST", users, {{"email", "not-an-email"}, {"password", "password-123"}}, "email"},
      {"POST", users, {{"password", "password-123"}}, "email"},
      {"POST", users, {{"email", "b@example.com"}, {"password", "short"}}, "password"},
      {"POST",
       users,
       {{"email", "b@example.com"}, {"password", "password-123"}, {"confirm_password", "password-124"}},
       "confirm_password"},
      {"PATCH", users + "/{user}", {{"email", "nope"}}, "email"},
      {"POST", users + "/{user}/password", {{"password", "1234567"}}, "password"},
      {"GET", apps + "?limit=0", nullptr, "limit"},
      {"GET", apps + "?limit=201", nullptr, "limit"},
      {"GET", apps + "?offset=-1", nullptr, "offset"},
      {"GET", users + "?limit=abc", nullptr, "limit"},
  }));
  std::string path = Fill(c.path, ids);
  INFO(c.method << " " << path << " " << c.body.dump());
  HttpResponse r = f.Call(c.method, path, c.body, f.Bearer());
  CHECK(r.status == 400);
  json e = AdminFixture::Json(r);
  CHECK(e["error"] == "invalid_request");
  CHECK(e["field"] == c.field);
  CHECK_FALSE(e["error_description"].get<std::string>().empty());
}

TEST_CASE("malformed bodies are 4xx JSON errors, never 500", "[admin-api]") {
  AdminFixture f;
  auto send = [&](const std::string& body, const std::string& type) {
    atm::HttpRequest r;
    r.method = "POST";
    r.path = "/admin/api/applications";
    r.body = body;
    r.headers = f.Bearer();
    r.headers["content-type"] = type;
    return f.router.Handle(r);
  };
  CHECK(send("name=x", "application/x-www-form-urlencoded").status == 415);
  CHECK(send("{", "application/json").status == 400);
  CHECK(send("[1,2]", "application/json").status == 400);
  CHECK(send(std::string(5000, '[') + std::string(5000, ']'), "application/json").status == 400);
  CHECK(send("{\"name\": {\"a\": 1}}", "application/json").status == 400);
}

TEST_CASE("a duplicate client_id or email is a 409 naming the field", "[admin-api]") {
  AdminFixture f;
  json body = kApp;
  body["client_id"] = "fixed-client-id";
  CreateApp(f, body);
  HttpResponse dup = f.Call("POST", "/admin/api/applications", body, f.Bearer());
  CHECK(dup.status == 409);
  CHECK(AdminFixture::Json(dup)["error"] == "conflict");
  CHECK(AdminFixture::Json(dup)["field"] == "client_id");

  AddUser(f, "fixed-client-id", "ann@example.com");
  HttpResponse again = f.Call("POST", UsersPath("fixed-client-id"),
                              {{"email", "ANN@example.com"}, {"password", "password-123"}}, f.Bearer());
  CHECK(again.status == 409);
  CHECK(AdminFixture::Json(again)["field"] == "email");
  // The same email in another application is fine.
  std::string other = f.App("Other");
  AddUser(f, other, "ann@example.com");
  // Renaming a user onto a taken email is a 409 too.
  std::string bob = AddUser(f, other, "bob@example.com")["id"];
  HttpResponse rename = f.Call("PATCH", UsersPath(other) + "/" + bob, {{"email", "Ann@Example.com"}}, f.Bearer());
  CHECK(rename.status == 409);
}

TEST_CASE("unknown applications and users are 404, also a user of another application", "[admin-api]") {
  AdminFixture f;
  std::string a = f.App("A"), b = f.App("B");
  std::string user_of_b = AddUser(f, b, "x@example.com")["id"];
  auto [method, path] = GENERATE(table<std::string, std::string>({
      {"GET", "/admin/api/applications/missing"},
      {"PATCH", "/admin/api/applications/missing"},
      {"DELETE", "/admin/api/applications/missing"},
      {"POST", "/admin/api/applications/missing/secret"},
      {"GET", "/admin/api/applications/missing/users"},
      {"GET", "/admin/api/applications/{app}/users/missing"},
      {"GET", "/admin/api/applications/{app}/users/{user}"},
      {"DELETE", "/admin/api/applications/{app}/users/{user}"},
      {"GET", "/admin/api/nothing-here"},
      {"GET", "/admin/api/applications/{app}/other"},
  }));
  path = Fill(path, {{"{app}", a}, {"{user}", user_of_b}});
  INFO(method << " " << path);
  HttpResponse r = f.Call(method, path, method == "PATCH" ? json{{"name", "x"}} : json(nullptr), f.Bearer());
  CHECK(r.status == 404);
  CHECK(AdminFixture::Json(r)["error"] == "not_found");
  CHECK(f.users->Get(user_of_b));  // still there
}

TEST_CASE("a wrong method is a 405 with Allow", "[admin-api]") {
  AdminFixture f;
  std::string a = f.App();
  HttpResponse r = f.Call("PUT", "/admin/api/applications/" + a, kApp, f.Bearer());
  CHECK(r.status == 405);
  CHECK(r.Header("Allow") == "GET, PATCH, DELETE");
  CHECK(f.Call("GET", "/admin/api/applications/" + a + "/secret", nullptr, f.Bearer()).status == 405);
}

TEST_CASE("users are listed by application, searched by email and paginated", "[admin-api]") {
  AdminFixture f;
  std::string a = f.App("A"), b = f.App("B");
  for (const char* e : {"ann@shop.com", "bob@shop.com", "carl@other.org", "dora@shop.com"}) AddUser(f, a, e);
  AddUser(f, b, "eve@shop.com");
  json all = AdminFixture::Json(f.Call("GET", UsersPath(a), nullptr, f.Bearer()));
  CHECK(all["total"] == 4);
  json shop = AdminFixture::Json(f.Call("GET", UsersPath(a) + "?email=SHOP.com&limit=2", nullptr, f.Bearer()));
  CHECK(shop["total"] == 3);
  REQUIRE(shop["items"].size() == 2);
  CHECK(shop["items"][0]["email"] == "ann@shop.com");
  CHECK(shop["items"][1]["email"] == "bob@shop.com");
  CHECK_FALSE(shop["items"][0].contains("password_hash"));
  json next = AdminFixture::Json(f.Call("GET", UsersPath(a) + "?email=shop.com&offset=2&limit=2", nullptr, f.Bearer()));
  REQUIRE(next["items"].size() == 1);
  CHECK(next["items"][0]["email"] == "dora@shop.com");
  // The application shows its user count.
  CHECK(AdminFixture::Json(f.Call("GET", "/admin/api/applications/" + a, nullptr, f.Bearer()))["user_count"] == 4);
}

TEST_CASE("a user is created, edited, disabled, enabled, given a new password and removed", "[admin-api]") {
  AdminFixture f;
  std::string a = f.App();
  HttpResponse created = f.Call("POST", UsersPath(a),
                                {{"email", "end.user13@gmail.com"},
                                 {"password", "H123456789"},
                                 {"confirm_password", "H123456789"},
                                 {"first_name", "End"},
                                 {"last_name", "User"}},
                                f.Bearer());
  REQUIRE(created.status == 201);
  std::string id = AdminFixture::Json(created)["id"];
  std::string path = UsersPath(a) + "/" + id;
  CHECK(f.users->Authenticate(a, "end.user13@gmail.com", "H123456789"));

  json edited = AdminFixture::Json(f.Call("PATCH", path, {{"first_name", "Ending"}}, f.Bearer()));
  CHECK(edited["first_name"] == "Ending");
  CHECK(edited["last_name"] == "User");

  CHECK(f.Call("PATCH", path, {{"disabled", true}}, f.Bearer()).status == 200);
  CHECK(f.users->Authenticate(a, "end.user13@gmail.com", "H123456789").error().status() == 403);
  CHECK(f.Call("PATCH", path, {{"disabled", false}}, f.Bearer()).status == 200);
  CHECK(f.users->Authenticate(a, "end.user13@gmail.com", "H123456789"));

  CHECK(f.Call("POST", path + "/password", {{"password", "new-password-1"}}, f.Bearer()).status == 204);
  CHECK_FALSE(f.users->Authenticate(a, "end.user13@gmail.com", "H123456789"));
  CHECK(f.users->Authenticate(a, "end.user13@gmail.com", "new-password-1"));

  CHECK(f.Call("DELETE", path, nullptr, f.Bearer()).status == 204);
  CHECK(f.Call("GET", path, nullptr, f.Bearer()).status == 404);
}

TEST_CASE("deleting an application removes its users", "[admin-api]") {
  AdminFixture f;
  std::string a = f.App();
  std::string user = AddUser(f, a, "ann@example.com")["id"];
  HttpResponse r = f.Call("DELETE", "/admin/api/applications/" + a, nullptr, f.Bearer());
  CHECK(r.status == 204);
  CHECK(r.body.empty());
  CHECK(f.users->Get(user).error().status() == 404);
  CHECK(f.Call("GET", "/admin/api/applications/" + a, nullptr, f.Bearer()).status == 404);
}
