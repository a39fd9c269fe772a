#include "store/sqlite_impl.h"

#include <sqlite3.h>

#include <string>

#include "core/log.h"

namespace atm {

Error SqliteError(const char* what, const SQLite::Exception& e) {
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

std::unique_lock<std::mutex> SqliteStore::Impl::LockForReading(SqliteConnection*& chosen) {
  // The writer first, when it is free: its page cache stays valid, while a
  // reader's is discarded whenever the writer has committed since.
  chosen = &writer;
  std::unique_lock<std::mutex> lock(writer.mutex(), std::try_to_lock);
  if (lock.owns_lock()) return lock;
  if (readers.empty()) {
    lock.lock();
    return lock;
  }
  const size_t first = next_reader.fetch_add(1, std::memory_order_relaxed) % readers.size();
  for (size_t i = 0; i < readers.size(); ++i) {
    chosen = readers[(first + i) % readers.size()].get();
    lock = std::unique_lock<std::mutex>(chosen->mutex(), std::try_to_lock);
    if (lock.owns_lock()) return lock;
  }
  chosen = readers[first].get();
  return std::unique_lock<std::mutex>(chosen->mutex());
}

}  // namespace atm
