// The store that the backend-agnostic store tests ([backend]) run against:
// SQLite in memory by default or, when ATM_TEST_PG_URL names a PostgreSQL
// database (tests/support/with_postgres.sh sets it), a PgStore in a fresh
// schema of its own, dropped with the store.
#pragma once

#include <memory>
#include <string>

#include "store/pg_store.h"
#include "store/store.h"

namespace atm::testing {

// Deletes the store, then drops its PostgreSQL schema (when it has one).
struct TestStoreDeleter {
  PgOptions pg;  // pg.schema is empty for SQLite
  void operator()(Store* store) const;
};
using TestStore = std::unique_ptr<Store, TestStoreDeleter>;

// ATM_TEST_PG_URL, or "" when the PostgreSQL tests are off.
std::string TestPgUrl();
// Options for a PgStore on ATM_TEST_PG_URL in a schema no other store of
// any test run has used, with a small pool.
PgOptions FreshPgOptions();
// Opens (REQUIRE) a PgStore with `options`; dropped with its schema when it
// owns it.
TestStore OpenPg(const PgOptions& options, bool owns_schema = true);

// A fresh, empty store of the backend under test.
TestStore OpenTestStore();

}  // namespace atm::testing
