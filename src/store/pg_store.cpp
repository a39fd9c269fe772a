// PgStore: connecting, migrating the schema (one node at a time), and what
// spans every aggregate (purging, versions, readiness), plus the URL helpers
// and the meaning of PostgreSQL's errors.
#include "store/pg_store.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <utility>
#include <vector>

#include "core/log.h"
#include "store/pg_impl.h"

namespace atm {
namespace {

// The migration lock: pg_advisory_lock(int, int) with a class of atm's own
// (0x61746d01, "atm" and 1), so that it does not collide with another
// application's locks on the database, and the schema's hash.
constexpr const char* kLockMigrations = "SELECT pg_advisory_xact_lock(1635020033, hashtext($1))";

bool StartsWithNoCase(const std::string& s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

// Where the passwords are in `url`, as [begin, end) ranges in order: the one
// in the credentials of a URI (user:password@, read the way libpq reads it:
// up to the first '@' before any '/'), and the value of every "password"
// parameter (and "sslpassword", a client key's passphrase) in a URI's query,
// or "password" in a keyword=value string.
std::vector<std::pair<size_t, size_t>> PasswordSpans(const std::string& url) {
  std::vector<std::pair<size_t, size_t>> spans;
  const size_t scheme = url.find("://");
  if (scheme != std::string::npos) {
    const size_t start = scheme + 3;
    size_t end = start;
    while (end < url.size() && url[end] != '@' && url[end] != '/') ++end;
    if (end < url.size() && url[end] == '@') {
      const size_t colon = url.find(':', start);
      if (colon < end) spans.emplace_back(colon + 1, end);
    }
    const size_t query = url.find('?', spans.empty() ? start : spans.back().second);
    for (size_t p = query; p != std::string::npos && p < url.size();) {
      const size_t key = p + 1;
      const size_t next = url.find('&', key);
      const size_t stop = next == std::string::npos ? url.size() : next;
      const size_t eq = url.find('=', key);
      const bool secret =
          eq < stop && (url.compare(key, eq - key, "password") == 0 || url.compare(key, eq - key, "sslpassword") == 0);
      if (secret) spans.emplace_back(eq + 1, stop);
      p = next;
    }
    return spans;
  }
  // keyword = value pairs: "host=db password='se cret' ..."
  for (size_t p = url.find("password"); p != std::string::npos; p = url.find("password", p + 1)) {
    if (p > 0 && !std::isspace(static_cast<unsigned char>(url[p - 1]))) continue;
    size_t i = p + 8;
    while (i < url.size() && url[i] == ' ') ++i;
    if (i >= url.size() || url[i] != '=') continue;
    ++i;
    while (i < url.size() && url[i] == ' ') ++i;
    size_t end = i;
    if (end < url.size() && url[end] == '\'') {
      for (++end; end < url.size() && url[end] != '\''; ++end) {
        if (url[end] == '\\') ++end;
      }
      end = std::min(end + 1, url.size());
    } else {
      while (end < url.size() && !std::isspace(static_cast<unsigned char>(url[end]))) ++end;
    }
    spans.emplace_back(i, end);
    p = end;
  }
  return spans;
}

// `message` (libpq's, about `url`) with any password of `url` in it masked.
std::string Scrubbed(std::string message, const std::string& url) {
  for (const auto& [begin, end] : PasswordSpans(url)) {
    if (end <= begin) continue;
    const std::string secret = url.substr(begin, end - begin);
    for (size_t p = message.find(secret); p != std::string::npos; p = message.find(secret, p + 3)) {
      message.replace(p, secret.size(), "***");
    }
  }
  return message;
}

// Brings the schema to the latest migration in one transaction, under a
// transaction advisory lock (so it works through a transaction-pooling
// PgBouncer too): of several nodes starting at once on an empty database,
// one migrates and the others wait, then find it done. A database from a
// newer atm is refused.
Status Migrate(PgConnection& db, const std::string& schema, const std::string& shown) {
  const auto& migrations = PgSchemaMigrations();
  const int latest = static_cast<int>(migrations.size());
  try {
    PgTransaction tx(db);
    db.Exec(kLockMigrations, schema);
    if (!schema.empty()) db.Script(("CREATE SCHEMA IF NOT EXISTS " + db.QuoteIdentifier(schema)).c_str());
    db.Script("CREATE TABLE IF NOT EXISTS schema_migrations (version INT PRIMARY KEY, applied_at BIGINT NOT NULL)");
    const int version =
        static_cast<int>(db.QueryOne("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", ReadPgInt).value_or(0));
    if (version > latest) {
      return Error(ErrorCode::kInvalidConfig, shown + ": the database schema (version " + std::to_string(version) +
                                                  ") is newer than this atm understands; upgrade atm");
    }
    for (int v = version; v < latest; ++v) {
      db.Script(std::string(migrations[v]).c_str());
      db.Exec("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, EXTRACT(EPOCH FROM now())::bigint)",
              v + 1);
    }
    tx.Commit();
    return Ok();
  } catch (const PgFailure& f) {
    return Error(f.connection_lost ? ErrorCode::kTemporarilyUnavailable : ErrorCode::kInvalidConfig,
                 shown + ": cannot migrate the database schema: " + f.message +
                     (f.sqlstate.empty() ? "" : " (SQLSTATE " + f.sqlstate + ")"));
  }
}

// Makes the pool's connections to `options.url`, with search_path set to
// `options.schema` when there is one. The URL's own settings win over the
// defaults before "dbname" (libpq reads the arrays in order, expanding the
// URL in place of "dbname"); the client encoding after it is atm's, whose
// strings are UTF-8. The TCP defaults find a server that vanished without
// closing the connection (a partition, a host gone): sent data unanswered
// for 30 s, or an idle connection whose keepalives go unanswered for a
// minute, breaks the connection rather than hang the call.
PgPool::Connector Connector(const PgOptions& options) {
  return [url = options.url, timeout = std::to_string(std::max(1, options.connect_timeout_s)),
          schema = options.schema](std::string* error) -> std::unique_ptr<PgConnection> {
    const char* const keywords[] = {"fallback_application_name",
                                    "connect_timeout",
                                    "keepalives_idle",
                                    "keepalives_interval",
                                    "keepalives_count",
                                    "tcp_user_timeout",
                                    "dbname",
                                    "client_encoding",
                                    nullptr};
    const char* const values[] = {"atm", timeout.c_str(), "30", "10", "3", "30000", url.c_str(), "UTF8", nullptr};
    auto conn = PgConnection::Connect(keywords, values, error);
    if (!conn) {
      *error = Scrubbed(*error, url);
      return nullptr;
    }
    try {
      // Bounds on waiting for another session's locks, and on a session left
      // inside a transaction (its node gone mid-request): the server frees
      // the locks rather than let the other nodes queue behind them. Settings
      // made for the role, the database or in the URL's options win.
      conn->Exec(
          "SELECT set_config(name, CASE WHEN current_setting(name) = '0' THEN bound ELSE current_setting(name) END, "
          "false) FROM (VALUES ('lock_timeout', '5s'), ('idle_in_transaction_session_timeout', '60s')) AS b(name, "
          "bound)");
      if (!schema.empty()) {
        conn->Exec("SELECT set_config('search_path', $1, false)", conn->QuoteIdentifier(schema));
      }
    } catch (const PgFailure& f) {
      *error = f.message;
      return nullptr;
    }
    return conn;
  };
}

// Whether `options` may be handed to libpq: a postgres:// URL that libpq can
// parse. Errors name the URL without its password.
Status CheckUrl(const PgOptions& options) {
  const std::string shown = RedactPostgresUrl(options.url);
  if (!IsPostgresUrl(options.url)) {
    return Error(ErrorCode::kInvalidConfig,
                 shown + ": not a PostgreSQL URL (postgres://user:password@host:port/database?options)");
  }
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(options.url.c_str(), &parse_error);
  if (parsed) {
    PQconninfoFree(parsed);
    return Ok();
  }
  std::string why = parse_error ? Scrubbed(parse_error, options.url) : "out of memory";
  PQfreemem(parse_error);
  while (!why.empty() && why.back() == '\n') why.pop_back();
  return Error(ErrorCode::kInvalidConfig, shown + ": " + why);
}

}  // namespace

bool IsPostgresUrl(const std::string& url) {
  return StartsWithNoCase(url, "postgres://") || StartsWithNoCase(url, "postgresql://");
}

std::string RedactPostgresUrl(const std::string& url) {
  std::string out = url;
  auto spans = PasswordSpans(url);
  for (auto it = spans.rbegin(); it != spans.rend(); ++it) out.replace(it->first, it->second - it->first, "***");
  return out;
}

Error PgError(const char* what, const PgFailure& f) {
  const std::string& s = f.sqlstate;
  if (f.connection_lost) {
    Log(LogLevel::kWarn, std::string("storage: ") + what + ": lost the database connection: " + f.message);
    return Error(ErrorCode::kTemporarilyUnavailable, "the database is unavailable").WithDetail(f.message);
  }
  if (s.compare(0, 2, "23") == 0) {  // integrity constraint violation, as SQLite's SQLITE_CONSTRAINT
    return Error(ErrorCode::kConflict, "already exists", PgConstraintField(f.constraint))
        .WithDetail(f.constraint.empty() ? f.message : "constraint " + f.constraint);
  }
  Log(LogLevel::kError, std::string("storage: ") + what + ": " + f.message + " (SQLSTATE " + s + ")");
  // Nothing was written (the transaction rolled back), and the client may
  // retry later.
  if (f.Retryable() || s == "55P03" || s == "57014") {  // + lock_not_available, query_canceled
    return Error(ErrorCode::kTemporarilyUnavailable, "the database is busy, try again");
  }
  if (s.compare(0, 2, "53") == 0) {  // insufficient resources: disk full, out of memory, too many connections
    return Error(ErrorCode::kTemporarilyUnavailable, "the database cannot take more now (disk, memory or connections)");
  }
  if (s == "25006") {  // read_only_sql_transaction: a standby (a failover under way)
    return Error(ErrorCode::kTemporarilyUnavailable, "the database is read-only for now");
  }
  return ServerError("storage failure").WithDetail(f.message);
}

Error PgUnexpected(const char* what, const std::exception& e) {
  Log(LogLevel::kError, std::string("storage: ") + what + ": " + e.what());
  return ServerError("storage failure").WithDetail(e.what());
}

PgStore::PgStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PgStore::~PgStore() = default;

Result<std::unique_ptr<PgStore>> PgStore::Open(const PgOptions& options) {
  const std::string shown = RedactPostgresUrl(options.url);
  if (auto valid = CheckUrl(options); !valid) return valid.error();
  const int timeout_s = std::max(1, options.connect_timeout_s);
  auto impl =
      std::make_unique<Impl>(options.pool_size, std::chrono::seconds(timeout_s), Connector(options), options.schema);
  {
    std::string error;
    auto lease = impl->pool.Acquire(&error);
    if (!lease) {
      return Error(ErrorCode::kTemporarilyUnavailable,
                   shown + ": cannot connect to PostgreSQL: " + (error.empty() ? lease.error().description : error));
    }
    if (auto remote = (*lease)->UnverifiedRemote()) {
      Log(LogLevel::kWarn, "storage: the connection to PostgreSQL at " + remote->second +
                               " does not verify the server's certificate (sslmode=" + remote->first +
                               "), yet it carries the signing keys and users' data: add "
                               "sslmode=verify-full&sslrootcert=CA.pem to storage.url");
    }
    if (auto migrated = Migrate(**lease, options.schema, shown); !migrated) return migrated.error();
  }
  return std::unique_ptr<PgStore>(new PgStore(std::move(impl)));
}

Status PgStore::DropSchema(const PgOptions& options) {
  if (auto valid = CheckUrl(options); !valid) return valid.error();
  if (options.schema.empty()) return Error(ErrorCode::kInvalidRequest, "no schema to drop", "schema");
  PgOptions plain = options;
  plain.schema.clear();
  std::string error;
  auto db = Connector(plain)(&error);
  if (!db) {
    return Error(ErrorCode::kTemporarilyUnavailable,
                 RedactPostgresUrl(options.url) + ": cannot connect to PostgreSQL: " + error);
  }
  try {
    db->Script(("DROP SCHEMA IF EXISTS " + db->QuoteIdentifier(options.schema) + " CASCADE").c_str());
    return Ok();
  } catch (const PgFailure& f) {
    return PgError("drop schema", f);
  }
}

Status PgStore::ProbeWrite(int64_t, int timeout_ms) {
  return impl_->Run("readiness write", [&](PgConnection& db) -> Status {
    PgTransaction tx(db);
    db.QueryOne(
        "SELECT set_config('statement_timeout', $1, true)", [](PgRow& r) { return r.Text(); },
        std::to_string(timeout_ms));
    db.QueryOne("SELECT txid_current()", ReadPgInt);
    tx.Commit();
    return Ok();
  });
}

int PgStore::LatestSchemaVersion() { return static_cast<int>(PgSchemaMigrations().size()); }

Result<int> PgStore::SchemaVersion() {
  return impl_->Read("schema version", [&](PgConnection& db) -> Result<int> {
    return static_cast<int>(
        db.QueryOne("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", ReadPgInt).value_or(0));
  });
}

Result<int64_t> PgStore::DataVersion() {
  return impl_->Read("key version", [&](PgConnection& db) -> Result<int64_t> {
    return db.QueryOne("SELECT version FROM key_version WHERE id = 1", ReadPgInt).value_or(0);
  });
}

Status PgStore::PurgeExpired(int64_t now) {
  return impl_->Run("purge expired", [&](PgConnection& db) -> Status {
    PgTransaction tx(db);
    db.Exec("DELETE FROM auth_codes WHERE expires_at <= $1", now);
    db.Exec("DELETE FROM device_codes WHERE expires_at <= $1", now);
    // A used refresh token is kept until it would have expired, for reuse detection.
    db.Exec("DELETE FROM refresh_tokens WHERE expires_at <= $1", now);
    db.Exec("DELETE FROM revoked_access_tokens WHERE expires_at <= $1", now);
    db.Exec("DELETE FROM admin_sessions WHERE expires_at <= $1", now);
    db.Exec("DELETE FROM login_sessions WHERE expires_at <= $1", now);
    db.Exec(
        "DELETE FROM grants WHERE NOT EXISTS "
        "(SELECT 1 FROM refresh_tokens WHERE refresh_tokens.grant_id = grants.id)");
    tx.Commit();
    return Ok();
  });
}

}  // namespace atm
