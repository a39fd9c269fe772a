// AdminService: admin accounts, sessions (expiry, sign-out, revocation on
// password change) and CSRF tokens, over a real SQLite store in memory.
#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "crypto/encoding.h"
#include "support/admin_fixture.h"

using atm::AdminService;
using atm::AdminSessionKind;
using atm::test::AdminFixture;
using atm::test::kAdminName;
using atm::test::kAdminPassword;

TEST_CASE("an admin signs in with the right password only", "[admins]") {
  AdminFixture f;
  auto ok = f.admins->SignIn(kAdminName, kAdminPassword, AdminSessionKind::kConsole);
  REQUIRE(ok);
  CHECK(ok->admin.username == kAdminName);
  CHECK(f.admins->Check(ok->token));

  auto wrong = f.admins->SignIn(kAdminName, "not the password", AdminSessionKind::kConsole);
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().status() == 401);
  auto unknown = f.admins->SignIn("nobody", kAdminPassword, AdminSessionKind::kConsole);
  REQUIRE_FALSE(unknown);
  // The same answer for an unknown name and a wrong password.
  CHECK(unknown.error().code == wrong.error().code);
  CHECK(unknown.error().description == wrong.error().description);
}

TEST_CASE("the username is matched case-insensitively and is unique", "[admins]") {
  AdminFixture f;
  CHECK(f.admins->SignIn("ADMIN", kAdminPassword, AdminSessionKind::kApi));
  auto dup = f.admins->Create("Admin", "another password");
  REQUIRE_FALSE(dup);
  CHECK(dup.error().status() == 409);
  CHECK(dup.error().field == "username");
}

TEST_CASE("admin usernames and passwords are validated", "[admins]") {
  struct Case {
    const char* username;
    const char* password;
    const char* field;
  };
  auto c =
      GENERATE(Case{"", "long enough pw", "username"}, Case{"has space", "long enough pw", "username"},
               Case{"semi;colon", "long enough pw", "username"},
               Case{"a-name-of-sixty-five-characters..................................", "long enough pw", "username"},
               Case{"ops", "", "password"}, Case{"ops", "short", "password"});
  AdminFixture f;
  auto r = f.admins->Create(c.username, c.password);
  REQUIRE_FALSE(r);
  CHECK(r.error().status() == 400);
  CHECK(r.error().Is(atm::ErrorCode::kInvalidRequest));
  CHECK(r.error().field == c.field);
}

TEST_CASE("a session token is random and stored only as its SHA-256", "[admins]") {
  AdminFixture f;
  auto a = f.admins->SignIn(kAdminName, kAdminPassword, AdminSessionKind::kConsole);
  auto b = f.admins->SignIn(kAdminName, kAdminPassword, AdminSessionKind::kConsole);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->token.size() == 43);  // 258 bits
  CHECK(a->token != b->token);
  auto by_hash = f.store->GetAdminSession(atm::HashSecret(a->token), f.clock.Now());
  REQUIRE(by_hash);
  CHECK(by_hash->has_value());
  auto by_plain = f.store->GetAdminSession(a->token, f.clock.Now());
  REQUIRE(by_plain);
  CHECK_FALSE(by_plain->has_value());
}

TEST_CASE("a console session lasts session_ttl and an API token token_ttl", "[admins]") {
  AdminFixture f;  // session_ttl 3600, token_ttl 600
  auto console = f.admins->SignIn(kAdminName, kAdminPassword, AdminSessionKind::kConsole);
  auto api = f.admins->SignIn(kAdminName, kAdminPassword, AdminSessionKind::kApi);
  REQUIRE(console);
  REQUIRE(api);
  CHECK(console->expires_at == f.clock.Now() + 3600);
  CHECK(api->expires_at == f.clock.Now() + 600);
  CHECK(console->csrf_token.size() > 20);
  CHECK(api->csrf_token.empty());

  f.clock.Advance(599);
  CHECK(f.admins->Check(api->token));
  f.clock.Advance(1);
  auto expired = f.admins->Check(api->token);
  REQUIRE_FALSE(expired);
  CHECK(expired.error().Is(atm::ErrorCode::kInvalidToken));
  CHECK(expired.error().status() == 401);
  CHECK(f.admins->Check(console->token));
  f.clock.Advance(3000);
  CHECK_FALSE(f.admins->Check(console->token));
}

