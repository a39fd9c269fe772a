// SqliteStore: a copy of the database's rows, kept in an in-memory database
// attached to the writer connection, and putting them back (the test-control
// API's reset). The signing keys are not part of it: they stay as they are,
// so that tokens signed before a reset still verify after it.
#include <string>
#include <vector>

#include "store/sqlite_impl.h"

namespace atm {
namespace {

constexpr const char* kKept = "signing_keys";

// The tables of the main database (the schema's own names, quoted), but the kept one.
std::vector<std::string> Tables(SQLite::Database& db) {
  std::vector<std::string> out;
  SQLite::Statement q(db,
                      "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                      "AND name <> ? ORDER BY name");
  q.bind(1, kKept);
  while (q.executeStep()) out.push_back("\"" + q.getColumn(0).getString() + "\"");
  return out;
}

}  // namespace

Status SqliteStore::SaveSnapshot() {
  return impl_->Run("save snapshot", [&](SqliteConnection& c) -> Status {
    SQLite::Database& db = c.db();
    if (!impl_->snapshot_attached) {
      db.exec("ATTACH DATABASE ':memory:' AS snapshot");
      impl_->snapshot_attached = true;
    }
    SQLite::Transaction tx(db);
    for (const auto& t : Tables(db)) {
      db.exec("DROP TABLE IF EXISTS snapshot." + t);
      db.exec("CREATE TABLE snapshot." + t + " AS SELECT * FROM main." + t);
    }
    tx.commit();
    return Ok();
  });
}

Status SqliteStore::RestoreSnapshot() {
  return impl_->Run("restore snapshot", [&](SqliteConnection& c) -> Status {
    if (!impl_->snapshot_attached) return Error(ErrorCode::kServerError, "no snapshot was saved");
    SQLite::Database& db = c.db();
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    db.exec("PRAGMA defer_foreign_keys = ON");  // the rows come back in any order
    const auto tables = Tables(db);
    for (const auto& t : tables) db.exec("DELETE FROM main." + t);
    for (const auto& t : tables) db.exec("INSERT INTO main." + t + " SELECT * FROM snapshot." + t);
    tx.commit();
    return Ok();
  });
}

}  // namespace atm
