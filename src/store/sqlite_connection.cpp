#include "store/sqlite_connection.h"

namespace atm {

SQLite::Statement& SqliteConnection::Prepare(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    std::string text(sql);
    auto statement = std::make_unique<SQLite::Statement>(*db_, text);
    return *statements_.emplace(std::move(text), std::move(statement)).first->second;
  }
  SQLite::Statement& statement = *it->second;
  // tryReset, not reset: after a failed step, sqlite3_reset returns that
  // step's error again, and reset() would throw it here, failing every later
  // use of the statement (a duplicate insert made the next insert report a
  // conflict too).
  statement.tryReset();
  statement.clearBindings();
  return statement;
}

}  // namespace atm
