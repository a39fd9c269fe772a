#include "store/sqlite_store.h"

#include <algorithm>
#include <chrono>
#include <sstream>
#include <thread>
#include <vector>

#include "store/schema.h"
#include "store/sqlite_impl.h"

namespace atm {

namespace {

constexpr const char* kClientColumns =
    "id, name, secret_hash, redirect_urls, is_public, disabled, created_at, updated_at";
constexpr const char* kUserColumns =
    "id, client_id, email, password_hash, first_name, last_name, disabled, created_at, updated_at";

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

ClientRecord ReadClient(SQLite::Statement& q) {
  ClientRecord c;
  c.id = q.getColumn(0).getString();
  c.name = q.getColumn(1).getString();
  c.secret_hash = q.getColumn(2).getString();
  c.redirect_urls = SplitLines(q.getColumn(3).getString());
  c.is_public = q.getColumn(4).getInt() != 0;
  c.disabled = q.getColumn(5).getInt() != 0;
  c.created_at = q.getColumn(6).getInt64();
  c.updated_at = q.getColumn(7).getInt64();
  return c;
}

UserRecord ReadUser(SQLite::Statement& q) {
  UserRecord u;
  u.id = q.getColumn(0).getString();
  u.client_id = q.getColumn(1).getString();
  u.email = q.getColumn(2).getString();
  u.password_hash = q.getColumn(3).getString();
  u.first_name = q.getColumn(4).getString();
  u.last_name = q.getColumn(5).getString();
  u.disabled = q.getColumn(6).getInt() != 0;
  u.created_at = q.getColumn(7).getInt64();
  u.updated_at = q.getColumn(8).getInt64();
  return u;
}

GrantRecord ReadGrant(SQLite::Statement& q) {
  GrantRecord g;
  g.id = q.getColumn(0).getString();
  g.client_id = q.getColumn(1).getString();
  g.user_id = q.getColumn(2).getString();
  g.scope = q.getColumn(3).getString();
  g.nonce = q.getColumn(4).getString();
  g.auth_time = q.getColumn(5).getInt64();
  g.created_at = q.getColumn(6).getInt64();
  return g;
}

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
    auto reader = std::make_unique<SqliteConnection>();
    reader->db = std::make_unique<SQLite::Database>(options.path, SQLite::OPEN_READWRITE | SQLite::OPEN_FULLMUTEX,
                                                    options.busy_timeout_ms);
    reader->db->exec("PRAGMA query_only=ON");
    reader->db->exec("PRAGMA cache_size=-1024");
    impl.readers.push_back(std::move(reader));
  }
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const SqliteOptions& options) {
  // A new database that another process is setting up at this moment
  // (switching it to WAL, migrating it) can answer "busy" without waiting:
  // opening is retried until the busy timeout.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options.busy_timeout_ms);
  for (;;) {
    auto impl = std::make_unique<Impl>();
    try {
      impl->db = std::make_unique<SQLite::Database>(
          options.path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_FULLMUTEX,
          options.busy_timeout_ms);
      auto& db = *impl->db;
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

int SqliteStore::SchemaVersion() {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->db->execAndGet("PRAGMA user_version").getInt();
}

Result<std::string> SqliteStore::IntegrityCheck() {
  return impl_->Run("integrity_check", [&]() -> Result<std::string> {
    return impl_->db->execAndGet("PRAGMA integrity_check").getString();
  });
}

Result<int64_t> SqliteStore::DataVersion() {
  return impl_->Run("data_version", [&]() -> Result<int64_t> {
    auto& q = impl_->Prepare("PRAGMA data_version");
    q.executeStep();
    return q.getColumn(0).getInt64();
  });
}

// ---- clients ---------------------------------------------------------------

Status SqliteStore::CreateClient(const ClientRecord& c) {
  return impl_->Run("create client", [&]() -> Status {
    auto& q = impl_->Prepare(
        "INSERT INTO clients (id, name, secret_hash, redirect_urls, is_public, disabled, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, c.id);
    q.bind(2, c.name);
    q.bind(3, c.secret_hash);
    q.bind(4, JoinLines(c.redirect_urls));
    q.bind(5, c.is_public ? 1 : 0);
    q.bind(6, c.disabled ? 1 : 0);
    q.bind(7, c.created_at);
    q.bind(8, c.updated_at);
    q.exec();
    return Ok();
  });
}

Result<std::optional<ClientRecord>> SqliteStore::GetClient(const std::string& id) {
  return impl_->Read("get client", [&](SqliteConnection& c) -> Result<std::optional<ClientRecord>> {
    static const std::string sql = std::string("SELECT ") + kClientColumns + " FROM clients WHERE id = ?";
    auto& q = c.Prepare(sql.c_str());
    q.bind(1, id);
    if (!q.executeStep()) return std::optional<ClientRecord>();
    return std::optional<ClientRecord>(ReadClient(q));
  });
}

Result<std::vector<ClientRecord>> SqliteStore::ListClients(const Page& page) {
  return impl_->Read("list clients", [&](SqliteConnection& c) -> Result<std::vector<ClientRecord>> {
    static const std::string sql = std::string("SELECT ") + kClientColumns +
                                   " FROM clients ORDER BY created_at, id LIMIT ? OFFSET ?";
    auto& q = c.Prepare(sql.c_str());
    q.bind(1, page.limit);
    q.bind(2, page.offset);
    std::vector<ClientRecord> out;
    while (q.executeStep()) out.push_back(ReadClient(q));
    return out;
  });
}

Result<int64_t> SqliteStore::CountClients() {
  return impl_->Read("count clients", [&](SqliteConnection& c) -> Result<int64_t> {
    auto& q = c.Prepare("SELECT COUNT(*) FROM clients");
    q.executeStep();
    return q.getColumn(0).getInt64();
  });
}

Status SqliteStore::UpdateClient(const ClientRecord& c) {
  return impl_->Run("update client", [&]() -> Status {
    auto& q = impl_->Prepare(
        "UPDATE clients SET name = ?, redirect_urls = ?, disabled = ?, updated_at = ? WHERE id = ?");
    q.bind(1, c.name);
    q.bind(2, JoinLines(c.redirect_urls));
    q.bind(3, c.disabled ? 1 : 0);
    q.bind(4, c.updated_at);
    q.bind(5, c.id);
    if (q.exec() == 0) return NotFound("application");
    return Ok();
  });
}

Status SqliteStore::SetClientSecret(const std::string& id, const std::string& secret_hash, int64_t updated_at) {
  return impl_->Run("set client secret", [&]() -> Status {
    auto& q = impl_->Prepare("UPDATE clients SET secret_hash = ?, updated_at = ? WHERE id = ?");
    q.bind(1, secret_hash);
    q.bind(2, updated_at);
    q.bind(3, id);
    if (q.exec() == 0) return NotFound("application");
    return Ok();
  });
}

Status SqliteStore::DeleteClient(const std::string& id) {
  return impl_->Run("delete client", [&]() -> Status {
    SQLite::Transaction tx(*impl_->db);
    auto& codes = impl_->Prepare("DELETE FROM auth_codes WHERE client_id = ?");
    codes.bind(1, id);
    codes.exec();
    auto& q = impl_->Prepare("DELETE FROM clients WHERE id = ?");  // cascades users, grants
    q.bind(1, id);
    if (q.exec() == 0) return NotFound("application");
    tx.commit();
    return Ok();
  });
}

// ---- users -----------------------------------------------------------------

Status SqliteStore::CreateUser(const UserRecord& u) {
  return impl_->Run("create user", [&]() -> Status {
    auto& q = impl_->Prepare(
        "INSERT INTO users (id, client_id, email, password_hash, first_name, last_name, "
        "disabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, u.id);
    q.bind(2, u.client_id);
    q.bind(3, u.email);
    q.bind(4, u.password_hash);
    q.bind(5, u.first_name);
    q.bind(6, u.last_name);
    q.bind(7, u.disabled ? 1 : 0);
    q.bind(8, u.created_at);
    q.bind(9, u.updated_at);
    q.exec();
    return Ok();
  });
}

Result<std::optional<UserRecord>> SqliteStore::GetUser(const std::string& id) {
  return impl_->Read("get user", [&](SqliteConnection& c) -> Result<std::optional<UserRecord>> {
    static const std::string sql = std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ?";
    auto& q = c.Prepare(sql.c_str());
    q.bind(1, id);
    if (!q.executeStep()) return std::optional<UserRecord>();
    return std::optional<UserRecord>(ReadUser(q));
  });
}

Result<std::optional<UserRecord>> SqliteStore::FindUserByEmail(const std::string& client_id,
                                                               const std::string& email) {
  return impl_->Read("find user", [&](SqliteConnection& c) -> Result<std::optional<UserRecord>> {
    static const std::string sql = std::string("SELECT ") + kUserColumns +
                                   " FROM users WHERE client_id = ? AND email = ? COLLATE NOCASE";
    auto& q = c.Prepare(sql.c_str());
    q.bind(1, client_id);
    q.bind(2, email);
    if (!q.executeStep()) return std::optional<UserRecord>();
    return std::optional<UserRecord>(ReadUser(q));
  });
}

Result<std::vector<UserRecord>> SqliteStore::ListUsers(const std::string& client_id,
                                                       const std::string& email_filter,
                                                       const Page& page) {
  return impl_->Read("list users", [&](SqliteConnection& c) -> Result<std::vector<UserRecord>> {
    static const std::string sql =
        std::string("SELECT ") + kUserColumns +
        " FROM users WHERE client_id = ? AND email LIKE ? ESCAPE '\\' "
        "ORDER BY email COLLATE NOCASE, id LIMIT ? OFFSET ?";
    auto& q = c.Prepare(sql.c_str());
    q.bind(1, client_id);
    q.bind(2, Like(email_filter));
    q.bind(3, page.limit);
    q.bind(4, page.offset);
    std::vector<UserRecord> out;
    while (q.executeStep()) out.push_back(ReadUser(q));
    return out;
  });
}

Result<int64_t> SqliteStore::CountUsers(const std::string& client_id, const std::string& email_filter) {
  return impl_->Read("count users", [&](SqliteConnection& c) -> Result<int64_t> {
    auto& q = c.Prepare(
        "SELECT COUNT(*) FROM users WHERE client_id = ? AND email LIKE ? ESCAPE '\\'");
    q.bind(1, client_id);
    q.bind(2, Like(email_filter));
    q.executeStep();
    return q.getColumn(0).getInt64();
  });
}

Status SqliteStore::UpdateUser(const UserRecord& u) {
  return impl_->Run("update user", [&]() -> Status {
    auto& q = impl_->Prepare(
        "UPDATE users SET email = ?, first_name = ?, last_name = ?, disabled = ?, updated_at = ? WHERE id = ?");
    q.bind(1, u.email);
    q.bind(2, u.first_name);
    q.bind(3, u.last_name);
    q.bind(4, u.disabled ? 1 : 0);
    q.bind(5, u.updated_at);
    q.bind(6, u.id);
    if (q.exec() == 0) return NotFound("user");
    return Ok();
  });
}

Status SqliteStore::SetUserPassword(const std::string& id, const std::string& password_hash, int64_t updated_at) {
  return impl_->Run("set user password", [&]() -> Status {
    auto& q = impl_->Prepare("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?");
    q.bind(1, password_hash);
    q.bind(2, updated_at);
    q.bind(3, id);
    if (q.exec() == 0) return NotFound("user");
    return Ok();
  });
}

Status SqliteStore::DeleteUser(const std::string& id) {
  return impl_->Run("delete user", [&]() -> Status {
    SQLite::Transaction tx(*impl_->db);
    auto& codes = impl_->Prepare("DELETE FROM auth_codes WHERE user_id = ?");
    codes.bind(1, id);
    codes.exec();
    auto& q = impl_->Prepare("DELETE FROM users WHERE id = ?");  // cascades grants, tokens
    q.bind(1, id);
    if (q.exec() == 0) return NotFound("user");
    tx.commit();
    return Ok();
  });
}

// ---- codes -----------------------------------------------------------------

Status SqliteStore::SaveCode(const CodeRecord& c) {
  return impl_->Run("save code", [&]() -> Status {
    auto& q = impl_->Prepare(
        "INSERT INTO auth_codes (hash, client_id, user_id, challenge, method, redirect_uri, "
        "scope, nonce, session_id, auth_time, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, c.hash);
    q.bind(2, c.client_id);
    q.bind(3, c.user_id);
    q.bind(4, c.challenge);
    q.bind(5, c.method);
    q.bind(6, c.redirect_uri);
    q.bind(7, c.scope);
    q.bind(8, c.nonce);
    q.bind(9, c.session_id);
    q.bind(10, c.auth_time);
    q.bind(11, c.expires_at);
    q.exec();
    return Ok();
  });
}

namespace {

// A code row and whether (and into which grant) it was spent.
struct StoredCode {
  CodeRecord code;
  bool used = false;
  std::string grant_id;  // empty when no grant came from it
};

std::optional<StoredCode> ReadCode(SqliteConnection& connection, const std::string& hash) {
  auto& q = connection.Prepare(
      "SELECT client_id, user_id, challenge, method, redirect_uri, scope, nonce, session_id, "
      "auth_time, expires_at, used_at, grant_id FROM auth_codes WHERE hash = ?");
  q.bind(1, hash);
  if (!q.executeStep()) return std::nullopt;
  StoredCode s;
  CodeRecord& c = s.code;
  c.hash = hash;
  c.client_id = q.getColumn(0).getString();
  c.user_id = q.getColumn(1).getString();
  c.challenge = q.getColumn(2).getString();
  c.method = q.getColumn(3).getString();
  c.redirect_uri = q.getColumn(4).getString();
  c.scope = q.getColumn(5).getString();
  c.nonce = q.getColumn(6).getString();
  c.session_id = q.getColumn(7).getString();
  c.auth_time = q.getColumn(8).getInt64();
  c.expires_at = q.getColumn(9).getInt64();
  s.used = !q.getColumn(10).isNull();
  s.grant_id = q.getColumn(11).isNull() ? "" : q.getColumn(11).getString();
  return s;
}

// RFC 6749 §4.1.2: a code presented again revokes what it issued. Caller holds
// a transaction.
Error RevokeReplayedCode(SqliteConnection& c, const std::string& grant_id) {
  if (!grant_id.empty()) {
    auto& r = c.Prepare("DELETE FROM grants WHERE id = ?");  // cascades its refresh tokens
    r.bind(1, grant_id);
    r.exec();
  }
  return InvalidGrant("the authorization code was already used; the tokens it issued are revoked");
}

void InsertRefresh(SqliteConnection& c, const RefreshRecord& r) {
  auto& q = c.Prepare(
      "INSERT INTO refresh_tokens (hash, grant_id, client_id, user_id, issued_at, expires_at) "
      "VALUES (?, ?, ?, ?, ?, ?)");
  q.bind(1, r.hash);
  q.bind(2, r.grant_id);
  q.bind(3, r.client_id);
  q.bind(4, r.user_id);
  q.bind(5, r.issued_at);
  q.bind(6, r.expires_at);
  q.exec();
}

constexpr const char* kGrantSelect =
    "SELECT id, client_id, user_id, scope, nonce, auth_time, created_at FROM grants WHERE id = ?";

}  // namespace

Result<CodeRecord> SqliteStore::FindUnusedCode(const std::string& hash, int64_t now) {
  return impl_->Read("find code", [&](SqliteConnection& c) -> Result<CodeRecord> {
    auto stored = ReadCode(c, hash);
    if (!stored) return InvalidGrant("the authorization code is invalid");
    if (stored->used) return Error(ErrorCode::kCodeUsed, "the authorization code was already used");
    if (stored->code.expires_at <= now) return InvalidGrant("the authorization code has expired");
    return std::move(stored->code);
  });
}

Status SqliteStore::SpendCode(const std::string& hash, int64_t now) {
  return impl_->Run("spend code", [&]() -> Status {
    SQLite::Transaction tx(*impl_->db);
    auto stored = ReadCode(*impl_, hash);
    if (!stored) return InvalidGrant("the authorization code is invalid");
    if (stored->used) {
      Error replayed = RevokeReplayedCode(*impl_, stored->grant_id);
      tx.commit();
      return replayed;
    }
    auto& u = impl_->Prepare("UPDATE auth_codes SET used_at = ? WHERE hash = ?");
    u.bind(1, now);
    u.bind(2, hash);
    u.exec();
    tx.commit();
    return Ok();
  });
}

Status SqliteStore::RedeemCode(const std::string& hash, int64_t now, const GrantRecord& g,
                               const RefreshRecord& first) {
  return impl_->Run("redeem code", [&]() -> Status {
    SQLite::Transaction tx(*impl_->db);
    auto& spend = impl_->Prepare(
        "UPDATE auth_codes SET used_at = ?, grant_id = ? WHERE hash = ? AND used_at IS NULL AND expires_at > ?");
    spend.bind(1, now);
    spend.bind(2, g.id);
    spend.bind(3, hash);
    spend.bind(4, now);
    if (spend.exec() == 0) {
      // Spent since it was checked (a concurrent redemption won), or gone.
      auto stored = ReadCode(*impl_, hash);
      if (!stored) return InvalidGrant("the authorization code is invalid");
      if (!stored->used) return InvalidGrant("the authorization code has expired");
      Error replayed = RevokeReplayedCode(*impl_, stored->grant_id);
      tx.commit();
      return replayed;
    }
    auto& q = impl_->Prepare(
        "INSERT INTO grants (id, client_id, user_id, scope, nonce, auth_time, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, g.id);
    q.bind(2, g.client_id);
    q.bind(3, g.user_id);
    q.bind(4, g.scope);
    q.bind(5, g.nonce);
    q.bind(6, g.auth_time);
    q.bind(7, g.created_at);
    q.exec();
    InsertRefresh(*impl_, first);
    tx.commit();
    return Ok();
  });
}

Result<std::optional<GrantRecord>> SqliteStore::GetGrant(const std::string& id) {
  return impl_->Read("get grant", [&](SqliteConnection& c) -> Result<std::optional<GrantRecord>> {
    auto& q = c.Prepare(kGrantSelect);
    q.bind(1, id);
    if (!q.executeStep()) return std::optional<GrantRecord>();
    return std::optional<GrantRecord>(ReadGrant(q));
  });
}

Result<GrantRecord> SqliteStore::RotateRefresh(const std::string& old_hash,
                                               const std::string& client_id,
                                               const RefreshRecord& next, int64_t now) {
  return impl_->Run("rotate refresh token", [&]() -> Result<GrantRecord> {
    SQLite::Transaction tx(*impl_->db);
    auto& q = impl_->Prepare(
        "SELECT grant_id, client_id, expires_at, used_at FROM refresh_tokens WHERE hash = ?");
    q.bind(1, old_hash);
    if (!q.executeStep()) return InvalidGrant("the refresh token is invalid or was revoked");
    std::string grant_id = q.getColumn(0).getString();
    std::string owner = q.getColumn(1).getString();
    int64_t expires_at = q.getColumn(2).getInt64();
    bool used = !q.getColumn(3).isNull();
    if (owner != client_id) return InvalidGrant("the refresh token was issued to another client");
    if (used) {
      auto& r = impl_->Prepare("DELETE FROM grants WHERE id = ?");
      r.bind(1, grant_id);
      r.exec();
      tx.commit();
      return InvalidGrant(
          "the refresh token was already used; every token of this login is now revoked");
    }
    if (expires_at <= now) return InvalidGrant("the refresh token has expired");
    auto& g = impl_->Prepare(kGrantSelect);
    g.bind(1, grant_id);
    if (!g.executeStep()) return InvalidGrant("the refresh token was revoked");
    GrantRecord grant = ReadGrant(g);
    auto& u = impl_->Prepare("UPDATE refresh_tokens SET used_at = ? WHERE hash = ?");
    u.bind(1, now);
    u.bind(2, old_hash);
    u.exec();
    RefreshRecord n = next;
    n.grant_id = grant.id;
    n.user_id = grant.user_id;
    InsertRefresh(*impl_, n);
    tx.commit();
    return grant;
  });
}

Result<std::optional<RefreshRecord>> SqliteStore::GetLiveRefresh(const std::string& hash, int64_t now) {
  return impl_->Read("get refresh token", [&](SqliteConnection& c) -> Result<std::optional<RefreshRecord>> {
    auto& q = c.Prepare(
        "SELECT grant_id, client_id, user_id, issued_at, expires_at FROM refresh_tokens "
        "WHERE hash = ? AND used_at IS NULL AND expires_at > ?");
    q.bind(1, hash);
    q.bind(2, now);
    if (!q.executeStep()) return std::optional<RefreshRecord>();
    RefreshRecord r;
    r.hash = hash;
    r.grant_id = q.getColumn(0).getString();
    r.client_id = q.getColumn(1).getString();
    r.user_id = q.getColumn(2).getString();
    r.issued_at = q.getColumn(3).getInt64();
    r.expires_at = q.getColumn(4).getInt64();
    return std::optional<RefreshRecord>(r);
  });
}

Status SqliteStore::RevokeGrant(const std::string& grant_id) {
  return impl_->Run("revoke grant", [&]() -> Status {
    auto& q = impl_->Prepare("DELETE FROM grants WHERE id = ?");
    q.bind(1, grant_id);
    q.exec();
    return Ok();
  });
}

Status SqliteStore::RevokeAccessToken(const std::string& jti, int64_t expires_at) {
  return impl_->Run("revoke access token", [&]() -> Status {
    auto& q = impl_->Prepare(
        "INSERT INTO revoked_access_tokens (jti, expires_at) VALUES (?, ?) ON CONFLICT(jti) DO NOTHING");
    q.bind(1, jti);
    q.bind(2, expires_at);
    q.exec();
    return Ok();
  });
}

Result<bool> SqliteStore::IsAccessTokenRevoked(const std::string& jti) {
  return impl_->Read("check revoked access token", [&](SqliteConnection& c) -> Result<bool> {
    auto& q = c.Prepare("SELECT 1 FROM revoked_access_tokens WHERE jti = ?");
    q.bind(1, jti);
    return q.executeStep();
  });
}

Status SqliteStore::PurgeExpired(int64_t now) {
  return impl_->Run("purge expired", [&]() -> Status {
    SQLite::Transaction tx(*impl_->db);
    auto& c = impl_->Prepare("DELETE FROM auth_codes WHERE expires_at <= ?");
    c.bind(1, now);
    c.exec();
    // A used refresh token is kept until it would have expired, for reuse detection.
    auto& r = impl_->Prepare("DELETE FROM refresh_tokens WHERE expires_at <= ?");
    r.bind(1, now);
    r.exec();
    auto& a = impl_->Prepare("DELETE FROM revoked_access_tokens WHERE expires_at <= ?");
    a.bind(1, now);
    a.exec();
    auto& sessions = impl_->Prepare("DELETE FROM admin_sessions WHERE expires_at <= ?");
    sessions.bind(1, now);
    sessions.exec();
    auto& g = impl_->Prepare(
        "DELETE FROM grants WHERE NOT EXISTS "
        "(SELECT 1 FROM refresh_tokens WHERE refresh_tokens.grant_id = grants.id)");
    g.exec();
    tx.commit();
    return Ok();
  });
}

// ---- keys ------------------------------------------------------------------

Status SqliteStore::SaveKey(const KeyRecord& k) {
  return impl_->Run("save key", [&]() -> Status {
    auto& q = impl_->Prepare(
        "INSERT INTO signing_keys (kid, alg, private_pem, created_at, retired_at) "
        "VALUES (?, ?, ?, ?, ?)");
    q.bind(1, k.kid);
    q.bind(2, k.alg);
    q.bind(3, k.private_pem);
    q.bind(4, k.created_at);
    q.bind(5, k.retired_at);
    q.exec();
    return Ok();
  });
}

Result<std::vector<KeyRecord>> SqliteStore::ListKeys() {
  return impl_->Read("list keys", [&](SqliteConnection& c) -> Result<std::vector<KeyRecord>> {
    auto& q = c.Prepare(
        "SELECT kid, alg, private_pem, created_at, retired_at FROM signing_keys "
        "ORDER BY retired_at = 0 DESC, retired_at DESC, created_at DESC, kid");
    std::vector<KeyRecord> out;
    while (q.executeStep()) {
      KeyRecord k;
      k.kid = q.getColumn(0).getString();
      k.alg = q.getColumn(1).getString();
      k.private_pem = q.getColumn(2).getString();
      k.created_at = q.getColumn(3).getInt64();
      k.retired_at = q.getColumn(4).getInt64();
      out.push_back(std::move(k));
    }
    return out;
  });
}

Status SqliteStore::RetireKeysExcept(const std::string& keep_kid, int64_t now) {
  return impl_->Run("retire keys", [&]() -> Status {
    auto& q = impl_->Prepare(
        "UPDATE signing_keys SET retired_at = ? WHERE retired_at = 0 AND kid <> ?");
    q.bind(1, now);
    q.bind(2, keep_kid);
    q.exec();
    return Ok();
  });
}

Status SqliteStore::DeleteKey(const std::string& kid) {
  return impl_->Run("delete key", [&]() -> Status {
    auto& q = impl_->Prepare("DELETE FROM signing_keys WHERE kid = ?");
    q.bind(1, kid);
    q.exec();
    return Ok();
  });
}

Status SqliteStore::UpdateKeyPem(const std::string& kid, const std::string& private_pem) {
  return impl_->Run("update key", [&]() -> Status {
    auto& q = impl_->Prepare("UPDATE signing_keys SET private_pem = ? WHERE kid = ?");
    q.bind(1, private_pem);
    q.bind(2, kid);
    if (q.exec() == 0) return NotFound("signing key");
    return Ok();
  });
}

}  // namespace atm
