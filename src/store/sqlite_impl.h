// The inside of SqliteStore, shared by the files that implement it (one per
// aggregate: sqlite_clients.cpp, sqlite_users.cpp, ...) and by nothing else:
// the writer connection, the reader connections of a file database, and the
// guard that every public entry point goes through.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/metrics.h"
#include "core/result.h"
#include "store/sqlite_connection.h"
#include "store/sqlite_store.h"
#include "store/wal_checkpointer.h"

namespace atm {

// What a SQLite exception means for the caller: a constraint is a conflict;
// a full disk, a read-only or failing file and a busy database are
// temporarily_unavailable (nothing was written); anything else is an opaque
// server_error. Logs all but the conflict, naming `what` was being done.
Error SqliteError(const char* what, const SQLite::Exception& e);

// Writes `event` (when not null) into the audit trail, in the caller's
// transaction (sqlite_audit.cpp).
void InsertAudit(SqliteConnection& db, const AuditEvent* event);

// Starts a grant (a redeemed code's or device request's) with its first
// refresh token, in the caller's transaction (sqlite_grants.cpp).
void InsertGrant(SqliteConnection& db, const GrantRecord& grant, const RefreshRecord& first);

// "<what> not found", for an update or delete that matched no row.
inline Error NotFound(const std::string& what) { return Error(ErrorCode::kNotFound, what + " not found"); }

// The store: the writer connection (every write, and reads that belong with
// one) plus, for a file database, reader connections. In WAL mode a reader
// never waits for the writer, so a lookup is not queued behind a commit's
// page writes. A `:memory:` database exists only on the connection that made
// it: it has no readers, and reads use the writer.
struct SqliteStore::Impl {
  explicit Impl(std::unique_ptr<SQLite::Database> db, int busy_timeout)
      : writer(std::move(db)), busy_timeout_ms(busy_timeout) {}

  SqliteConnection writer;
  const int busy_timeout_ms;
  // How long Run takes, the wait for the writer included.
  LatencyHistogram write_latency;
  std::unique_ptr<WalCheckpointer> checkpointer;  // file databases; stops before the writer closes
  std::vector<std::unique_ptr<SqliteConnection>> readers;
  std::atomic<unsigned> next_reader{0};
  // Whether SaveSnapshot attached its in-memory database to the writer.
  bool snapshot_attached = false;

  // Runs `fn(writer)` under the writer's lock.
  template <class Fn>
  auto Run(const char* what, Fn&& fn) -> decltype(fn(std::declval<SqliteConnection&>())) {
    const auto start = std::chrono::steady_clock::now();
    std::lock_guard<std::mutex> lock(writer.mutex());
    auto result = Guarded(what, [&] { return fn(writer); });
    write_latency.Observe(std::chrono::steady_clock::now() - start);
    return result;
  }

  // Runs `fn(connection)` on the writer if it is free, else on a reader
  // (the first one free, else the next in turn); with no readers, on the
  // writer once free. `fn` must only read.
  template <class Fn>
  auto Read(const char* what, Fn&& fn) -> decltype(fn(std::declval<SqliteConnection&>())) {
    SqliteConnection* c = nullptr;
    std::unique_lock<std::mutex> lock = LockForReading(c);
    return Guarded(what, [&] { return fn(*c); });
  }

 private:
  // Picks the connection for a read (see Read) and returns its lock.
  std::unique_lock<std::mutex> LockForReading(SqliteConnection*& chosen);

  // Calls `fn`, turning SQLite exceptions into error values.
  template <class Fn>
  static auto Guarded(const char* what, Fn&& fn) -> decltype(fn()) {
    try {
      return fn();
    } catch (const SQLite::Exception& e) {
      return SqliteError(what, e);
    }
  }
};

}  // namespace atm
