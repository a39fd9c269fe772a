// Seeding from config (README "Configuration"): applications and users are created when
// absent and left as they are when present, with no hashing on a re-run.
#include <unistd.h>
#include <catch2/catch.hpp>
#include <filesystem>

#include "core/clock.h"
#include "crypto/password.h"
#include "domain/seed.h"
#include "store/sqlite_store.h"

namespace atm {
namespace {

const ScryptParams kCheap{10, 8, 1};
// r = 0 makes scrypt fail: a service with it proves no password is hashed.
const ScryptParams kCannotHash{10, 0, 1};

struct Fixture {
  FakeClock clock;
  std::unique_ptr<SqliteStore> store;
  std::unique_ptr<ClientService> clients;
  Fixture() {
    auto s = SqliteStore::Open({":memory:", false, 1000});
    REQUIRE(s.ok());
    store = std::move(*s);
    clients = std::make_unique<ClientService>(*store, clock);
  }
  Result<SeedReport> Seed(const std::vector<SeedApplication>& apps, ScryptParams scrypt = kCheap) {
    UserService users(*store, clock, PasswordPolicy{scrypt, 8, 1});
    return SeedFromConfig(apps, *clients, users);
  }
};

SeedApplication Demo() {
  SeedApplication a;
  a.name = "Demo SPA";
  a.client_id = "OJJvmTmatjCOTuqBxur2";
  a.client_secret = "QhRhyGuSTP7S9cU6riqR3vPHETq9vErX";
  a.redirect_urls = {"http://localhost:8080/callback"};
  a.users = {SeedUser{"end.user13@gmail.com", "H123456789", "", "End", "User"},
             SeedUser{"second@example.com", "H123456789", "", "Second", "User"}};
  return a;
}

}  // namespace

TEST_CASE("seeding creates the applications and users of the config", "[seed]") {
  Fixture f;
  auto report = f.Seed({Demo()});
  REQUIRE(report.ok());
  CHECK(report->applications_created == 1);
  CHECK(report->users_created == 2);
  CHECK(report->generated_secrets.empty());
  CHECK(f.clients->Authenticate("OJJvmTmatjCOTuqBxur2", "QhRhyGuSTP7S9cU6riqR3vPHETq9vErX", true).ok());
  UserService users(*f.store, f.clock, PasswordPolicy{kCheap, 8, 1});
  auto user = users.Authenticate("OJJvmTmatjCOTuqBxur2", "end.user13@gmail.com", "H123456789");
  REQUIRE(user.ok());
  CHECK(user->first_name == "End");
}

TEST_CASE("seeding twice changes nothing and hashes no password", "[seed]") {
  Fixture f;
  REQUIRE(f.Seed({Demo()}).ok());
  auto before = f.store->FindUserByEmail("OJJvmTmatjCOTuqBxur2", "end.user13@gmail.com");
  REQUIRE(before->has_value());
  auto again = f.Seed({Demo()}, kCannotHash);
  INFO((again.ok() ? "" : again.error().description));
  REQUIRE(again.ok());
  CHECK(again->applications_created == 0);
  CHECK(again->users_created == 0);
  CHECK(f.clients->Count().value() == 1);
  CHECK(f.store->CountUsers("OJJvmTmatjCOTuqBxur2", "").value() == 2);
  auto after = f.store->FindUserByEmail("OJJvmTmatjCOTuqBxur2", "end.user13@gmail.com");
  CHECK((*after)->id == (*before)->id);
  CHECK((*after)->password_hash == (*before)->password_hash);
}

TEST_CASE("an existing user is left as it is, even if the config's password changed", "[seed]") {
  Fixture f;
  REQUIRE(f.Seed({Demo()}).ok());
  SeedApplication changed = Demo();
  changed.users[0].password = "Another-password";
  changed.users[0].first_name = "Changed";
  REQUIRE(f.Seed({changed}).ok());
  UserService users(*f.store, f.clock, PasswordPolicy{kCheap, 8, 1});
  auto user = users.Authenticate("OJJvmTmatjCOTuqBxur2", "END.user13@gmail.com", "H123456789");
  REQUIRE(user.ok());
  CHECK(user->first_name == "End");
}

TEST_CASE("a user added to the config later is created on the next run", "[seed]") {
  Fixture f;
  REQUIRE(f.Seed({Demo()}).ok());
  SeedApplication more = Demo();
  more.users.push_back(SeedUser{"third@example.com", "H123456789", "", "", ""});
  auto report = f.Seed({more});
  REQUIRE(report.ok());
  CHECK(report->users_created == 1);
  CHECK(f.store->CountUsers("OJJvmTmatjCOTuqBxur2", "").value() == 3);
}

TEST_CASE("an application without client_id is generated once and found by name after", "[seed]") {
  Fixture f;
  SeedApplication a = Demo();
  a.client_id.clear();
  a.client_secret.clear();
  auto first = f.Seed({a});
  REQUIRE(first.ok());
  REQUIRE(first->generated_secrets.size() == 1);
  const auto& [id, secret] = first->generated_secrets[0];
  CHECK(id.size() == 20);
  CHECK(secret.size() == 32);
  CHECK(f.clients->Authenticate(id, secret, true).ok());
  auto second = f.Seed({a}, kCannotHash);
  REQUIRE(second.ok());
  CHECK(second->applications_created == 0);
  CHECK(second->generated_secrets.empty());
  CHECK(f.clients->Count().value() == 1);
}

TEST_CASE("seeding gives an application its web origins and post-logout redirect URLs", "[seed]") {
  Fixture f;
  SeedApplication a = Demo();
  a.web_origins = {"http://localhost:5173"};
  a.post_logout_redirect_urls = {"http://localhost:8080/signed-out"};
  REQUIRE(f.Seed({a}).ok());
  auto app = f.clients->Get("OJJvmTmatjCOTuqBxur2");
  REQUIRE(app.ok());
  CHECK(app->web_origins == std::vector<std::string>{"http://localhost:5173"});
  CHECK(app->post_logout_redirect_urls == std::vector<std::string>{"http://localhost:8080/signed-out"});
  CHECK(ClientService::AllowsOrigin(*app, "http://localhost:5173"));
}

TEST_CASE("an existing application keeps its lists even if the config's changed", "[seed]") {
  Fixture f;
  SeedApplication a = Demo();
  a.web_origins = {"http://localhost:5173"};
  REQUIRE(f.Seed({a}).ok());
  a.web_origins = {"https://elsewhere.example.com"};
  a.post_logout_redirect_urls = {"http://localhost:8080/signed-out"};
  auto again = f.Seed({a});
  REQUIRE(again.ok());
  CHECK(again->applications_created == 0);
  auto app = f.clients->Get("OJJvmTmatjCOTuqBxur2");
  REQUIRE(app.ok());
  CHECK(app->web_origins == std::vector<std::string>{"http://localhost:5173"});
  CHECK(app->post_logout_redirect_urls.empty());
}

TEST_CASE("a password_hash user is seeded without hashing and logs in with the password", "[seed]") {
  auto hash = HashPassword("H123456789", kCheap);
  REQUIRE(hash.ok());
  Fixture f;
  SeedApplication a = Demo();
  a.users = {SeedUser{"end.user13@gmail.com", "", *hash, "End", "User"}};
  REQUIRE(f.Seed({a}, kCannotHash).ok());
  UserService users(*f.store, f.clock, PasswordPolicy{kCheap, 8, 1});
  CHECK(users.Authenticate("OJJvmTmatjCOTuqBxur2", "end.user13@gmail.com", "H123456789").ok());
}

TEST_CASE("a bad seed entry is an error naming its config key", "[seed]") {
  auto [name, mutate, key] = GENERATE(table<std::string, void (*)(SeedApplication&), std::string>({
      {"bad password_hash",
       [](SeedApplication& a) {
         a.users[1].password = "";
         a.users[1].password_hash = "$scrypt$bad";
       },
       "applications[0].users[1].password_hash"},
      {"short password", [](SeedApplication& a) { a.users[0].password = "short"; },
       "applications[0].users[0].password"},
      {"bad email", [](SeedApplication& a) { a.users[1].email = "not-an-email"; }, "applications[0].users[1].email"},
      {"bad redirect URL", [](SeedApplication& a) { a.redirect_urls = {"http://example.com/cb"}; },
       "applications[0].redirect_url"},
      {"bad client secret", [](SeedApplication& a) { a.client_secret = "short"; }, "applications[0].client_secret"},
      {"web origin with a path", [](SeedApplication& a) { a.web_origins = {"http://localhost:5173/app"}; },
       "applications[0].web_origins"},
      {"post-logout URL with a fragment",
       [](SeedApplication& a) { a.post_logout_redirect_urls = {"http://localhost:8080/bye#now"}; },
       "applications[0].post_logout_redirect_urls"},
  }));
  CAPTURE(name);
  Fixture f;
  SeedApplication a = Demo();
  mutate(a);
  auto r = f.Seed({a});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().Is(ErrorCode::kInvalidConfig));
  CHECK(r.error().description.rfind(key + ": ", 0) == 0);
}

}  // namespace atm

namespace atm {

TEST_CASE("a fixed user id is kept across runs, and one taken by another user is an error naming the key", "[seed]") {
  Fixture f;
  SeedApplication a = Demo();
  a.users[0].id = "user-1";
  a.users[0].claims = {{"roles", {"admin"}}};
  REQUIRE(f.Seed({a}).ok());
  UserService users(*f.store, f.clock, PasswordPolicy{kCheap, 8, 1});
  auto u = users.Get("user-1");
  REQUIRE(u.ok());
  CHECK(u->claims == R"({"roles":["admin"]})");
  REQUIRE(f.Seed({a}, kCannotHash).ok());  // the same user again: nothing to do

  SeedApplication other = a;
  other.name = "Other";
  other.client_id = "OtherClientIdAAAAAAA";
  other.users[0].email = "someone.else@example.com";
  auto taken = f.Seed({a, other});
  REQUIRE_FALSE(taken.ok());
  CHECK_THAT(taken.error().description, Catch::StartsWith("applications[1].users[0].id: the id user-1"));
}

}  // namespace atm
