// [admin] in the config, and seeding the first admin from it at start-up.
#include <stdlib.h>

#include <catch2/catch.hpp>

#include "admin/seed_admin.h"
#include "config/config.h"
#include "support/admin_fixture.h"

using atm::ParseConfig;

TEST_CASE("[admin] reads the username, the password source and the lifetimes", "[config]") {
  auto c = ParseConfig(
      "[admin]\nusername = \"ops\"\npassword_env = \"OPS_PASSWORD\"\nsession_ttl = \"2h\"\ntoken_ttl = 900\n",
      "test.toml");
  REQUIRE(c);
  CHECK(c->admin.username == "ops");
  CHECK(c->admin.password_env == "OPS_PASSWORD");
  CHECK(c->admin.session_ttl == 7200);
  CHECK(c->admin.token_ttl == 900);
  auto defaults = ParseConfig("", "test.toml");
  REQUIRE(defaults);
  CHECK(defaults->admin.username.empty());
  CHECK(defaults->admin.session_ttl == 8 * 3600);
  CHECK(defaults->admin.token_ttl == 3600);
}

TEST_CASE("a bad [admin] section is a one-line error naming the file and key", "[config]") {
  auto [text, expected] = GENERATE(table<std::string, std::string>({
      {"[admin]\nusername = \"ops\"\n", "test.toml: admin: give password_hash or password_env for ops"},
      {"[admin]\npassword_env = \"X\"\n", "test.toml: admin.username: is required"},
      {"[admin]\nusername = \"ops\"\npassword_env = \"X\"\npassword_hash = \"$scrypt$\"\n",
       "test.toml: admin: give one of password_hash or password_env, not both"},
      {"[admin]\nusername = \"ops\"\npassword = \"plain\"\n", "test.toml: admin.password: unknown key"},
      {"[admin]\nsession_ttl = \"soon\"\n", "test.toml: admin.session_ttl: expected a duration"},
      {"[admin]\ntoken_ttl = 5\n", "test.toml: admin.token_ttl: must be at least 60 seconds"},
      {"admin = 3\n", "test.toml: admin: expected a table, got an integer"},
  }));
  auto c = ParseConfig(text, "test.toml");
  REQUIRE_FALSE(c);
  CHECK(c.error().description.rfind(expected, 0) == 0);
  CHECK(c.error().description.find('\n') == std::string::npos);
}

TEST_CASE("the configured admin is seeded from the environment, once", "[config][admins]") {
  atm::test::AdminFixture f;
  f.config.admin.username = "seeded";
  f.config.admin.password_env = "ATM_UNIT_TEST_ADMIN_PASSWORD";
  unsetenv("ATM_UNIT_TEST_ADMIN_PASSWORD");
  // Unset: nothing is created (a warning says how), and start-up goes on.
  REQUIRE(atm::SeedAdminFromConfig(f.config, *f.admins));
  CHECK(f.admins->Get("seeded").error().status() == 404);

  setenv("ATM_UNIT_TEST_ADMIN_PASSWORD", "from-the-environment", 1);
  REQUIRE(atm::SeedAdminFromConfig(f.config, *f.admins));
  CHECK(f.admins->SignIn("seeded", "from-the-environment", atm::AdminSessionKind::kApi));
  // A second start with another password leaves the admin as it is.
  setenv("ATM_UNIT_TEST_ADMIN_PASSWORD", "changed-in-the-environment", 1);
  REQUIRE(atm::SeedAdminFromConfig(f.config, *f.admins));
  CHECK(f.admins->SignIn("seeded", "from-the-environment", atm::AdminSessionKind::kApi));
  unsetenv("ATM_UNIT_TEST_ADMIN_PASSWORD");
}

TEST_CASE("a bad seeded admin stops start-up naming the key", "[config][admins]") {
  atm::test::AdminFixture f;
  f.config.source = "atm.toml";
  f.config.admin.username = "with-hash";
  f.config.admin.password_hash = "not-a-hash";
  auto bad_hash = atm::SeedAdminFromConfig(f.config, *f.admins);
  REQUIRE_FALSE(bad_hash);
  CHECK(bad_hash.error().Is(atm::ErrorCode::kInvalidConfig));
  CHECK(bad_hash.error().description.rfind("atm.toml: admin.password_hash: ", 0) == 0);

  f.config.admin.password_hash.clear();
  f.config.admin.password_env = "ATM_UNIT_TEST_SHORT_PASSWORD";
  setenv("ATM_UNIT_TEST_SHORT_PASSWORD", "short", 1);
  auto short_password = atm::SeedAdminFromConfig(f.config, *f.admins);
  unsetenv("ATM_UNIT_TEST_SHORT_PASSWORD");
  REQUIRE_FALSE(short_password);
  CHECK(short_password.error().description ==
        "atm.toml: admin.password_env (ATM_UNIT_TEST_SHORT_PASSWORD): password must be at least 8 characters");

  f.config.admin.username = "bad name";
  f.config.admin.password_env.clear();
  f.config.admin.password_hash = f.users->HashPassword("long enough password").value();
  auto bad_name = atm::SeedAdminFromConfig(f.config, *f.admins);
  REQUIRE_FALSE(bad_name);
  CHECK(bad_name.error().description.rfind("atm.toml: admin.username: ", 0) == 0);
}
