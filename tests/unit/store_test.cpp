// The store: the schema and its migrations, file databases (WAL, reopening,
// other connections) on SQLite; and on every backend ([backend]:
// support/test_store.h), applications, users with per-application unique
// emails, signing keys, and use from many threads.
#include <sqlite3.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "store/schema.h"
#include "store/sqlite_store.h"
#include "support/store_records.h"

namespace atm {
using namespace atm::testing;

TEST_CASE("opening a new database applies every migration and sets user_version", "[store]") {
  auto s = OpenMemory();
  CHECK(s->SchemaVersion().value() == static_cast<int>(SchemaMigrations().size()));
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
  CHECK(s->SchemaVersion().value() == static_cast<int>(SchemaMigrations().size()));
  auto c = s->GetClient("c1");
  REQUIRE(c.ok());
  REQUIRE(c->has_value());
  CHECK((*c)->redirect_urls == std::vector<std::string>{"https://app.example/cb", "http://localhost/cb"});
}

TEST_CASE("the schema version of a database that became unreadable is an error, not an exception", "[store]") {
  TempDb db;
  auto s = db.Open();
  REQUIRE(s->SchemaVersion().ok());
  // Another connection empties the write-ahead log into the file (so the
  // store must read the file again), then the file's header is overwritten.
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(db.path.c_str(), &raw) == SQLITE_OK);
  sqlite3_busy_timeout(raw, 1000);
  REQUIRE(sqlite3_exec(raw, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(raw);
  {
    std::fstream file(db.path, std::ios::in | std::ios::out | std::ios::binary);
    const std::string garbage(100, 'x');
    file.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  auto version = s->SchemaVersion();
  REQUIRE_FALSE(version.ok());
  CHECK(version.error().Is(ErrorCode::kServerError));
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

TEST_CASE("clients: create, read, update, list, count, delete", "[store][backend]") {
  auto s = OpenTestStore();
  REQUIRE(s->CreateClient(Client("c1")).ok());
  auto dup = s->CreateClient(Client("c1"));
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.error().Is(ErrorCode::kConflict));
  CHECK(dup.error().status() == 409);

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

  CHECK(s->UpdateClient(Client("missing")).error().Is(ErrorCode::kNotFound));
  REQUIRE(s->CreateClient(Client("c2")).ok());
  CHECK(s->CountClients().value() == 2);
  auto page = s->ListClients({1, 10});
  REQUIRE(page.ok());
  REQUIRE(page->size() == 1);
  REQUIRE(s->DeleteClient("c1").ok());
  CHECK_FALSE(s->GetClient("c1")->has_value());
  CHECK(s->DeleteClient("c1").error().Is(ErrorCode::kNotFound));
}

TEST_CASE("an edit made from a copy read before a secret change keeps the new secret", "[store][backend]") {
  // The admin console renaming an application while its secret is rotated
  // (or a user's names edited while the password changes): the edit must not
  // write the old secret back.
  auto s = Seeded();
  auto stale_client = s->GetClient("c1").value().value();
  auto stale_user = s->GetUser("u1").value().value();
  REQUIRE(s->SetClientSecret("c1", std::string(64, 'b'), kNow + 1).ok());
  REQUIRE(s->SetUserPassword("u1", "$scrypt$new", kNow + 1).ok());
  stale_client.name = "Renamed";
  stale_user.first_name = "Renamed";
  REQUIRE(s->UpdateClient(stale_client).ok());
  REQUIRE(s->UpdateUser(stale_user).ok());
  auto client = s->GetClient("c1").value().value();
  auto user = s->GetUser("u1").value().value();
  CHECK(client.name == "Renamed");
  CHECK(client.secret_hash == std::string(64, 'b'));
  CHECK(user.first_name == "Renamed");
  CHECK(user.password_hash == "$scrypt$new");
  CHECK(s->SetClientSecret("missing", "x", kNow).error().Is(ErrorCode::kNotFound));
  CHECK(s->SetUserPassword("missing", "x", kNow).error().Is(ErrorCode::kNotFound));
}

TEST_CASE("emails are unique per application, compared case-insensitively", "[store][backend]") {
  auto s = Seeded();
  auto dup = s->CreateUser(User("u2", "c1", "End.User13@GMAIL.com"));
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.error().Is(ErrorCode::kConflict));
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
  CHECK(s->UpdateUser(User("u4", "c1", "END.USER13@gmail.com")).error().Is(ErrorCode::kConflict));
}

TEST_CASE("a refused insert leaves the store working for the next one", "[store][backend]") {
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

TEST_CASE("a user cannot belong to an application that does not exist", "[store][backend]") {
  auto s = OpenTestStore();
  CHECK_FALSE(s->CreateUser(User("u1", "nope", "a@example.com")).ok());
}

TEST_CASE("listing users filters by email substring, with LIKE wildcards taken literally", "[store][backend]") {
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

TEST_CASE("lists come in byte order and emails fold ASCII letters only, whatever the database's locale",
          "[store][backend]") {
  // SQLite compares text byte by byte (BINARY) or with ASCII letters folded
  // (NOCASE); a PostgreSQL database in an en_US or ICU locale would sort
  // "[b]" after letters and fold "É" to "é".
  auto s = OpenTestStore();
  for (const char* id : {"b", "B", "_", "a"}) REQUIRE(s->CreateClient(Client(id)).ok());
  auto clients = s->ListClients({0, 10});
  REQUIRE(clients.ok());
  std::vector<std::string> ids;
  for (const auto& c : *clients) ids.push_back(c.id);
  CHECK(ids == std::vector<std::string>{"B", "_", "a", "b"});

  int n = 0;
  for (const char* email : {"Zed@x.org", "\xc3\xa9mile@x.org", "[b]@x.org", "beta@x.org", "Alpha@x.org"}) {
    REQUIRE(s->CreateUser(User("u" + std::to_string(++n), "a", email)).ok());
  }
  auto users = s->ListUsers("a", "", {0, 10});
  REQUIRE(users.ok());
  std::vector<std::string> emails;
  for (const auto& u : *users) emails.push_back(u.email);
  CHECK(emails ==
        std::vector<std::string>{"[b]@x.org", "Alpha@x.org", "beta@x.org", "Zed@x.org", "\xc3\xa9mile@x.org"});
  // "É" is not "é" to NOCASE: another user, found by its own spelling only.
  REQUIRE(s->CreateUser(User("u9", "a", "\xc3\x89mile@x.org")).ok());
  CHECK(s->FindUserByEmail("a", "\xc3\x89MILE@X.ORG").value().value().id == "u9");
  CHECK(s->FindUserByEmail("a", "ALPHA@x.org").value().value().id == "u5");
  CHECK(s->CountUsers("a", "ZED").value() == 1);
  CHECK(s->CountUsers("a", "\xc3\x89").value() == 1);

  REQUIRE(s->CreateAdmin({"a1", "root", "$scrypt$x", kNow, kNow}).ok());
  REQUIRE(s->CreateAdmin({"a2", "Ops", "$scrypt$x", kNow, kNow}).ok());
  REQUIRE(s->CreateAdmin({"a3", "_ci", "$scrypt$x", kNow, kNow}).ok());
  auto admins = s->ListAdmins();
  REQUIRE(admins.ok());
  std::vector<std::string> names;
  for (const auto& a : *admins) names.push_back(a.username);
  CHECK(names == std::vector<std::string>{"_ci", "Ops", "root"});
}

TEST_CASE("text that is not valid UTF-8, or holds a NUL, is stored or looked up without an error", "[store][backend]") {
  // A typed login name is cut at 254 bytes (perhaps inside a character) for
  // the audit trail; a NUL must not cut a lookup short (PostgreSQL would
  // refuse the first and drop what follows the second).
  auto s = Seeded();
  auto lookup = s->FindUserByEmail("c1", std::string("end.user13@gmail.com\0evil", 25));
  REQUIRE(lookup.ok());
  CHECK_FALSE(lookup->has_value());
  auto invalid = s->FindUserByEmail("c1", "\xff\xfe@gmail.com");
  REQUIRE(invalid.ok());
  CHECK_FALSE(invalid->has_value());
  AuditEvent e;
  e.at = kNow;
  e.kind = "signin";
  e.actor = std::string(253, 'x') + "\xc3";  // half of an "é"
  REQUIRE(s->AppendAudit(e).ok());
  auto events = s->ListAudit({}, {0, 10});
  REQUIRE(events.ok());
  REQUIRE(events->size() == 1);
  CHECK((*events)[0].actor.substr(0, 253) == std::string(253, 'x'));
}

TEST_CASE("signing keys: newest first, retiring all but one, deleting", "[store][backend]") {
  auto s = OpenTestStore();
  REQUIRE(s->InstallSigningKey({"k1", "RS256", "pem1", kNow, 0}, "").value());
  REQUIRE(s->InstallSigningKey({"k2", "RS256", "pem2", kNow + 10, 0}, "k1").value());
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

TEST_CASE("installing a signing key is a compare-and-set on the current one", "[store][backend]") {
  // Two nodes that both saw k1 rotate at once: exactly one key replaces it.
  auto s = OpenTestStore();
  REQUIRE(s->InstallSigningKey({"k1", "RS256", "pem1", kNow, 0}, "").value());
  CHECK_FALSE(s->InstallSigningKey({"k0", "RS256", "pem0", kNow, 0}, "").value());  // not empty any more
  CHECK(s->InstallSigningKey({"k2", "RS256", "pem2", kNow + 5, 0}, "k1").value());
  CHECK_FALSE(s->InstallSigningKey({"k3", "RS256", "pem3", kNow + 5, 0}, "k1").value());
  auto keys = s->ListKeys();
  REQUIRE(keys.ok());
  REQUIRE(keys->size() == 2);  // k0 and k3 left nothing behind
  CHECK((*keys)[0].kid == "k2");
  CHECK((*keys)[0].retired_at == 0);
  CHECK((*keys)[1].kid == "k1");
  CHECK((*keys)[1].retired_at == kNow + 5);
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
  REQUIRE(cli->InstallSigningKey({"k1", "RS256", "pem", kNow, 0}, "").value());

  CHECK(server->DataVersion().value() != *v0);
  CHECK(server->GetClient("c2")->has_value());
  CHECK(server->FindUserByEmail("c2", "b@example.com")->has_value());
  CHECK(server->CountClients().value() == 2);
  CHECK(server->ListKeys()->size() == 1);
}

TEST_CASE("the store is safe to use from many threads at once", "[store][backend]") {
  auto s = Seeded();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        std::string id = std::to_string(t) + "-" + std::to_string(i);
        if (!s->CreateUser(User(id, "c1", id + "@example.com")).ok()) ++failures;
        auto u = s->FindUserByEmail("c1", id + "@EXAMPLE.com");
        if (!u.ok() || !u->has_value() || (*u)->id != id) ++failures;
        if (!s->SaveCode(Code("code-" + id, "c1", id, kNow + 60)).ok()) ++failures;
        if (!s->FindUnusedCode("code-" + id, kNow).ok()) ++failures;
        if (!s->SpendCode("code-" + id, kNow).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures == 0);
  CHECK(s->CountUsers("c1", "").value() == 1 + 8 * 50);
}

}  // namespace atm
