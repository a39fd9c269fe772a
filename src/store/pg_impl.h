// The inside of PgStore, shared by the files that implement it (one per
// aggregate: pg_clients.cpp, pg_users.cpp, ...) and by nothing else: the
// connection pool and the guard that every public entry point goes through.
#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "store/pg_connection.h"
#include "store/pg_store.h"

namespace atm {

// The schema as an ordered list of migrations (pg_schema.cpp); the
// schema_migrations table records which ran. A released migration is never
// edited, only followed by a new one.
const std::vector<std::string_view>& PgSchemaMigrations();
// The field a constraint of that schema guards ("email" for the unique
// email of a user), or "" (pg_schema.cpp).
std::string PgConstraintField(const std::string& constraint);

// What a PgFailure means for the caller: a lost connection is
// temporarily_unavailable ("the database is unavailable"); a constraint is a
// conflict (naming the field when the constraint guards one); a busy, full or
// read-only server is temporarily_unavailable too; anything else an opaque
// server_error. Logs all but the conflict, naming `what` was being done, and
// never a parameter value (pg_store.cpp).
Error PgError(const char* what, const PgFailure& failure);
// An exception that is not PgFailure (out of memory): logged, server_error.
Error PgUnexpected(const char* what, const std::exception& e);

// Writes `event` (when not null) into the audit trail, in the caller's
// transaction (pg_audit.cpp).
void InsertAudit(PgConnection& db, const AuditEvent* event);

// Starts a grant (a redeemed code's or device request's) with its first
// refresh token, in the caller's transaction (pg_grants.cpp).
void InsertGrant(PgConnection& db, const GrantRecord& grant, const RefreshRecord& first);

// "<what> not found", for an update or delete that matched no row.
inline Error PgNotFound(const std::string& what) { return Error(ErrorCode::kNotFound, what + " not found"); }

// A page as LIMIT and OFFSET: SQLite reads a negative limit as none and a
// negative offset as 0, where PostgreSQL refuses both.
inline int64_t PgLimit(const Page& page) { return page.limit < 0 ? std::numeric_limits<int64_t>::max() : page.limit; }
inline int64_t PgOffset(const Page& page) { return page.offset < 0 ? 0 : page.offset; }

struct PgStore::Impl {
  Impl(int pool_size, std::chrono::milliseconds wait, PgPool::Connector connect, std::string schema)
      : pool(pool_size, wait, std::move(connect)), schema(std::move(schema)) {}

  PgPool pool;
  const std::string schema;  // "" for the connection's default search_path

  // Runs `fn(connection)`, which writes (in a PgTransaction when it makes
  // more than one change), on a pooled connection. A serialization failure
  // or deadlock runs it again, as does a connection lost at its BEGIN.
  template <class Fn>
  auto Run(const char* what, Fn&& fn) -> decltype(fn(std::declval<PgConnection&>())) {
    return Guarded(what, /*read_only=*/false, fn);
  }

  // The same for `fn` that only reads: a lost connection runs it again on a
  // fresh one.
  template <class Fn>
  auto Read(const char* what, Fn&& fn) -> decltype(fn(std::declval<PgConnection&>())) {
    return Guarded(what, /*read_only=*/true, fn);
  }

 private:
  static constexpr int kAttempts = 3;

  // Calls `fn` on a leased connection, turning failures into error values.
  template <class Fn>
  auto Guarded(const char* what, bool read_only, Fn& fn) -> decltype(fn(std::declval<PgConnection&>())) {
    for (int attempt = 1;; ++attempt) {
      auto lease = pool.Acquire();
      if (!lease) return lease.error();
      try {
        return fn(**lease);
      } catch (const PgFailure& f) {
        if (f.connection_lost) pool.DropIdle();
        const bool again = f.Retryable() || (f.connection_lost && (read_only || f.in_begin));
        if (again && attempt < kAttempts) continue;
        return PgError(what, f);
      } catch (const std::exception& e) {
        return PgUnexpected(what, e);
      }
    }
  }
};

}  // namespace atm
