// SqliteStore: the schema and its migrations, and the storage rules the
// domain relies on (single-use codes, refresh rotation with reuse detection,
// cascades, per-application unique emails), on :memory: and on files.
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "store/schema.h"
#include "store/sqlite_store.h"

namespace atm {
namespace {

constexpr int64_t kNow = 1700000000;

std::unique_ptr<SqliteStore> OpenMemory() {
  auto store = SqliteStore::Open({":memory:", false, 1000});
  REQUIRE(store.ok());
  return std::move(*store);
}

// A temporary database file, removed (with its WAL files) at the end.
struct TempDb {
  std::string path;
  TempDb() {
    char dir[] = "/tmp/atm-store-test-XXXXXX";
    REQUIRE(mkdtemp(dir) != nullptr);
    path = std::string(dir) + "/atm.db";
  }
  ~TempDb() { std::filesystem::remove_all(std::filesystem::path(path).parent_path()); }
  std::unique_ptr<SqliteStore> Open() const {
    auto store = SqliteStore::Open({path, false, 1000});
    REQUIRE(store.ok());
    return std::move(*store);
  }
};

ClientRecord Client(const std::string& id) {
  ClientRecord c;
  c.id = id;
  c.name = "App " + id;
  c.secret_hash = std::string(64, 'a');
  c.redirect_urls = {"https://app.example/cb", "http://localhost/cb"};
  c.created_at = c.updated_at = kNow;
  return c;
}

UserRecord User(const std::string& id, const std::string& client_id, const std::string& email) {
  UserRecord u;
  u.id = id;
  u.client_id = client_id;
  u.email = email;
  u.password_hash = "$scrypt$x";
  u.first_name = "First";
  u.last_name = "Last";
  u.created_at = u.updated_at = kNow;
  return u;
}

CodeRecord Code(const std::string& hash, const std::string& client_id, const std::string& user_id,
                int64_t expires_at) {
  CodeRecord c;
  c.hash = hash;
  c.client_id = client_id;
  c.user_id = user_id;
  c.challenge = "challenge";
  c.method = "S256";
  c.auth_time = kNow;
  c.expires_at = expires_at;
  return c;
}

RefreshRecord Refresh(const std::string& hash, const std::string& grant_id, const std::string& client_id,
                      const std::string& user_id, int64_t expires_at = kNow + 3600) {
  return RefreshRecord{hash, grant_id, client_id, user_id, kNow, expires_at};
}

GrantRecord Grant(const std::string& id, const std::string& client_id, const std::string& user_id) {
  GrantRecord g;
  g.id = id;
  g.client_id = client_id;
  g.user_id = user_id;
  g.auth_time = kNow;
  g.created_at = kNow;
  return g;
}

// A store with client "c1" and its user "u1", and client "c2".
std::unique_ptr<SqliteStore> Seeded() {
  auto s = OpenMemory();
  REQUIRE(s->CreateClient(Client("c1")).ok());
  REQUIRE(s->CreateClient(Client("c2")).ok());
  REQUIRE(s->CreateUser(User("u1", "c1", "end.user13@gmail.com")).ok());
  return s;
}

}  // namespace

TEST_CASE("opening a new database applies every migration and sets user_version", "[store]") {
  auto s = OpenMemory();
  CHECK(s->SchemaVersion() == static_cast<int>(SchemaMigrations().size()));
  auto ok = s->IntegrityCheck();
  REQUIRE(ok.ok());
  CHECK(*ok == "ok");
}

TEST_CASE("a file database keeps its data and schema version across reopening", "[store]") {
  TempDb db;
  {
    auto s = db.Open();
    REQUIRE(s->CreateClient(Client("c1")).ok());
  }
  auto s = db.Open();
  CHECK(s->SchemaVersion() == static_cast<int>(SchemaMigrations().size()));
  auto c = s->GetClient("c1");
  REQUIRE(c.ok());
  REQUIRE(c->has_value());
  CHECK((*c)->redirect_urls == std::vector<std::string>{"https://app.example/cb", "http://localhost/cb"});
}

TEST_CASE("a file database runs in WAL mode", "[store]") {
  TempDb db;
  auto s = db.Open();
  REQUIRE(s->CreateClient(Client("c1")).ok());
  CHECK(std::filesystem::exists(db.path + "-wal"));
}

TEST_CASE("a database from a newer atm is refused with a message naming it", "[store]") {
  TempDb db;
  { auto s = db.Open(); }
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(db.path.c_str(), &raw) == SQLITE_OK);
  REQUIRE(sqlite3_exec(raw, "PRAGMA user_version=999", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(raw);
  auto s = SqliteStore::Open({db.path, false, 1000});
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().description.find(db.path) != std::string::npos);
  CHECK(s.error().description.find("newer") != std::string::npos);
}

TEST_CASE("a database that cannot be opened is an error, not a crash", "[store]") {
  auto s = SqliteStore::Open({"/nonexistent-dir/sub/atm.db", false, 100});
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().description.find("/nonexistent-dir/sub/atm.db") != std::string::npos);
}

