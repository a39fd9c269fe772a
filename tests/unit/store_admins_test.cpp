// The store, on every backend ([backend]): admins and admin sessions, and
// reuse of a cached statement after it failed.
#include <catch2/catch.hpp>

#include "support/test_store.h"

using atm::AdminRecord;
using atm::AdminSessionRecord;

namespace {

atm::testing::TestStore OpenStore() { return atm::testing::OpenTestStore(); }

AdminRecord Admin(const std::string& id, const std::string& username) {
  return AdminRecord{id, username, "$scrypt$hash", 100, 100};
}

}  // namespace

TEST_CASE("a statement that failed on a constraint works on its next use", "[store][backend]") {
  auto store = OpenStore();
  REQUIRE(store->CreateAdmin(Admin("a1", "ops")));
  auto dup = store->CreateAdmin(Admin("a2", "OPS"));
  REQUIRE_FALSE(dup);
  CHECK(dup.error().Is(atm::ErrorCode::kConflict));
  // The same cached INSERT, now with a fresh name: no stale error.
  CHECK(store->CreateAdmin(Admin("a3", "dev")));

  atm::ClientRecord c{"client-1", "App", "", {"https://a.example.com/cb"}, false, false, 1, 1};
  REQUIRE(store->CreateClient(c));
  CHECK_FALSE(store->CreateClient(c));
  c.id = "client-2";
  CHECK(store->CreateClient(c));
}

TEST_CASE("an admin session is found by its hash while it lives, with its admin", "[store][backend]") {
  auto store = OpenStore();
  REQUIRE(store->CreateAdmin(Admin("a1", "ops")));
  REQUIRE(store->CreateAdminSession(AdminSessionRecord{"hash-1", "a1", "console", 100, 200}));
  auto live = store->GetAdminSession("hash-1", 199);
  REQUIRE(live);
  REQUIRE(live->has_value());
  CHECK((*live)->first.kind == "console");
  CHECK((*live)->second.username == "ops");
  CHECK_FALSE(store->GetAdminSession("hash-1", 200)->has_value());
  CHECK_FALSE(store->GetAdminSession("hash-2", 150)->has_value());
  REQUIRE(store->DeleteAdminSession("hash-1"));
  CHECK_FALSE(store->GetAdminSession("hash-1", 150)->has_value());
}

TEST_CASE("a new admin password or deleting the admin drops its sessions", "[store][backend]") {
  auto store = OpenStore();
  REQUIRE(store->CreateAdmin(Admin("a1", "ops")));
  REQUIRE(store->CreateAdmin(Admin("a2", "dev")));
  REQUIRE(store->CreateAdminSession(AdminSessionRecord{"h1", "a1", "console", 100, 900}));
  REQUIRE(store->CreateAdminSession(AdminSessionRecord{"h2", "a2", "api", 100, 900}));
  REQUIRE(store->SetAdminPassword("a1", "$scrypt$new", 150));
  CHECK_FALSE(store->GetAdminSession("h1", 160)->has_value());
  CHECK(store->GetAdminSession("h2", 160)->has_value());
  CHECK(store->FindAdmin("OPS")->value().password_hash == "$scrypt$new");
  REQUIRE(store->DeleteAdmin("a2"));
  CHECK_FALSE(store->GetAdminSession("h2", 160)->has_value());
  CHECK(store->SetAdminPassword("missing", "x", 1).error().status() == 404);
  CHECK(store->ListAdmins()->size() == 1);
}
