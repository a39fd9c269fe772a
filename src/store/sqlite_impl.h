// The inside of SqliteStore, shared by the files that implement it
// (sqlite_store.cpp, sqlite_admins.cpp) and by nothing else: the one
// connection, its mutex and its cache of prepared statements.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/log.h"
#include "store/sqlite_store.h"
#include "store/wal_checkpointer.h"

namespace atm {

struct SqliteStore::Impl {
  std::unique_ptr<SQLite::Database> db;
  std::unique_ptr<WalCheckpointer> checkpointer;  // file databases; stops before `db` closes
  std::mutex mutex;
  std::map<const char*, std::unique_ptr<SQLite::Statement>> statements;
  // Statements prepared during the current Run, reset when it ends.
  std::vector<SQLite::Statement*> in_use;

  // A prepared statement, reset and ready to bind. Caller holds `mutex`.
  SQLite::Statement& Prepare(const char* sql) {
    auto& slot = statements[sql];
    if (!slot) {
      slot = std::make_unique<SQLite::Statement>(*db, sql);
    } else {
      // tryReset, not reset: after a failed step, sqlite3_reset returns that
      // step's error again, and reset() would throw it here, failing every
      // later use of the statement (a duplicate insert made the next insert
      // report a conflict too).
      slot->tryReset();
      slot->clearBindings();
    }
    in_use.push_back(slot.get());
    return *slot;
  }

  // Resets every statement the current Run used. A statement left on a row
  // keeps its read transaction open, and in WAL mode that pins the
  // connection to an old snapshot: the server would not see what the CLI
  // (another process) commits until that statement happened to be reused.
  struct ResetInUse {
    Impl& impl;
    ~ResetInUse() {
      for (SQLite::Statement* s : impl.in_use) s->tryReset();
      impl.in_use.clear();
    }
  };

  // Runs `fn` under the lock, turning SQLite exceptions into error values.
  template <class Fn>
  auto Run(const char* what, Fn&& fn) -> decltype(fn()) {
    std::lock_guard<std::mutex> lock(mutex);
    ResetInUse reset{*this};
    try {
      return fn();
    } catch (const SQLite::Exception& e) {
      const int code = e.getErrorCode() & 0xff;  // the primary result code
      if (code == SQLITE_CONSTRAINT) {
        return Error("conflict", "already exists", "", 409);
      }
      Log(LogLevel::kError, std::string("storage: ") + what + ": " + e.what() + " (SQLite code " +
                                std::to_string(e.getExtendedErrorCode()) + ")");
      // The database cannot take writes for now: nothing was written (the
      // transaction rolled back), and the client may retry later.
      switch (code) {
        case SQLITE_FULL:
          return Error("temporarily_unavailable", "the server cannot store data: its disk is full", "", 503);
        case SQLITE_READONLY:
        case SQLITE_IOERR:
        case SQLITE_CANTOPEN:
          return Error("temporarily_unavailable",
                       "the server cannot write to its database (read-only or I/O error)", "", 503);
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
          return Error("temporarily_unavailable", "the database is busy, try again", "", 503);
        default:
          return ServerError("storage failure");
      }
    }
  }
};

}  // namespace atm