TEST_CASE("clients: create, read, update, list, count, delete", "[store]") {
  auto s = OpenMemory();
  REQUIRE(s->CreateClient(Client("c1")).ok());
  auto dup = s->CreateClient(Client("c1"));
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.error().code == "conflict");
  CHECK(dup.error().status == 409);

  ClientRecord changed = Client("c1");
  changed.name = "Renamed";
  changed.disabled = true;
  changed.redirect_urls = {"https://new.example/cb"};
  REQUIRE(s->UpdateClient(changed).ok());
  auto got = s->GetClient("c1");
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  CHECK((*got)->name == "Renamed");
  CHECK((*got)->disabled);
  CHECK((*got)->redirect_urls == std::vector<std::string>{"https://new.example/cb"});

  CHECK(s->UpdateClient(Client("missing")).error().code == "not_found");
  REQUIRE(s->CreateClient(Client("c2")).ok());
  CHECK(s->CountClients().value() == 2);
  auto page = s->ListClients({1, 10});
  REQUIRE(page.ok());
  REQUIRE(page->size() == 1);
  REQUIRE(s->DeleteClient("c1").ok());
  CHECK_FALSE(s->GetClient("c1")->has_value());
  CHECK(s->DeleteClient("c1").error().code == "not_found");
}

TEST_CASE("emails are unique per application, compared case-insensitively", "[store]") {
  auto s = Seeded();
  auto dup = s->CreateUser(User("u2", "c1", "End.User13@GMAIL.com"));
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.error().code == "conflict");
  // The same email in another application is another user.
  CHECK(s->CreateUser(User("u3", "c2", "end.user13@gmail.com")).ok());
  auto found = s->FindUserByEmail("c1", "END.USER13@gmail.COM");
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK((*found)->id == "u1");
  auto other = s->FindUserByEmail("c2", "end.user13@gmail.com");
  REQUIRE(other->has_value());
  CHECK((*other)->id == "u3");
  CHECK_FALSE(s->FindUserByEmail("c1", "nobody@gmail.com")->has_value());
  // Renaming onto a taken email is a conflict too.
  REQUIRE(s->CreateUser(User("u4", "c1", "second@example.com")).ok());
  CHECK(s->UpdateUser(User("u4", "c1", "END.USER13@gmail.com")).error().code == "conflict");
}

TEST_CASE("a refused insert leaves the store working for the next one", "[store]") {
  // Regression: a cached statement whose last step failed used to rethrow
  // that failure on its next use, so the user created after a duplicate was
  // refused as a duplicate too.
  auto s = Seeded();
  REQUIRE_FALSE(s->CreateUser(User("u2", "c1", "END.user13@gmail.com")).ok());
  CHECK(s->CreateUser(User("u3", "c1", "new@example.com")).ok());
  REQUIRE_FALSE(s->CreateClient(Client("c1")).ok());
  CHECK(s->CreateClient(Client("c3")).ok());
  REQUIRE(s->SaveCode(Code("h1", "c1", "u1", kNow + 60)).ok());
  REQUIRE_FALSE(s->SaveCode(Code("h1", "c1", "u1", kNow + 60)).ok());
  CHECK(s->SaveCode(Code("h2", "c1", "u1", kNow + 60)).ok());
}

TEST_CASE("a user cannot belong to an application that does not exist", "[store]") {
  auto s = OpenMemory();
  CHECK_FALSE(s->CreateUser(User("u1", "nope", "a@example.com")).ok());
}

