#include "store/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <sstream>
#include <thread>
#include <vector>

#include "core/log.h"
#include "store/schema.h"
#include "store/sqlite_impl.h"

namespace atm {

namespace {

const std::string kSelectClients =
    "SELECT id, name, secret_hash, redirect_urls, is_public, disabled, created_at, updated_at FROM clients ";
const std::string kSelectUsers =
    "SELECT id, client_id, email, password_hash, first_name, last_name, disabled, created_at, updated_at "
    "FROM users ";

std::string JoinLines(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : "\n") + s;
  return out;
}

std::vector<std::string> SplitLines(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

ClientRecord ReadClient(SqliteRow& row) {
  ClientRecord c;
  c.id = row.Text();
  c.name = row.Text();
  c.secret_hash = row.Text();
  c.redirect_urls = SplitLines(row.Text());
  c.is_public = row.Bool();
  c.disabled = row.Bool();
  c.created_at = row.Int();
  c.updated_at = row.Int();
  return c;
}

UserRecord ReadUser(SqliteRow& row) {
  UserRecord u;
  u.id = row.Text();
  u.client_id = row.Text();
  u.email = row.Text();
  u.password_hash = row.Text();
  u.first_name = row.Text();
  u.last_name = row.Text();
  u.disabled = row.Bool();
  u.created_at = row.Int();
  u.updated_at = row.Int();
  return u;
}

GrantRecord ReadGrant(SqliteRow& row) {
  GrantRecord g;
  g.id = row.Text();
  g.client_id = row.Text();
  g.user_id = row.Text();
  g.scope = row.Text();
  g.nonce = row.Text();
  g.auth_time = row.Int();
  g.created_at = row.Int();
  return g;
}

int64_t ReadInt(SqliteRow& row) { return row.Int(); }

Error NotFound(const std::string& what) { return Error(ErrorCode::kNotFound, what + " not found"); }

std::string Like(const std::string& filter) {
  std::string out = "%";
  for (char c : filter) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + "%";
}

}  // namespace

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
      auto impl = std::make_unique<Impl>(std::make_unique<SQLite::Database>(
          options.path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_FULLMUTEX,
          options.busy_timeout_ms));
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

// ---- clients ---------------------------------------------------------------

Status SqliteStore::CreateClient(const ClientRecord& c) {
  return impl_->Run("create client", [&](SqliteConnection& db) -> Status {
    db.Exec(
        "INSERT INTO clients (id, name, secret_hash, redirect_urls, is_public, disabled, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        c.id, c.name, c.secret_hash, JoinLines(c.redirect_urls), c.is_public, c.disabled, c.created_at,
        c.updated_at);
    return Ok();
  });
}

Result<std::optional<ClientRecord>> SqliteStore::GetClient(const std::string& id) {
  return impl_->Read("get client", [&](SqliteConnection& db) -> Result<std::optional<ClientRecord>> {
    return db.QueryOne(kSelectClients + "WHERE id = ?", ReadClient, id);
  });
}

Result<std::vector<ClientRecord>> SqliteStore::ListClients(const Page& page) {
  return impl_->Read("list clients", [&](SqliteConnection& db) -> Result<std::vector<ClientRecord>> {
    return db.Query(kSelectClients + "ORDER BY created_at, id LIMIT ? OFFSET ?", ReadClient, page.limit,
                    page.offset);
  });
}

Result<int64_t> SqliteStore::CountClients() {
  return impl_->Read("count clients", [&](SqliteConnection& db) -> Result<int64_t> {
    return db.QueryOne("SELECT COUNT(*) FROM clients", ReadInt).value_or(0);
  });
}

Status SqliteStore::UpdateClient(const ClientRecord& c) {
  return impl_->Run("update client", [&](SqliteConnection& db) -> Status {
    const int changed =
        db.Exec("UPDATE clients SET name = ?, redirect_urls = ?, disabled = ?, updated_at = ? WHERE id = ?", c.name,
                JoinLines(c.redirect_urls), c.disabled, c.updated_at, c.id);
    if (changed == 0) return NotFound("application");
    return Ok();
  });
}

Status SqliteStore::SetClientSecret(const std::string& id, const std::string& secret_hash, int64_t updated_at) {
  return impl_->Run("set client secret", [&](SqliteConnection& db) -> Status {
    if (db.Exec("UPDATE clients SET secret_hash = ?, updated_at = ? WHERE id = ?", secret_hash, updated_at, id) == 0) {
      return NotFound("application");
    }
    return Ok();
  });
}

Status SqliteStore::DeleteClient(const std::string& id) {
  return impl_->Run("delete client", [&](SqliteConnection& db) -> Status {
    SQLite::Transaction tx(db.db());
    db.Exec("DELETE FROM auth_codes WHERE client_id = ?", id);
    if (db.Exec("DELETE FROM clients WHERE id = ?", id) == 0) {  // cascades users, grants
      return NotFound("application");
    }
    tx.commit();
    return Ok();
  });
}

// ---- users -----------------------------------------------------------------

Status SqliteStore::CreateUser(const UserRecord& u) {
  return impl_->Run("create user", [&](SqliteConnection& db) -> Status {
    db.Exec(
        "INSERT INTO users (id, client_id, email, password_hash, first_name, last_name, "
        "disabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        u.id, u.client_id, u.email, u.password_hash, u.first_name, u.last_name, u.disabled, u.created_at,
        u.updated_at);
    return Ok();
  });
}

Result<std::optional<UserRecord>> SqliteStore::GetUser(const std::string& id) {
  return impl_->Read("get user", [&](SqliteConnection& db) -> Result<std::optional<UserRecord>> {
    return db.QueryOne(kSelectUsers + "WHERE id = ?", ReadUser, id);
  });
}

Result<std::optional<UserRecord>> SqliteStore::FindUserByEmail(const std::string& client_id,
                                                               const std::string& email) {
  return impl_->Read("find user", [&](SqliteConnection& db) -> Result<std::optional<UserRecord>> {
    return db.QueryOne(kSelectUsers + "WHERE client_id = ? AND email = ? COLLATE NOCASE", ReadUser, client_id,
                       email);
  });
}

Result<std::vector<UserRecord>> SqliteStore::ListUsers(const std::string& client_id,
                                                       const std::string& email_filter,
                                                       const Page& page) {
  return impl_->Read("list users", [&](SqliteConnection& db) -> Result<std::vector<UserRecord>> {
    return db.Query(kSelectUsers +
                        "WHERE client_id = ? AND email LIKE ? ESCAPE '\\' "
                        "ORDER BY email COLLATE NOCASE, id LIMIT ? OFFSET ?",
                    ReadUser, client_id, Like(email_filter), page.limit, page.offset);
  });
}

Result<int64_t> SqliteStore::CountUsers(const std::string& client_id, const std::string& email_filter) {
  return impl_->Read("count users", [&](SqliteConnection& db) -> Result<int64_t> {
    return db.QueryOne("SELECT COUNT(*) FROM users WHERE client_id = ? AND email LIKE ? ESCAPE '\\'", ReadInt,
                       client_id, Like(email_filter))
        .value_or(0);
  });
}

Status SqliteStore::UpdateUser(const UserRecord& u) {
  return impl_->Run("update user", [&](SqliteConnection& db) -> Status {
    const int changed = db.Exec(
        "UPDATE users SET email = ?, first_name = ?, last_name = ?, disabled = ?, updated_at = ? WHERE id = ?",
        u.email, u.first_name, u.last_name, u.disabled, u.updated_at, u.id);
    if (changed == 0) return NotFound("user");
    return Ok();
  });
}

Status SqliteStore::SetUserPassword(const std::string& id, const std::string& password_hash, int64_t updated_at) {
  return impl_->Run("set user password", [&](SqliteConnection& db) -> Status {
    if (db.Exec("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?", password_hash, updated_at, id) ==
        0) {
      return NotFound("user");
    }
    return Ok();
  });
}

Status SqliteStore::DeleteUser(const std::string& id) {
  return impl_->Run("delete user", [&](SqliteConnection& db) -> Status {
    SQLite::Transaction tx(db.db());
    db.Exec("DELETE FROM auth_codes WHERE user_id = ?", id);
    if (db.Exec("DELETE FROM users WHERE id = ?", id) == 0) return NotFound("user");  // cascades grants, tokens
    tx.commit();
    return Ok();
  });
}

// ---- codes -----------------------------------------------------------------

namespace {

// A code row and whether (and into which grant) it was spent.
struct StoredCode {
  CodeRecord code;
  bool used = false;
  std::string grant_id;  // empty when no grant came from it
};

std::optional<StoredCode> FindCode(SqliteConnection& db, const std::string& hash) {
  return db.QueryOne(
      "SELECT hash, client_id, user_id, challenge, method, redirect_uri, scope, nonce, session_id, "
      "auth_time, expires_at, used_at IS NOT NULL, COALESCE(grant_id, '') FROM auth_codes WHERE hash = ?",
      [](SqliteRow& row) {
        StoredCode s;
        CodeRecord& c = s.code;
        c.hash = row.Text();
        c.client_id = row.Text();
        c.user_id = row.Text();
        c.challenge = row.Text();
        c.method = row.Text();
        c.redirect_uri = row.Text();
        c.scope = row.Text();
        c.nonce = row.Text();
        c.session_id = row.Text();
        c.auth_time = row.Int();
        c.expires_at = row.Int();
        s.used = row.Bool();
        s.grant_id = row.Text();
        return s;
      },
      hash);
}

// RFC 6749 §4.1.2: a code presented again revokes what it issued. Caller holds
// a transaction.
Error RevokeReplayedCode(SqliteConnection& db, const std::string& grant_id) {
  if (!grant_id.empty()) db.Exec("DELETE FROM grants WHERE id = ?", grant_id);  // cascades its refresh tokens
  return InvalidGrant("the authorization code was already used; the tokens it issued are revoked");
}

void InsertRefresh(SqliteConnection& db, const RefreshRecord& r) {
  db.Exec(
      "INSERT INTO refresh_tokens (hash, grant_id, client_id, user_id, issued_at, expires_at) "
      "VALUES (?, ?, ?, ?, ?, ?)",
      r.hash, r.grant_id, r.client_id, r.user_id, r.issued_at, r.expires_at);
}

const std::string kSelectGrant =
    "SELECT id, client_id, user_id, scope, nonce, auth_time, created_at FROM grants WHERE id = ?";

}  // namespace

Status SqliteStore::SaveCode(const CodeRecord& c) {
  return impl_->Run("save code", [&](SqliteConnection& db) -> Status {
    db.Exec(
        "INSERT INTO auth_codes (hash, client_id, user_id, challenge, method, redirect_uri, "
        "scope, nonce, session_id, auth_time, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        c.hash, c.client_id, c.user_id, c.challenge, c.method, c.redirect_uri, c.scope, c.nonce, c.session_id,
        c.auth_time, c.expires_at);
    return Ok();
  });
}

Result<CodeRecord> SqliteStore::FindUnusedCode(const std::string& hash, int64_t now) {
  return impl_->Read("find code", [&](SqliteConnection& db) -> Result<CodeRecord> {
    auto stored = FindCode(db, hash);
    if (!stored) return InvalidGrant("the authorization code is invalid");
    if (stored->used) return Error(ErrorCode::kCodeUsed, "the authorization code was already used");
    if (stored->code.expires_at <= now) return InvalidGrant("the authorization code has expired");
    return std::move(stored->code);
  });
}

Status SqliteStore::SpendCode(const std::string& hash, int64_t now) {
  return impl_->Run("spend code", [&](SqliteConnection& db) -> Status {
    SQLite::Transaction tx(db.db());
    auto stored = FindCode(db, hash);
    if (!stored) return InvalidGrant("the authorization code is invalid");
    if (stored->used) {
      Error replayed = RevokeReplayedCode(db, stored->grant_id);
      tx.commit();
      return replayed;
    }
    db.Exec("UPDATE auth_codes SET used_at = ? WHERE hash = ?", now, hash);
    tx.commit();
    return Ok();
  });
}

Status SqliteStore::RedeemCode(const std::string& hash, int64_t now, const GrantRecord& g,
                               const RefreshRecord& first) {
  return impl_->Run("redeem code", [&](SqliteConnection& db) -> Status {
    SQLite::Transaction tx(db.db());
    const int spent = db.Exec(
        "UPDATE auth_codes SET used_at = ?, grant_id = ? WHERE hash = ? AND used_at IS NULL AND expires_at > ?",
        now, g.id, hash, now);
    if (spent == 0) {
      // Spent since it was checked (a concurrent redemption won), or gone.
      auto stored = FindCode(db, hash);
      if (!stored) return InvalidGrant("the authorization code is invalid");
      if (!stored->used) return InvalidGrant("the authorization code has expired");
      Error replayed = RevokeReplayedCode(db, stored->grant_id);
      tx.commit();
      return replayed;
    }
    db.Exec(
        "INSERT INTO grants (id, client_id, user_id, scope, nonce, auth_time, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        g.id, g.client_id, g.user_id, g.scope, g.nonce, g.auth_time, g.created_at);
    InsertRefresh(db, first);
    tx.commit();
    return Ok();
  });
}

Result<std::optional<GrantRecord>> SqliteStore::GetGrant(const std::string& id) {
  return impl_->Read("get grant", [&](SqliteConnection& db) -> Result<std::optional<GrantRecord>> {
    return db.QueryOne(kSelectGrant, ReadGrant, id);
  });
}

Result<GrantRecord> SqliteStore::RotateRefresh(const std::string& old_hash,
                                               const std::string& client_id,
                                               const RefreshRecord& next, int64_t now) {
  return impl_->Run("rotate refresh token", [&](SqliteConnection& db) -> Result<GrantRecord> {
    SQLite::Transaction tx(db.db());
    struct Old {
      std::string grant_id, owner;
      int64_t expires_at;
      bool used;
    };
    auto old = db.QueryOne(
        "SELECT grant_id, client_id, expires_at, used_at IS NOT NULL FROM refresh_tokens WHERE hash = ?",
        [](SqliteRow& row) { return Old{row.Text(), row.Text(), row.Int(), row.Bool()}; }, old_hash);
    if (!old) return InvalidGrant("the refresh token is invalid or was revoked");
    if (old->owner != client_id) return InvalidGrant("the refresh token was issued to another client");
    if (old->used) {
      db.Exec("DELETE FROM grants WHERE id = ?", old->grant_id);
      tx.commit();
      return InvalidGrant("the refresh token was already used; every token of this login is now revoked");
    }
    if (old->expires_at <= now) return InvalidGrant("the refresh token has expired");
    auto grant = db.QueryOne(kSelectGrant, ReadGrant, old->grant_id);
    if (!grant) return InvalidGrant("the refresh token was revoked");
    db.Exec("UPDATE refresh_tokens SET used_at = ? WHERE hash = ?", now, old_hash);
    RefreshRecord n = next;
    n.grant_id = grant->id;
    n.user_id = grant->user_id;
    InsertRefresh(db, n);
    tx.commit();
    return std::move(*grant);
  });
}

Result<std::optional<RefreshRecord>> SqliteStore::GetLiveRefresh(const std::string& hash, int64_t now) {
  return impl_->Read("get refresh token", [&](SqliteConnection& db) -> Result<std::optional<RefreshRecord>> {
    return db.QueryOne(
        "SELECT hash, grant_id, client_id, user_id, issued_at, expires_at FROM refresh_tokens "
        "WHERE hash = ? AND used_at IS NULL AND expires_at > ?",
        [](SqliteRow& row) {
          RefreshRecord r;
          r.hash = row.Text();
          r.grant_id = row.Text();
          r.client_id = row.Text();
          r.user_id = row.Text();
          r.issued_at = row.Int();
          r.expires_at = row.Int();
          return r;
        },
        hash, now);
  });
}

Status SqliteStore::RevokeGrant(const std::string& grant_id) {
  return impl_->Run("revoke grant", [&](SqliteConnection& db) -> Status {
    db.Exec("DELETE FROM grants WHERE id = ?", grant_id);
    return Ok();
  });
}

Status SqliteStore::RevokeAccessToken(const std::string& jti, int64_t expires_at) {
  return impl_->Run("revoke access token", [&](SqliteConnection& db) -> Status {
    db.Exec("INSERT INTO revoked_access_tokens (jti, expires_at) VALUES (?, ?) ON CONFLICT(jti) DO NOTHING", jti,
            expires_at);
    return Ok();
  });
}

Result<bool> SqliteStore::IsAccessTokenRevoked(const std::string& jti) {
  return impl_->Read("check revoked access token", [&](SqliteConnection& db) -> Result<bool> {
    return db.QueryOne("SELECT 1 FROM revoked_access_tokens WHERE jti = ?", ReadInt, jti).has_value();
  });
}

Status SqliteStore::PurgeExpired(int64_t now) {
  return impl_->Run("purge expired", [&](SqliteConnection& db) -> Status {
    SQLite::Transaction tx(db.db());
    db.Exec("DELETE FROM auth_codes WHERE expires_at <= ?", now);
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

// ---- keys ------------------------------------------------------------------

Status SqliteStore::SaveKey(const KeyRecord& k) {
  return impl_->Run("save key", [&](SqliteConnection& db) -> Status {
    db.Exec("INSERT INTO signing_keys (kid, alg, private_pem, created_at, retired_at) VALUES (?, ?, ?, ?, ?)", k.kid,
            k.alg, k.private_pem, k.created_at, k.retired_at);
    return Ok();
  });
}

Result<std::vector<KeyRecord>> SqliteStore::ListKeys() {
  return impl_->Read("list keys", [&](SqliteConnection& db) -> Result<std::vector<KeyRecord>> {
    return db.Query(
        "SELECT kid, alg, private_pem, created_at, retired_at FROM signing_keys "
        "ORDER BY retired_at = 0 DESC, retired_at DESC, created_at DESC, kid",
        [](SqliteRow& row) {
          KeyRecord k;
          k.kid = row.Text();
          k.alg = row.Text();
          k.private_pem = row.Text();
          k.created_at = row.Int();
          k.retired_at = row.Int();
          return k;
        });
  });
}

Status SqliteStore::RetireKeysExcept(const std::string& keep_kid, int64_t now) {
  return impl_->Run("retire keys", [&](SqliteConnection& db) -> Status {
    db.Exec("UPDATE signing_keys SET retired_at = ? WHERE retired_at = 0 AND kid <> ?", now, keep_kid);
    return Ok();
  });
}

Status SqliteStore::DeleteKey(const std::string& kid) {
  return impl_->Run("delete key", [&](SqliteConnection& db) -> Status {
    db.Exec("DELETE FROM signing_keys WHERE kid = ?", kid);
    return Ok();
  });
}

Status SqliteStore::UpdateKeyPem(const std::string& kid, const std::string& private_pem) {
  return impl_->Run("update key", [&](SqliteConnection& db) -> Status {
    if (db.Exec("UPDATE signing_keys SET private_pem = ? WHERE kid = ?", private_pem, kid) == 0) {
      return NotFound("signing key");
    }
    return Ok();
  });
}

}  // namespace atm
