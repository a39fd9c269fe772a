// UserService: creation rules, per-application unique emails, password
// authentication (same answer for unknown email and wrong password).
#include <catch2/catch.hpp>
#include <regex>

#include "core/clock.h"
#include "crypto/password.h"
#include "domain/users.h"
#include "store/sqlite_store.h"

namespace atm {
namespace {

struct Fixture {
  FakeClock clock;
  std::unique_ptr<SqliteStore> store;
  std::unique_ptr<UserService> users;
  explicit Fixture(PasswordPolicy policy = {ScryptParams{10, 8, 1}, 8, 2}) {
    auto s = SqliteStore::Open({":memory:", false, 1000});
    REQUIRE(s.ok());
    store = std::move(*s);
    REQUIRE(store->CreateClient(ClientRecord{"app1", "App 1", "", {"https://a.example/cb"}}).ok());
    REQUIRE(store->CreateClient(ClientRecord{"app2", "App 2", "", {"https://b.example/cb"}}).ok());
    users = std::make_unique<UserService>(*store, clock, policy);
  }
  UserRecord Create(const std::string& email, const std::string& client_id = "app1") {
    auto u = users->Create({client_id, email, "H123456789", "", "End", "User"});
    INFO(email);
    REQUIRE(u.ok());
    return *u;
  }
};

}  // namespace

TEST_CASE("a new user gets a 21-character id and a scrypt hash of the password", "[users]") {
  Fixture f;
  UserRecord u = f.Create("  end.user13@gmail.com ");
  CHECK(std::regex_match(u.id, std::regex("[A-Za-z0-9_-]{21}")));
  CHECK(u.email == "end.user13@gmail.com");  // trimmed
  CHECK(u.password_hash.rfind("$scrypt$ln=10,", 0) == 0);
  CHECK(VerifyPassword("H123456789", u.password_hash));
  CHECK(u.created_at == f.clock.Now());
  auto stored = f.users->Get(u.id);
  REQUIRE(stored.ok());
  CHECK(stored->first_name == "End");
}

TEST_CASE("emails are unique per application, case-insensitively", "[users]") {
  Fixture f;
  f.Create("end.user13@gmail.com");
  auto dup = f.users->Create({"app1", "END.User13@Gmail.COM", "H123456789", "", "", ""});
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.error().Is(ErrorCode::kConflict));
  CHECK(dup.error().status() == 409);
  CHECK(dup.error().field == "email");
  CHECK(f.users->Create({"app2", "end.user13@gmail.com", "H123456789", "", "", ""}).ok());
  UserRecord other = f.Create("second@example.com");
  auto rename = f.users->Update(other.id, UserChanges{"End.User13@gmail.com", {}, {}, {}});
  REQUIRE_FALSE(rename.ok());
  CHECK(rename.error().Is(ErrorCode::kConflict));
}

TEST_CASE("creating a user checks email, password, names and application", "[users]") {
  Fixture f;
  auto [name, user, field] = GENERATE(table<std::string, NewUser, std::string>({
      {"bad email", NewUser{"app1", "not-an-email", "H123456789", "", "", ""}, "email"},
      {"empty email", NewUser{"app1", "", "H123456789", "", "", ""}, "email"},
      {"short password", NewUser{"app1", "a@example.com", "short", "", "", ""}, "password"},
      {"no password", NewUser{"app1", "a@example.com", "", "", "", ""}, "password"},
      {"long name", NewUser{"app1", "a@example.com", "H123456789", "", std::string(201, 'x'), ""}, "first_name"},
      {"bad hash", NewUser{"app1", "a@example.com", "", "$scrypt$nope", "", ""}, "password_hash"},
      {"unknown application", NewUser{"nope", "a@example.com", "H123456789", "", "", ""}, "client_id"},
  }));
  CAPTURE(name);
  auto r = f.users->Create(user);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().field == field);
}

TEST_CASE("a user can be created from a password hash without hashing", "[users]") {
  auto hash = HashPassword("H123456789", ScryptParams{10, 8, 1});
  REQUIRE(hash.ok());
  // r = 0 makes any hashing fail: success proves none happened.
  Fixture f(PasswordPolicy{ScryptParams{10, 0, 1}, 8, 1});
  auto u = f.users->Create({"app1", "a@example.com", "", *hash, "", ""});
  REQUIRE(u.ok());
  CHECK(u->password_hash == *hash);
}

TEST_CASE("authentication accepts the right password and refuses the rest alike", "[users]") {
  Fixture f;
  UserRecord u = f.Create("end.user13@gmail.com");
  f.Create("app2user@example.com", "app2");
  SECTION("right password, any email case") {
    auto ok = f.users->Authenticate("app1", " END.USER13@gmail.com", "H123456789");
    REQUIRE(ok.ok());
    CHECK(ok->id == u.id);
  }
  SECTION("wrong password, unknown email, another application's user: one answer") {
    auto wrong = f.users->Authenticate("app1", "end.user13@gmail.com", "H12345678");
    auto unknown = f.users->Authenticate("app1", "nobody@example.com", "H123456789");
    auto foreign = f.users->Authenticate("app1", "app2user@example.com", "H123456789");
    for (const auto* r : {&wrong, &unknown, &foreign}) {
      REQUIRE_FALSE(r->ok());
      CHECK(r->error().Is(ErrorCode::kInvalidCredentials));
      CHECK(r->error().wire_name() == "invalid_grant");
      CHECK(r->error().status() == 401);
      CHECK(r->error().description == wrong.error().description);
    }
  }
  SECTION("disabled user") {
    REQUIRE(f.users->Update(u.id, UserChanges{{}, {}, {}, true}).ok());
    auto r = f.users->Authenticate("app1", "end.user13@gmail.com", "H123456789");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().Is(ErrorCode::kAccessDenied));
  }
}

TEST_CASE("a new password replaces the old one", "[users]") {
  Fixture f;
  UserRecord u = f.Create("a@example.com");
  REQUIRE(f.users->SetPassword(u.id, "N3w-password").ok());
  CHECK(f.users->Authenticate("app1", "a@example.com", "N3w-password").ok());
  CHECK_FALSE(f.users->Authenticate("app1", "a@example.com", "H123456789").ok());
  CHECK(f.users->SetPassword(u.id, "short").error().field == "password");
  CHECK(f.users->SetPassword("missing", "N3w-password").error().Is(ErrorCode::kNotFound));
}

TEST_CASE("users are listed, counted, updated and deleted per application", "[users]") {
  Fixture f;
  UserRecord a = f.Create("alice@example.com");
  f.Create("bob@example.com");
  f.Create("carol@example.com", "app2");
  CHECK(f.users->Count("app1", "").value() == 2);
  CHECK(f.users->Count("app1", "ALICE").value() == 1);
  CHECK(f.users->List("app2", "", {}).value().size() == 1);
  auto updated = f.users->Update(a.id, UserChanges{{}, " Alice ", "Liddell", {}});
  REQUIRE(updated.ok());
  CHECK(updated->first_name == "Alice");
  CHECK(updated->last_name == "Liddell");
  REQUIRE(f.users->Delete(a.id).ok());
  CHECK(f.users->Get(a.id).error().Is(ErrorCode::kNotFound));
  CHECK(f.users->Delete(a.id).error().Is(ErrorCode::kNotFound));
}

}  // namespace atm
