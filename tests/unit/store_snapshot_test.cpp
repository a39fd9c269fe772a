// A running server and the CLI share one database file through separate
// connections: each must see what the other commits (atm keys rotate reaches
// the server through PRAGMA data_version and a fresh read).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "store/sqlite_store.h"

using namespace atm;

TEST_CASE("a store connection sees another connection's commits after any read") {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("atm-snapshot-" + std::to_string(::getpid()) + ".db")).string();
  std::filesystem::remove(path);
  {
    auto server = SqliteStore::Open({path, false, 1000}).value();
    auto cli = SqliteStore::Open({path, false, 1000}).value();
    ClientRecord c;
    c.id = "first";
    c.name = "First";
    c.redirect_urls = {"https://a.example/cb"};
    REQUIRE(server->CreateClient(c));
    // A read that returns a row: its statement must not keep the snapshot open.
    REQUIRE(server->GetClient("first").value());
    const int64_t version = server->DataVersion().value();
    c.id = "second";
    REQUIRE(cli->CreateClient(c));
    CHECK(server->CountClients().value() == 2);
    CHECK(server->DataVersion().value() != version);
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}