TEST_CASE("expired admin sessions are purged", "[admins]") {
  AdminFixture f;
  auto s = f.admins->SignIn(kAdminName, kAdminPassword, AdminSessionKind::kApi);
  REQUIRE(s);
  f.clock.Advance(601);
  REQUIRE(f.store->PurgeExpired(f.clock.Now()));
  // Even with the clock turned back, the row is gone.
  auto row = f.store->GetAdminSession(atm::HashSecret(s->token), 0);
  REQUIRE(row);
  CHECK_FALSE(row->has_value());
}

TEST_CASE("signing out ends the session at once, as seen from every thread", "[admins]") {
  AdminFixture f;
  auto s = f.admins->SignIn(kAdminName, kAdminPassword, AdminSessionKind::kConsole);
  REQUIRE(s);
  auto check_from_threads = [&] {
    std::atomic<int> valid{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) {
      threads.emplace_back([&] {
        for (int j = 0; j < 25; ++j) valid += f.admins->Check(s->token).ok() ? 1 : 0;
      });
    }
    for (auto& t : threads) t.join();
    return valid.load();
  };
  CHECK(check_from_threads() == 200);
  REQUIRE(f.admins->SignOut(s->token));
  CHECK(check_from_threads() == 0);
}

TEST_CASE("a new password or deleting the admin ends its sessions", "[admins]") {
  AdminFixture f;
  auto s = f.admins->SignIn(kAdminName, kAdminPassword, AdminSessionKind::kConsole);
  REQUIRE(s);
  REQUIRE(f.admins->SetPassword(kAdminName, "a brand new password"));
  CHECK_FALSE(f.admins->Check(s->token));
  CHECK_FALSE(f.admins->SignIn(kAdminName, kAdminPassword, AdminSessionKind::kApi));
  auto again = f.admins->SignIn(kAdminName, "a brand new password", AdminSessionKind::kApi);
  REQUIRE(again);
  REQUIRE(f.admins->Delete(kAdminName));
  CHECK_FALSE(f.admins->Check(again->token));
  CHECK(f.admins->Delete(kAdminName).error().status() == 404);
}

TEST_CASE("IssueToken gives an API token without the password (CLI)", "[admins]") {
  AdminFixture f;
  auto t = f.admins->IssueToken(kAdminName, 120);
  REQUIRE(t);
  auto id = f.admins->Check(t->token);
  REQUIRE(id);
  CHECK(id->kind == AdminSessionKind::kApi);
  CHECK(id->expires_at == f.clock.Now() + 120);
  CHECK(f.admins->IssueToken("nobody", 0).error().status() == 404);
}

TEST_CASE("a CSRF token belongs to one session and is checked exactly", "[admins]") {
  AdminFixture f;
  auto a = f.admins->SignIn(kAdminName, kAdminPassword, AdminSessionKind::kConsole);
  auto b = f.admins->SignIn(kAdminName, kAdminPassword, AdminSessionKind::kConsole);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(AdminService::CheckCsrf(a->token, a->csrf_token));
  CHECK(AdminService::CsrfToken(a->token) == a->csrf_token);
  CHECK_FALSE(AdminService::CheckCsrf(a->token, b->csrf_token));
  CHECK_FALSE(AdminService::CheckCsrf(a->token, ""));
  CHECK_FALSE(AdminService::CheckCsrf("", ""));
  CHECK_FALSE(AdminService::CheckCsrf(a->token, a->csrf_token.substr(1)));
  // It reveals nothing of the session token.
  CHECK(a->csrf_token.find(a->token) == std::string::npos);
}

TEST_CASE("seeding creates the configured admin once and then leaves it alone", "[admins]") {
  AdminFixture f;
  auto first = f.admins->Ensure("ops", "first password", "");
  REQUIRE(first);
  CHECK(*first);
  auto second = f.admins->Ensure("ops", "second password", "");
  REQUIRE(second);
  CHECK_FALSE(*second);
  CHECK(f.admins->SignIn("ops", "first password", AdminSessionKind::kApi));
  CHECK_FALSE(f.admins->SignIn("ops", "second password", AdminSessionKind::kApi));

  auto hash = f.users->HashPassword("hashed password");
  REQUIRE(hash);
  REQUIRE(f.admins->Ensure("from-hash", "", *hash));
  CHECK(f.admins->SignIn("from-hash", "hashed password", AdminSessionKind::kApi));
  auto bad = f.admins->Ensure("bad-hash", "", "not-a-hash");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().field == "password_hash");
}
