// Two SqliteStores on one database file, as the server and the CLI are: each
// sees what the other commits, at once (WAL mode, no snapshot left open).
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <latch>
#include <string>
#include <thread>

#include <SQLiteCpp/SQLiteCpp.h>

#include "store/sqlite_store.h"

namespace {

// A temporary folder, removed at the end of the test.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "atm-store-XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

atm::ClientRecord Client(const std::string& id) {
  return atm::ClientRecord{id, "App " + id, "", {"https://a.example.com/cb"}, false, false, 1, 1};
}

atm::UserRecord User(const std::string& id, const std::string& client_id, const std::string& email) {
  return atm::UserRecord{id, client_id, email, "$scrypt$x", "", "", false, 1, 1};
}

}  // namespace

TEST_CASE("a store sees another process's commits at once, even right after a read", "[store]") {
  TempDir dir;
  std::string file = (dir.path / "shared.db").string();
  auto server = atm::SqliteStore::Open({file, false, 2000}).value();
  auto cli = atm::SqliteStore::Open({file, false, 2000}).value();

  REQUIRE(server->CreateClient(Client("first")));
  // A read that stops on a row (the statement is not stepped to its end):
  // it must not pin the server to the snapshot it read.
  REQUIRE(server->GetClient("first")->has_value());

  REQUIRE(cli->CreateClient(Client("second")));
  REQUIRE(cli->CreateUser(User("u1", "second", "ann@example.com")));
  // Other statements than the one that read: they see the new rows.
  CHECK(server->FindUserByEmail("second", "ann@example.com")->has_value());
  CHECK(server->CountClients().value() == 2);
  CHECK(server->GetClient("second")->has_value());

  // And the other way round.
  REQUIRE(cli->FindUserByEmail("second", "ann@example.com")->has_value());
  REQUIRE(server->UpdateClient([] {
    auto c = Client("second");
    c.disabled = true;
    return c;
  }()));
  CHECK(cli->GetClient("second")->value().disabled);
}

TEST_CASE("lookups keep answering while a write waits for another process's lock", "[store]") {
  TempDir dir;
  std::string file = (dir.path / "shared.db").string();
  auto server = atm::SqliteStore::Open({file, false, 3000}).value();
  REQUIRE(server->CreateClient(Client("app")));
  REQUIRE(server->CreateUser(User("u1", "app", "ann@example.com")));

  // Another process holds the write lock: an open write transaction.
  SQLite::Database other(file, SQLite::OPEN_READWRITE);
  other.exec("BEGIN IMMEDIATE");
  std::atomic<bool> write_returned{false};
  std::thread writer([&] {
    // Waits up to the busy timeout (3 s) for the lock, then gives up.
    (void)server->CreateClient(Client("blocked"));
    write_returned = true;
  });
  // The server reads all the while the write waits: none queues behind it
  // (that would take most of the 3 s), each answers at once.
  auto slowest = std::chrono::steady_clock::duration::zero();
  bool answered = true;
  int reads = 0;
  while (!write_returned) {
    const auto start = std::chrono::steady_clock::now();
    answered = answered && server->GetClient("app")->has_value() &&
               server->FindUserByEmail("app", "ann@example.com")->has_value() && server->CountClients().value() == 1;
    slowest = std::max(slowest, std::chrono::steady_clock::now() - start);
    ++reads;
  }
  writer.join();
  INFO(reads << " rounds of reads");
  CHECK(answered);
  CHECK(slowest < std::chrono::milliseconds(1500));
  CHECK(server->CountClients().value() == 1);  // the write gave up
}

TEST_CASE("two processes opening a new database at once both get it migrated", "[store]") {
  for (int attempt = 0; attempt < 20; ++attempt) {
    TempDir dir;
    std::string file = (dir.path / "new.db").string();
    std::latch start(2);
    std::string errors[2];
    auto open = [&](int i) {
      start.arrive_and_wait();
      auto store = atm::SqliteStore::Open({file, false, 5000});
      if (!store) errors[i] = store.error().description;
    };
    std::thread a(open, 0), b(open, 1);
    a.join();
    b.join();
    INFO("attempt " << attempt << ": " << errors[0] << " / " << errors[1]);
    CHECK(errors[0].empty());
    CHECK(errors[1].empty());
    CHECK(atm::SqliteStore::Open({file, false, 5000}).value()->CountClients().value() == 0);
  }
}
