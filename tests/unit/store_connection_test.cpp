// SqliteConnection: arguments bound in order, rows read left to right, and
// prepared statements cached by their SQL text.
#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "store/sqlite_connection.h"

namespace atm {
namespace {

std::unique_ptr<SqliteConnection> Memory() {
  return std::make_unique<SqliteConnection>(
      std::make_unique<SQLite::Database>(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE));
}

}  // namespace

TEST_CASE("a statement is found by its SQL text, not by the address of the text", "[store]") {
  auto c = Memory();
  std::string sql = "SELECT 1";
  CHECK(c->QueryOne(sql, ReadInt) == 1);
  sql.back() = '2';  // the same buffer now holds another statement
  CHECK(c->QueryOne(sql, ReadInt) == 2);
}

TEST_CASE("the same SQL text from two strings reuses one prepared statement", "[store]") {
  auto c = Memory();
  const std::string first = "SELECT ?";
  const std::string second = first;
  CHECK(&c->Prepare(first) == &c->Prepare(second));
}

TEST_CASE("Exec binds its arguments in order and returns the rows it changed", "[store]") {
  auto c = Memory();
  c->Exec("CREATE TABLE t (s TEXT, n INTEGER, b INTEGER)");
  CHECK(c->Exec("INSERT INTO t VALUES (?, ?, ?)", std::string("a"), int64_t{7}, true) == 1);
  CHECK(c->Exec("INSERT INTO t VALUES (?, ?, ?)", "b", 8, false) == 1);
  CHECK(c->Exec("UPDATE t SET n = n + 1") == 2);

  struct Row {
    std::string s;
    int64_t n;
    bool b;
  };
  auto rows = c->Query("SELECT s, n, b FROM t ORDER BY s", [](SqliteRow& r) {
    return Row{r.Text(), r.Int(), r.Bool()};
  });
  REQUIRE(rows.size() == 2);
  CHECK((rows[0].s == "a" && rows[0].n == 8 && rows[0].b));
  CHECK((rows[1].s == "b" && rows[1].n == 9 && !rows[1].b));
  CHECK_FALSE(c->QueryOne("SELECT n FROM t WHERE s = ?", ReadInt, "c").has_value());
}

}  // namespace atm
