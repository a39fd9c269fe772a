// Store on PostgreSQL (storage.url = "postgres://..."), for several atm nodes
// on one database (docs/SCALING.md). The same Store contract as SqliteStore,
// plus the shared sign-in throttle counters (ThrottleStore). All SQL lives in
// its files, one per aggregate (pg_clients.cpp, pg_users.cpp, pg_grants.cpp,
// pg_device_codes.cpp, pg_keys.cpp, pg_admins.cpp, pg_audit.cpp,
// pg_throttle.cpp; connecting, migrating and purging in pg_store.cpp), with
// bound parameters only (pg_connection.h).
//
// Connections: a pool of `pool_size` libpq connections; a call takes one for
// its transaction and gives it back. A connection the server dropped is
// replaced on the next call, so atm recovers by itself when PostgreSQL comes
// back. While the database cannot be reached, calls fail with
// temporarily_unavailable (503), never server_error.
// Concurrency across nodes comes from the database: single-use codes and
// refresh rotation are conditional UPDATEs (one wins), migrations and key
// installs take an advisory lock.
#pragma once

#include <memory>
#include <string>

#include "core/metrics.h"
#include "store/store.h"
#include "store/throttle_store.h"

namespace atm {

struct PgOptions {
  // A libpq connection URI, postgres:// or postgresql://. What it leaves out
  // comes from the PG* environment variables (PGHOST, PGPORT, PGUSER,
  // PGPASSWORD, PGDATABASE, PGSSLMODE, PGSSLROOTCERT, ...) and ~/.pgpass.
  std::string url;
  int pool_size = 8;
  int connect_timeout_s = 5;
  // A schema of its own ("" : the connection's default search_path): created
  // when missing. The tests give each store a fresh one.
  std::string schema;
};

// Whether `url` names a PostgreSQL database rather than a SQLite file.
bool IsPostgresUrl(const std::string& url);
// `url` with its password replaced by "***", for logs and error messages.
std::string RedactPostgresUrl(const std::string& url);

class PgStore final : public Store, public ThrottleStore {
 public:
  // Connects, then migrates the schema (one node at a time).
  static Result<std::unique_ptr<PgStore>> Open(const PgOptions& options);
  ~PgStore() override;
  PgStore(const PgStore&) = delete;
  PgStore& operator=(const PgStore&) = delete;

  // Readiness: one round trip; temporarily_unavailable when the database is away.
  Status Ping();
  // The number of migrations this atm knows, and how many the database has.
  static int LatestSchemaVersion();
  Result<int> SchemaVersion();

  struct Impl;

 private:
  explicit PgStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace atm