TEST_CASE("listing users filters by email substring, with LIKE wildcards taken literally", "[store]") {
  auto s = Seeded();
  REQUIRE(s->CreateUser(User("u2", "c1", "a_b@example.com")).ok());
  REQUIRE(s->CreateUser(User("u3", "c1", "axb@example.com")).ok());
  REQUIRE(s->CreateUser(User("u4", "c1", "100%@example.com")).ok());
  CHECK(s->CountUsers("c1", "").value() == 4);
  CHECK(s->CountUsers("c1", "_").value() == 1);
  CHECK(s->CountUsers("c1", "%").value() == 1);
  CHECK(s->CountUsers("c1", "EXAMPLE").value() == 3);
  CHECK(s->CountUsers("c2", "").value() == 0);
  auto page = s->ListUsers("c1", "example", {0, 2});
  REQUIRE(page.ok());
  CHECK(page->size() == 2);
}

TEST_CASE("a code is consumed once", "[store]") {
  auto s = Seeded();
  REQUIRE(s->SaveCode(Code("h1", "c1", "u1", kNow + 60)).ok());
  auto first = s->ConsumeCode("h1", kNow);
  REQUIRE(first.ok());
  CHECK(first->client_id == "c1");
  CHECK(first->user_id == "u1");
  CHECK(first->challenge == "challenge");
  CHECK(first->method == "S256");
  auto second = s->ConsumeCode("h1", kNow);
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().code == "invalid_grant");
  CHECK(second.error().description.find("already used") != std::string::npos);
  CHECK(s->ConsumeCode("unknown", kNow).error().code == "invalid_grant");
}

TEST_CASE("a code expires at its expiry time", "[store]") {
  auto s = Seeded();
  REQUIRE(s->SaveCode(Code("h1", "c1", "u1", kNow + 60)).ok());
  REQUIRE(s->SaveCode(Code("h2", "c1", "u1", kNow + 60)).ok());
  CHECK(s->ConsumeCode("h1", kNow + 59).ok());
  auto late = s->ConsumeCode("h2", kNow + 60);
  REQUIRE_FALSE(late.ok());
  CHECK(late.error().code == "invalid_grant");
  CHECK(late.error().description.find("expired") != std::string::npos);
}

TEST_CASE("replaying a redeemed code revokes the grant it issued (RFC 6749 §4.1.2)", "[store]") {
  auto s = Seeded();
  REQUIRE(s->SaveCode(Code("h1", "c1", "u1", kNow + 60)).ok());
  REQUIRE(s->ConsumeCode("h1", kNow).ok());
  REQUIRE(s->CreateGrant(Grant("g1", "c1", "u1"), Refresh("r1", "g1", "c1", "u1"), "h1").ok());
  CHECK_FALSE(s->ConsumeCode("h1", kNow + 1).ok());
  CHECK_FALSE(s->GetGrant("g1")->has_value());
  CHECK_FALSE(s->GetLiveRefresh("r1", kNow + 1)->has_value());
}

TEST_CASE("rotating a refresh token spends it and issues the next in the same grant", "[store]") {
  auto s = Seeded();
  REQUIRE(s->CreateGrant(Grant("g1", "c1", "u1"), Refresh("r1", "g1", "c1", "u1"), "").ok());
  auto grant = s->RotateRefresh("r1", "c1", Refresh("r2", "", "c1", ""), kNow + 10);
  REQUIRE(grant.ok());
  CHECK(grant->id == "g1");
  CHECK(grant->user_id == "u1");
  CHECK_FALSE(s->GetLiveRefresh("r1", kNow + 10)->has_value());
  auto next = s->GetLiveRefresh("r2", kNow + 10);
  REQUIRE(next->has_value());
  CHECK((*next)->grant_id == "g1");  // taken from the old token, not the caller
  CHECK((*next)->user_id == "u1");
  CHECK(s->RotateRefresh("r2", "c1", Refresh("r3", "", "c1", ""), kNow + 20).ok());
}

