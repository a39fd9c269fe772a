#include "support/test_store.h"

#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <random>

#include "store/sqlite_store.h"

namespace atm::testing {

void TestStoreDeleter::operator()(Store* store) const {
  delete store;
  if (!pg.schema.empty()) {
    auto dropped = PgStore::DropSchema(pg);
    if (!dropped) WARN("could not drop the test schema " << pg.schema << ": " << dropped.error().description);
  }
}

std::string TestPgUrl() {
  const char* url = std::getenv("ATM_TEST_PG_URL");
  return url ? url : "";
}

PgOptions FreshPgOptions() {
  static std::atomic<int> counter{0};
  static const unsigned salt = std::random_device{}();
  PgOptions options;
  options.url = TestPgUrl();
  options.pool_size = 4;
  options.schema =
      "atm_test_" + std::to_string(::getpid()) + "_" + std::to_string(salt % 100000) + "_" + std::to_string(++counter);
  return options;
}

TestStore OpenPg(const PgOptions& options, bool owns_schema) {
  auto store = PgStore::Open(options);
  if (!store) FAIL(store.error().description);
  PgOptions drop = options;
  if (!owns_schema) drop.schema.clear();
  return TestStore(store->release(), TestStoreDeleter{drop});
}

TestStore OpenTestStore() {
  if (!TestPgUrl().empty()) return OpenPg(FreshPgOptions());
  auto store = SqliteStore::Open({":memory:", false, 1000});
  REQUIRE(store.ok());
  return TestStore(store->release(), TestStoreDeleter{});
}

}  // namespace atm::testing
