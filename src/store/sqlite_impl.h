// The inside of SqliteStore, shared by the files that implement it
// (sqlite_store.cpp, sqlite_admins.cpp) and by nothing else: the writer
// connection, the reader connections of a file database, and for each its
// mutex and its cache of prepared statements.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/log.h"
#include "store/sqlite_store.h"
#include "store/wal_checkpointer.h"

namespace atm {

// One connection, used by one thread at a time (under `mutex`).
struct SqliteConnection {
  std::unique_ptr<SQLite::Database> db;
  std::mutex mutex;
  std::map<const char*, std::unique_ptr<SQLite::Statement>> statements;
  // Statements prepared during the current call, reset when it ends.
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

  // Resets every statement the current call used. A statement left on a row
  // keeps its read transaction open, and in WAL mode that pins the
  // connection to an old snapshot: the server would not see what the CLI
  // (another process) commits until that statement happened to be reused.
  struct ResetInUse {
    SqliteConnection& connection;
    ~ResetInUse() {
      for (SQLite::Statement* s : connection.in_use) s->tryReset();
      connection.in_use.clear();
    }
  };
};

// The store: the writer connection (every write, and reads that belong with
// one) plus, for a file database, reader connections. In WAL mode a reader
// never waits for the writer, so a lookup is not queued behind a commit's
// page writes. A `:memory:` database exists only on the connection that made
// it: it has no readers, and reads use the writer.
struct SqliteStore::Impl : SqliteConnection {
  std::unique_ptr<WalCheckpointer> checkpointer;  // file databases; stops before `db` closes
  std::vector<std::unique_ptr<SqliteConnection>> readers;
  std::atomic<unsigned> next_reader{0};

  // Runs `fn` on the writer connection, under its lock.
  template <class Fn>
  auto Run(const char* what, Fn&& fn) -> decltype(fn()) {
    std::lock_guard<std::mutex> lock(mutex);
    ResetInUse reset{*this};
    return Guarded(what, fn);
  }

  // Runs `fn(connection)` on the writer if it is free, else on a reader
  // (the first one free, else the next in turn); with no readers, on the
  // writer once free. `fn` must only read.
  template <class Fn>
  auto Read(const char* what, Fn&& fn) -> decltype(fn(std::declval<SqliteConnection&>())) {
    // The writer first, when it is free: its page cache stays valid, while a
    // reader's is discarded whenever the writer has committed since.
    SqliteConnection* c = this;
    std::unique_lock<std::mutex> lock(mutex, std::try_to_lock);
    if (!lock.owns_lock() && !readers.empty()) {
      const size_t first = next_reader.fetch_add(1, std::memory_order_relaxed) % readers.size();
      for (size_t i = 0; i < readers.size() && !lock.owns_lock(); ++i) {
        c = readers[(first + i) % readers.size()].get();
        lock = std::unique_lock<std::mutex>(c->mutex, std::try_to_lock);
      }
      if (!lock.owns_lock()) {
        c = readers[first].get();
        lock = std::unique_lock<std::mutex>(c->mutex);
      }
    } else if (!lock.owns_lock()) {
      lock = std::unique_lock<std::mutex>(mutex);
    }
    ResetInUse reset{*c};
    return Guarded(what, [&] { return fn(*c); });
  }

 private:
  // Calls `fn`, turning SQLite exceptions into error values.
  template <class Fn>
  static auto Guarded(const char* what, Fn&& fn) -> decltype(fn()) {
    try {
      return fn();
    } catch (const SQLite::Exception& e) {
      const int code = e.getErrorCode() & 0xff;  // the primary result code
      if (code == SQLITE_CONSTRAINT) {
        return Error(ErrorCode::kConflict, "already exists").WithDetail(e.what());
      }
      Log(LogLevel::kError, std::string("storage: ") + what + ": " + e.what() + " (SQLite code " +
                                std::to_string(e.getExtendedErrorCode()) + ")");
      // The database cannot take writes for now: nothing was written (the
      // transaction rolled back), and the client may retry later.
      switch (code) {
        case SQLITE_FULL:
          return Error(ErrorCode::kTemporarilyUnavailable, "the server cannot store data: its disk is full");
        case SQLITE_READONLY:
        case SQLITE_IOERR:
        case SQLITE_CANTOPEN:
          return Error(ErrorCode::kTemporarilyUnavailable,
                       "the server cannot write to its database (read-only or I/O error)");
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
          return Error(ErrorCode::kTemporarilyUnavailable, "the database is busy, try again");
        default:
          return ServerError("storage failure").WithDetail(e.what());
      }
    }
  }
};

}  // namespace atm