TEST_CASE("presenting a spent refresh token revokes the whole grant (reuse detection)", "[store]") {
  auto s = Seeded();
  REQUIRE(s->CreateGrant(Grant("g1", "c1", "u1"), Refresh("r1", "g1", "c1", "u1"), "").ok());
  REQUIRE(s->RotateRefresh("r1", "c1", Refresh("r2", "", "c1", ""), kNow).ok());
  auto reuse = s->RotateRefresh("r1", "c1", Refresh("r3", "", "c1", ""), kNow + 1);
  REQUIRE_FALSE(reuse.ok());
  CHECK(reuse.error().code == "invalid_grant");
  CHECK(reuse.error().description.find("already used") != std::string::npos);
  CHECK_FALSE(s->GetGrant("g1")->has_value());
  CHECK_FALSE(s->GetLiveRefresh("r2", kNow + 1)->has_value());
  CHECK_FALSE(s->GetLiveRefresh("r3", kNow + 1)->has_value());
  CHECK(s->RotateRefresh("r2", "c1", Refresh("r4", "", "c1", ""), kNow + 2).error().code == "invalid_grant");
}

TEST_CASE("another client's refresh token is refused and stays usable by its owner", "[store]") {
  auto s = Seeded();
  REQUIRE(s->CreateGrant(Grant("g1", "c1", "u1"), Refresh("r1", "g1", "c1", "u1"), "").ok());
  auto stolen = s->RotateRefresh("r1", "c2", Refresh("r2", "", "c2", ""), kNow);
  REQUIRE_FALSE(stolen.ok());
  CHECK(stolen.error().code == "invalid_grant");
  CHECK(stolen.error().description.find("another client") != std::string::npos);
  CHECK_FALSE(s->GetLiveRefresh("r2", kNow)->has_value());
  CHECK(s->RotateRefresh("r1", "c1", Refresh("r3", "", "c1", ""), kNow).ok());
}

TEST_CASE("an expired refresh token is refused", "[store]") {
  auto s = Seeded();
  REQUIRE(s->CreateGrant(Grant("g1", "c1", "u1"), Refresh("r1", "g1", "c1", "u1", kNow + 100), "").ok());
  auto late = s->RotateRefresh("r1", "c1", Refresh("r2", "", "c1", ""), kNow + 100);
  REQUIRE_FALSE(late.ok());
  CHECK(late.error().description.find("expired") != std::string::npos);
  CHECK_FALSE(s->GetLiveRefresh("r1", kNow + 100)->has_value());
  CHECK(s->GetLiveRefresh("r1", kNow + 99)->has_value());
}

TEST_CASE("deleting a user deletes their grants, tokens and codes", "[store]") {
  auto s = Seeded();
  REQUIRE(s->CreateGrant(Grant("g1", "c1", "u1"), Refresh("r1", "g1", "c1", "u1"), "").ok());
  REQUIRE(s->SaveCode(Code("h1", "c1", "u1", kNow + 60)).ok());
  REQUIRE(s->DeleteUser("u1").ok());
  CHECK_FALSE(s->GetUser("u1")->has_value());
  CHECK_FALSE(s->GetGrant("g1")->has_value());
  CHECK_FALSE(s->GetLiveRefresh("r1", kNow)->has_value());
  CHECK_FALSE(s->RotateRefresh("r1", "c1", Refresh("r2", "", "c1", ""), kNow).ok());
  CHECK_FALSE(s->ConsumeCode("h1", kNow).ok());
  CHECK(s->DeleteUser("u1").error().code == "not_found");
}

TEST_CASE("deleting an application deletes its users, grants and codes", "[store]") {
  auto s = Seeded();
  REQUIRE(s->CreateGrant(Grant("g1", "c1", "u1"), Refresh("r1", "g1", "c1", "u1"), "").ok());
  REQUIRE(s->SaveCode(Code("h1", "c1", "u1", kNow + 60)).ok());
  REQUIRE(s->DeleteClient("c1").ok());
  CHECK_FALSE(s->GetUser("u1")->has_value());
  CHECK_FALSE(s->GetGrant("g1")->has_value());
  CHECK_FALSE(s->ConsumeCode("h1", kNow).ok());
  CHECK(s->GetClient("c2")->has_value());
}

