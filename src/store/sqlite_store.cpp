// SqliteStore: opening and migrating the database, its reader connections,
// and what spans every aggregate (purging, versions, integrity).
#include "store/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include "core/log.h"
#include "store/schema.h"
#include "store/sqlite_impl.h"

namespace atm {

SqliteStore::SqliteStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteStore::~SqliteStore() = default;

namespace {

// Brings the schema to the latest migration. A database from a newer atm is
// refused.
Status Migrate(SQLite::Database& db, const std::string& path) {
  const auto& migrations = SchemaMigrations();
  const int latest = static_cast<int>(migrations.size());
  auto newer = [&](int version) {
    return Error(ErrorCode::kInvalidConfig, path + ": the database schema (version " + std::to_string(version) +
                                                ") is newer than this atm understands; upgrade atm");
  };
  int version = db.execAndGet("PRAGMA user_version").getInt();
  if (version > latest) return newer(version);
  if (version == latest) return Ok();
  // One write transaction, in which the version is read again: of two
  // processes opening a new database at once, the second waits and then
  // finds it migrated. The caller turns foreign keys on afterwards, as
  // SQLite's table-rebuild procedure needs (dropping a parent table would
  // delete its children).
  SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
  version = db.execAndGet("PRAGMA user_version").getInt();
  if (version > latest) return newer(version);
  for (int v = version; v < latest; ++v) {
    db.exec(std::string(migrations[v]));
    db.exec("PRAGMA user_version=" + std::to_string(v + 1));
  }
  tx.commit();
  return Ok();
}

// A reader connection per core (at most 4), each with a small page cache.
void OpenReaders(SqliteStore::Impl& impl, const SqliteOptions& options) {
  const unsigned count = std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
  for (unsigned i = 0; i < count; ++i) {
    auto db = std::make_unique<SQLite::Database>(options.path, SQLite::OPEN_READWRITE | SQLite::OPEN_FULLMUTEX,
                                                 options.busy_timeout_ms);
    db->exec("PRAGMA query_only=ON");
    db->exec("PRAGMA cache_size=-1024");
    impl.readers.push_back(std::make_unique<SqliteConnection>(std::move(db)));
  }
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const SqliteOptions& options) {
  // A new database that another process is setting up at this moment
  // (switching it to WAL, migrating it) can answer "busy" without waiting:
  // opening is retried until the busy timeout.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options.busy_timeout_ms);
  for (;;) {
    try {
      auto impl = std::make_unique<Impl>(
          std::make_unique<SQLite::Database>(options.path,
                                             SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_FULLMUTEX,
                                             options.busy_timeout_ms),
          options.busy_timeout_ms);
      SQLite::Database& db = impl->writer.db();
      bool wal = false;
      if (options.path != ":memory:") {
        std::string mode = db.execAndGet("PRAGMA journal_mode=WAL").getString();
        wal = mode == "wal";
        if (!wal) Log(LogLevel::kWarn, "storage: WAL mode unavailable, using " + mode);
      }
      db.exec(options.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
      // Deleted and overwritten content is zeroed, not left in free pages: a
      // signing key encrypted in place leaves no plaintext copy behind.
      db.exec("PRAGMA secure_delete=ON");
      if (auto migrated = Migrate(db, options.path); !migrated) return migrated.error();
      db.exec("PRAGMA foreign_keys=ON");
      if (wal) {
        OpenReaders(*impl, options);
        std::string error;
        impl->checkpointer = WalCheckpointer::Start(db.getHandle(), options.path, options.synchronous_full, &error);
        // Without it SQLite's own autocheckpoint stays: slower, not wrong.
        if (!impl->checkpointer) Log(LogLevel::kWarn, "storage: no background checkpoints: " + error);
      }
      return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(impl)));
    } catch (const SQLite::Exception& e) {
      if ((e.getErrorCode() & 0xff) == SQLITE_BUSY && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        continue;
      }
      return Error(ErrorCode::kInvalidConfig, options.path + ": cannot open the database: " + e.what());
    }
  }
}

const LatencyHistogram& SqliteStore::write_latency() const { return impl_->write_latency; }

Status SqliteStore::ProbeWrite(int64_t now, int timeout_ms) {
  return impl_->Run("readiness write", [&](SqliteConnection& db) -> Status {
    // Waits at most `timeout_ms` for a lock another process holds, then
    // gives the writer its own busy timeout back.
    db.db().setBusyTimeout(timeout_ms);
    struct Restore {
      SqliteConnection& db;
      int ms;
      ~Restore() { db.db().setBusyTimeout(ms); }
    } restore{db, impl_->busy_timeout_ms};
    db.Exec("INSERT INTO health_probe (id, checked_at) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET checked_at = ?", now,
            now);
    return Ok();
  });
}

int SqliteStore::LatestSchemaVersion() { return static_cast<int>(SchemaMigrations().size()); }

int64_t SqliteStore::WalFrames() const { return impl_->checkpointer ? impl_->checkpointer->frames() : 0; }

Result<int> SqliteStore::SchemaVersion() {
  return impl_->Run("schema version", [&](SqliteConnection& db) -> Result<int> {
    return static_cast<int>(db.QueryOne("PRAGMA user_version", ReadInt).value_or(0));
  });
}

Result<std::string> SqliteStore::IntegrityCheck() {
  return impl_->Run("integrity_check", [&](SqliteConnection& db) -> Result<std::string> {
    return db.QueryOne("PRAGMA integrity_check", [](SqliteRow& row) { return row.Text(); }).value_or("");
  });
}

Result<int64_t> SqliteStore::DataVersion() {
  return impl_->Run("data_version", [&](SqliteConnection& db) -> Result<int64_t> {
    return db.QueryOne("PRAGMA data_version", ReadInt).value_or(0);
  });
}

Status SqliteStore::PurgeExpired(int64_t now) {
  return impl_->Run("purge expired", [&](SqliteConnection& db) -> Status {
    SQLite::Transaction tx(db.db());
    db.Exec("DELETE FROM auth_codes WHERE expires_at <= ?", now);
    db.Exec("DELETE FROM device_codes WHERE expires_at <= ?", now);
    // A used refresh token is kept until it would have expired, for reuse detection.
    db.Exec("DELETE FROM refresh_tokens WHERE expires_at <= ?", now);
    db.Exec("DELETE FROM revoked_access_tokens WHERE expires_at <= ?", now);
    db.Exec("DELETE FROM admin_sessions WHERE expires_at <= ?", now);
    db.Exec(
        "DELETE FROM grants WHERE NOT EXISTS "
        "(SELECT 1 FROM refresh_tokens WHERE refresh_tokens.grant_id = grants.id)");
    tx.commit();
    return Ok();
  });
}

}  // namespace atm
