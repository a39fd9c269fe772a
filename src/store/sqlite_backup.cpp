// SqliteStore::Backup: sqlite3_backup_* from a read-only connection on the
// live database to a temporary file, then fsync, rename, fsync of the folder.
// SqliteStore::Restore: the same API the other way, into the database under
// an exclusive lock, in one transaction.
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "store/schema.h"
#include "store/sqlite_store.h"

namespace atm {
namespace {

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, CloseDb>;

struct FinishBackup {
  void operator()(sqlite3_backup* b) const { sqlite3_backup_finish(b); }
};

Error BackupError(const std::string& what) { return Error(ErrorCode::kServerError, what); }

std::string Message(sqlite3* db) { return db ? sqlite3_errmsg(db) : "out of memory"; }

Status SyncPath(const std::string& path, int flags) {
  int fd = open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return BackupError("cannot open " + path + ": " + std::strerror(errno));
  const int rc = fsync(fd);
  const int saved = errno;
  close(fd);
  if (rc != 0) return BackupError("cannot sync " + path + ": " + std::strerror(saved));
  return Ok();
}

std::string Folder(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Copies `src` into `dst` page step by page step, in one read transaction on
// `src` (one snapshot: the backup never restarts because of a write).
Result<BackupReport> Copy(sqlite3* src, sqlite3* dst, const BackupOptions& options) {
  // A deferred BEGIN takes its read snapshot at the first read.
  if (sqlite3_exec(src, "BEGIN; SELECT COUNT(*) FROM sqlite_master;", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return BackupError("cannot read the database: " + Message(src));
  }
  struct EndRead {
    sqlite3* db;
    ~EndRead() { sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr); }
  } end_read{src};
  std::unique_ptr<sqlite3_backup, FinishBackup> backup(sqlite3_backup_init(dst, "main", src, "main"));
  if (!backup) return BackupError("cannot start the backup: " + Message(dst));
  BackupReport report;
  // Busy (another process recovering the WAL, say) is waited out, for at
  // most 10 s in a row.
  constexpr auto kMaxBusy = std::chrono::seconds(10);
  auto busy_since = std::chrono::steady_clock::time_point::max();
  for (;;) {
    const int rc = sqlite3_backup_step(backup.get(), options.pages_per_step);
    ++report.steps;
    if (rc == SQLITE_DONE) break;
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
      const auto now = std::chrono::steady_clock::now();
      if (busy_since == std::chrono::steady_clock::time_point::max()) busy_since = now;
      if (now - busy_since > kMaxBusy) return BackupError("the database stayed busy for 10 s: try again");
    } else if (rc == SQLITE_OK) {
      busy_since = std::chrono::steady_clock::time_point::max();
    } else {
      return BackupError(std::string("the backup failed: ") + sqlite3_errstr(rc));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(options.pause_ms));
  }
  report.pages = sqlite3_backup_pagecount(backup.get());
  const int rc = sqlite3_backup_finish(backup.release());
  if (rc != SQLITE_OK) return BackupError(std::string("the backup failed: ") + sqlite3_errstr(rc));
  sqlite3_stmt* page_size = nullptr;
  if (sqlite3_prepare_v2(dst, "PRAGMA page_size", -1, &page_size, nullptr) == SQLITE_OK &&
      sqlite3_step(page_size) == SQLITE_ROW) {
    report.bytes = report.pages * sqlite3_column_int64(page_size, 0);
  }
  sqlite3_finalize(page_size);
  return report;
}

}  // namespace

Result<BackupReport> SqliteStore::Backup(const std::string& source, const std::string& dest,
                                         const BackupOptions& options) {
  sqlite3* raw = nullptr;
  const int opened = sqlite3_open_v2(source.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  Db src(raw);
  if (opened != SQLITE_OK) return BackupError("cannot open " + source + ": " + Message(src.get()));
  sqlite3_busy_timeout(src.get(), 5000);

  // The copy is made beside `dest` (a rename stays in one file system),
  // created here with mode 0600: it holds the signing keys.
  const std::string temp = dest + ".tmp-" + std::to_string(getpid());
  int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return BackupError("cannot create " + temp + ": " + std::strerror(errno));
  close(fd);
  struct RemoveOnFailure {
    const std::string& path;
    bool keep = false;
    ~RemoveOnFailure() {
      if (!keep) {
        unlink(path.c_str());
        unlink((path + "-journal").c_str());
      }
    }
  } cleanup{temp};

  raw = nullptr;
  const int created = sqlite3_open_v2(temp.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
  Db dst(raw);
  if (created != SQLITE_OK) return BackupError("cannot open " + temp + ": " + Message(dst.get()));
  sqlite3_exec(dst.get(), "PRAGMA synchronous=FULL", nullptr, nullptr, nullptr);
  auto report = Copy(src.get(), dst.get(), options);
  if (!report) return report.error();
  if (sqlite3_close_v2(dst.release()) != SQLITE_OK) return BackupError("cannot close " + temp);
  if (auto s = SyncPath(temp, O_RDONLY); !s) return s.error();
  if (rename(temp.c_str(), dest.c_str()) != 0) {
    return BackupError("cannot rename " + temp + " to " + dest + ": " + std::strerror(errno));
  }
  cleanup.keep = true;
  if (auto s = SyncPath(Folder(dest), O_RDONLY | O_DIRECTORY); !s) return s.error();
  return report;
}

namespace {

// The text of the first column of the first row of `sql`, or nullopt.
std::optional<std::string> QueryText(sqlite3* db, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  std::optional<std::string> out;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
    const unsigned char* text = sqlite3_column_text(stmt, 0);
    out = text ? reinterpret_cast<const char*>(text) : "";
  }
  sqlite3_finalize(stmt);
  return out;
}

// A backup file atm can restore: sound, with atm's tables, at a schema this
// atm knows.
Status CheckBackupFile(sqlite3* db, const std::string& path) {
  auto integrity = QueryText(db, "PRAGMA integrity_check");
  if (!integrity) {
    return InvalidRequest(path + " is not a SQLite database: " + sqlite3_errmsg(db), "backup");
  }
  if (*integrity != "ok") return InvalidRequest(path + " is damaged: integrity_check says " + *integrity, "backup");
  const int version = std::stoi(QueryText(db, "PRAGMA user_version").value_or("0"));
  const int latest = static_cast<int>(SchemaMigrations().size());
  auto keys = QueryText(db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'signing_keys'");
  if (version < 1 || keys.value_or("0") != "1") return InvalidRequest(path + " is not an atm database", "backup");
  if (version > latest) {
    return InvalidRequest(path + " is from a newer atm (schema " + std::to_string(version) + ", this atm knows " +
                              std::to_string(latest) + "): upgrade atm",
                          "backup");
  }
  return Ok();
}

}  // namespace

Result<BackupReport> SqliteStore::Restore(const std::string& backup, const std::string& dest) {
  sqlite3* raw = nullptr;
  const int opened = sqlite3_open_v2(backup.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  Db src(raw);
  if (opened != SQLITE_OK) return InvalidRequest("cannot open " + backup + ": " + Message(src.get()), "backup");
  if (auto s = CheckBackupFile(src.get(), backup); !s) return s.error();

  int fd = open(dest.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);  // a new database is the owner's only
  if (fd < 0) return BackupError("cannot open " + dest + ": " + std::strerror(errno));
  close(fd);
  raw = nullptr;
  const int created = sqlite3_open_v2(dest.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
  Db dst(raw);
  if (created != SQLITE_OK) return BackupError("cannot open " + dest + ": " + Message(dst.get()));
  // Exclusive locking mode keeps the lock after the empty transaction: no
  // other connection can open the database until this one closes. A server
  // holds a shared lock on it all along, so this fails at once while one runs.
  sqlite3_busy_timeout(dst.get(), 0);
  const int locked =
      sqlite3_exec(dst.get(), "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;", nullptr, nullptr, nullptr);
  if (locked == SQLITE_BUSY || locked == SQLITE_LOCKED) {
    return Error(ErrorCode::kConflict,
                 dest + " is in use (a server or another atm command has it open): stop it, then restore");
  }
  if (locked != SQLITE_OK) return BackupError("cannot lock " + dest + ": " + Message(dst.get()));
  sqlite3_exec(dst.get(), "PRAGMA synchronous=FULL", nullptr, nullptr, nullptr);
  std::unique_ptr<sqlite3_backup, FinishBackup> copy(sqlite3_backup_init(dst.get(), "main", src.get(), "main"));
  if (!copy) return BackupError("cannot start the restore: " + Message(dst.get()));
  const int rc = sqlite3_backup_step(copy.get(), -1);  // all pages: one transaction
  BackupReport report;
  report.steps = 1;
  report.pages = sqlite3_backup_pagecount(copy.get());
  if (rc != SQLITE_DONE) return BackupError(std::string("the restore failed: ") + sqlite3_errstr(rc));
  if (sqlite3_backup_finish(copy.release()) != SQLITE_OK)
    return BackupError("the restore failed: " + Message(dst.get()));
  report.bytes = report.pages * std::stoll(QueryText(dst.get(), "PRAGMA page_size").value_or("0"));
  if (sqlite3_close_v2(dst.release()) != SQLITE_OK) return BackupError("cannot close " + dest);
  return report;
}

}  // namespace atm