TEST_CASE("purging drops expired codes and tokens but keeps spent ones for reuse detection", "[store]") {
  auto s = Seeded();
  REQUIRE(s->SaveCode(Code("old", "c1", "u1", kNow + 10)).ok());
  REQUIRE(s->SaveCode(Code("new", "c1", "u1", kNow + 1000)).ok());
  REQUIRE(s->CreateGrant(Grant("g1", "c1", "u1"), Refresh("r1", "g1", "c1", "u1", kNow + 500), "").ok());
  REQUIRE(s->RotateRefresh("r1", "c1", Refresh("r2", "", "c1", "", kNow + 500), kNow).ok());
  REQUIRE(s->CreateGrant(Grant("g2", "c1", "u1"), Refresh("x1", "g2", "c1", "u1", kNow + 20), "").ok());
  REQUIRE(s->PurgeExpired(kNow + 100).ok());
  CHECK(s->ConsumeCode("old", kNow).error().description.find("invalid") != std::string::npos);
  CHECK(s->ConsumeCode("new", kNow + 100).ok());
  // The spent r1 still triggers reuse detection after the purge.
  CHECK(s->RotateRefresh("r1", "c1", Refresh("r3", "", "c1", ""), kNow + 100).error().description.find(
            "already used") != std::string::npos);
  CHECK_FALSE(s->GetGrant("g1")->has_value());
  // A grant whose only token expired is gone.
  CHECK_FALSE(s->GetGrant("g2")->has_value());
}

TEST_CASE("signing keys: newest first, retiring all but one, deleting", "[store]") {
  auto s = OpenMemory();
  REQUIRE(s->SaveKey({"k1", "RS256", "pem1", kNow, 0}).ok());
  REQUIRE(s->SaveKey({"k2", "RS256", "pem2", kNow + 10, 0}).ok());
  REQUIRE(s->RetireKeysExcept("k2", kNow + 10).ok());
  auto keys = s->ListKeys();
  REQUIRE(keys.ok());
  REQUIRE(keys->size() == 2);
  CHECK((*keys)[0].kid == "k2");
  CHECK((*keys)[0].retired_at == 0);
  CHECK((*keys)[1].kid == "k1");
  CHECK((*keys)[1].retired_at == kNow + 10);
  CHECK((*keys)[1].private_pem == "pem1");
  REQUIRE(s->DeleteKey("k1").ok());
  CHECK(s->ListKeys()->size() == 1);
}

TEST_CASE("a connection sees what another connection committed to the same file", "[store]") {
  // Regression: single-row lookups left their statements on a row, which kept
  // a read transaction open and pinned the server to an old snapshot, so it
  // never saw applications, users or keys the CLI added.
  TempDb db;
  auto server = db.Open();
  auto cli = db.Open();
  REQUIRE(server->CreateClient(Client("c1")).ok());
  REQUIRE(server->CreateUser(User("u1", "c1", "a@example.com")).ok());
  auto v0 = server->DataVersion();
  REQUIRE(v0.ok());
  // Single-row lookups on the server connection, as a running server does.
  REQUIRE(server->GetClient("c1")->has_value());
  REQUIRE(server->GetUser("u1")->has_value());
  REQUIRE(server->CountClients().ok());

  // Another process (the CLI) adds an application, a user and a key.
  REQUIRE(cli->CreateClient(Client("c2")).ok());
  REQUIRE(cli->CreateUser(User("u2", "c2", "b@example.com")).ok());
  REQUIRE(cli->SaveKey({"k1", "RS256", "pem", kNow, 0}).ok());

  CHECK(server->DataVersion().value() != *v0);
  CHECK(server->GetClient("c2")->has_value());
  CHECK(server->FindUserByEmail("c2", "b@example.com")->has_value());
  CHECK(server->CountClients().value() == 2);
  CHECK(server->ListKeys()->size() == 1);
}

TEST_CASE("the store is safe to use from many threads at once", "[store]") {
  auto s = Seeded();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        std::string id = "t" + std::to_string(t) + "-" + std::to_string(i);
        if (!s->CreateUser(User(id, "c1", id + "@example.com")).ok()) ++failures;
        auto u = s->FindUserByEmail("c1", id + "@EXAMPLE.com");
        if (!u.ok() || !u->has_value() || (*u)->id != id) ++failures;
        if (!s->SaveCode(Code("code-" + id, "c1", id, kNow + 60)).ok()) ++failures;
        if (!s->ConsumeCode("code-" + id, kNow).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures == 0);
  CHECK(s->CountUsers("c1", "").value() == 1 + 8 * 50);
}

}  // namespace atm
