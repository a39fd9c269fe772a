// Store on SQLite. All SQL lives in its files, one per aggregate
// (sqlite_clients.cpp, sqlite_users.cpp, sqlite_grants.cpp,
// sqlite_device_codes.cpp, sqlite_keys.cpp,
// sqlite_admins.cpp; opening, migrating and purging in sqlite_store.cpp),
// with bound parameters only (sqlite_connection.h).
//
// Connection use: one writer connection behind a mutex makes every write
// (SQLite serialises writers anyway). A file database runs in WAL mode and
// also has a reader connection per core for lookups, which never wait for a
// commit in progress; a `:memory:` database exists only on the connection
// that made it, so there the writer also reads. Statements are prepared once
// per connection and reused, found by their SQL text. The busy timeout lets
// the CLI write to the database while a server runs on it.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "core/metrics.h"
#include "store/store.h"

namespace atm {

// How SqliteStore::Backup copies: in steps of `pages_per_step` pages with a
// pause between them, so that the copy takes the disk in turns with the
// server rather than all at once.
struct BackupOptions {
  int pages_per_step = 256;  // 1 MiB at SQLite's 4 KiB pages
  int pause_ms = 2;
};

struct BackupReport {
  int64_t pages = 0;
  int64_t bytes = 0;
  int steps = 0;
};

struct SqliteOptions {
  std::string path = ":memory:";
  bool synchronous_full = false;  // FULL survives power loss; NORMAL survives crashes
  int busy_timeout_ms = 5000;
};

class SqliteStore final : public Store {
 public:
  // Opens (creating if needed) and migrates the database.
  static Result<std::unique_ptr<SqliteStore>> Open(const SqliteOptions& options);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  // ClientStore: sqlite_clients.cpp.
  Status CreateClient(const ClientRecord& client, const AuditEvent* audit = nullptr) override;
  Result<std::optional<ClientRecord>> GetClient(const std::string& id) override;
  Result<std::vector<ClientRecord>> ListClients(const Page& page) override;
  Result<int64_t> CountClients() override;
  Status UpdateClient(const ClientRecord& client, const AuditEvent* audit = nullptr) override;
  Status SetClientSecret(const std::string& id, const std::string& secret_hash, int64_t updated_at,
                         const AuditEvent* audit = nullptr) override;
  Status DeleteClient(const std::string& id, const AuditEvent* audit = nullptr) override;

  // UserStore: sqlite_users.cpp.
  Status CreateUser(const UserRecord& user, const AuditEvent* audit = nullptr) override;
  Result<std::optional<UserRecord>> GetUser(const std::string& id) override;
  Result<std::optional<UserRecord>> FindUserByEmail(const std::string& client_id, const std::string& email) override;
  Result<std::vector<UserRecord>> ListUsers(const std::string& client_id, const std::string& email_filter,
                                            const Page& page) override;
  Result<int64_t> CountUsers(const std::string& client_id, const std::string& email_filter) override;
  Status UpdateUser(const UserRecord& user, const AuditEvent* audit = nullptr) override;
  Status SetUserPassword(const std::string& id, const std::string& password_hash, int64_t updated_at,
                         const AuditEvent* audit = nullptr) override;
  Status DeleteUser(const std::string& id, const AuditEvent* audit = nullptr) override;

  // GrantStore: sqlite_grants.cpp.
  Status SaveCode(const CodeRecord& code, const AuditEvent* audit = nullptr) override;
  Result<CodeRecord> FindUnusedCode(const std::string& hash, int64_t now) override;
  Status SpendCode(const std::string& hash, int64_t now) override;
  Status RedeemCode(const std::string& hash, int64_t now, const GrantRecord& grant,
                    const RefreshRecord& first) override;
  Result<std::optional<GrantRecord>> GetGrant(const std::string& id) override;
  Result<GrantRecord> RotateRefresh(const std::string& old_hash, const std::string& client_id,
                                    const RefreshRecord& next, int64_t now,
                                    const AuditEvent* on_reuse = nullptr) override;
  Result<std::optional<RefreshRecord>> GetLiveRefresh(const std::string& hash, int64_t now) override;
  Status RevokeGrant(const std::string& grant_id) override;
  Status RevokeAccessToken(const std::string& jti, int64_t expires_at) override;
  Result<bool> IsAccessTokenRevoked(const std::string& jti) override;

  // DeviceCodeStore: sqlite_device_codes.cpp.
  Status SaveDeviceCode(const DeviceCodeRecord& record) override;
  Result<std::optional<DeviceCodeRecord>> FindPendingDeviceCode(const std::string& user_code_hash,
                                                                int64_t now) override;
  Status BindDeviceUser(const std::string& user_code_hash, const std::string& user_id, int64_t auth_time,
                        const std::string& consent_hash, int64_t now, const AuditEvent* audit = nullptr) override;
  Result<DeviceCodeRecord> DecideDeviceCode(const std::string& user_code_hash, const std::string& consent_hash,
                                            bool approved, int64_t now, const AuditEvent* audit = nullptr) override;
  Result<DeviceCodeRecord> PollDeviceCode(const std::string& device_hash, const std::string& client_id,
                                          int64_t now) override;
  Status RedeemDeviceCode(const std::string& device_hash, int64_t now, const GrantRecord& grant,
                          const RefreshRecord& first) override;

  // KeyStore: sqlite_keys.cpp (DataVersion: sqlite_store.cpp).
  Result<bool> InstallSigningKey(const KeyRecord& key, const std::string& expected_current,
                                 const AuditEvent* audit = nullptr) override;
  Result<std::vector<KeyRecord>> ListKeys() override;
  Status DeleteKey(const std::string& kid) override;
  Status UpdateKeyPem(const std::string& kid, const std::string& private_pem) override;
  Result<int64_t> DataVersion() override;

  // AdminStore: sqlite_admins.cpp.
  Status CreateAdmin(const AdminRecord& admin, const AuditEvent* audit = nullptr) override;
  Result<std::optional<AdminRecord>> FindAdmin(const std::string& username) override;
  Result<std::vector<AdminRecord>> ListAdmins() override;
  Status SetAdminPassword(const std::string& admin_id, const std::string& password_hash, int64_t now,
                          const AuditEvent* audit = nullptr) override;
  Status DeleteAdmin(const std::string& admin_id, const AuditEvent* audit = nullptr) override;
  Status CreateAdminSession(const AdminSessionRecord& session, const AuditEvent* audit = nullptr) override;
  Result<std::optional<std::pair<AdminSessionRecord, AdminRecord>>> GetAdminSession(const std::string& token_hash,
                                                                                    int64_t now) override;
  Status DeleteAdminSession(const std::string& token_hash) override;

  // AuditStore: sqlite_audit.cpp.
  Status AppendAudit(const AuditEvent& event) override;
  Result<std::vector<AuditEvent>> ListAudit(const AuditFilter& filter, const Page& page) override;
  Result<int64_t> CountAudit(const AuditFilter& filter) override;
  Result<int64_t> PruneAudit(int64_t before) override;

  // Store: sqlite_store.cpp.
  Status PurgeExpired(int64_t now) override;

  // Readiness: commits a write (one row of its own table), waiting at most
  // `timeout_ms` for a lock held elsewhere; an error when the database does
  // not take writes now.
  Status ProbeWrite(int64_t now, int timeout_ms) override;
  // The number of migrations this atm knows (SchemaVersion() when migrated).
  static int LatestSchemaVersion();
  // The time each write (Run on the writer) took, the wait for the writer included.
  const LatencyHistogram& write_latency() const;

  // PRAGMA integrity_check, "ok" when sound.
  Result<std::string> IntegrityCheck();
  // PRAGMA user_version: the number of migrations applied.
  Result<int> SchemaVersion() override;
  int KnownSchemaVersion() const override { return LatestSchemaVersion(); }
  // Frames in the write-ahead log after the last commit (0 for ":memory:").
  int64_t WalFrames() const;

  // sqlite_backup.cpp: a consistent copy of the database file at `source`
  // written to `dest` with SQLite's online backup API, while servers and
  // other processes go on reading and writing it. The copy is of one
  // moment: a read transaction is held on `source` for the whole copy, which
  // in WAL mode blocks no writer (checkpoints stop at that moment until the
  // copy ends). It is written to a temporary file beside `dest` (mode 0600),
  // synced, renamed over `dest`, and the folder synced: `dest` is either the
  // old file or the whole new copy. `source` is never written to.
  static Result<BackupReport> Backup(const std::string& source, const std::string& dest,
                                     const BackupOptions& options = {});
  // Puts the backup file `backup` in place of the database at `dest`
  // (created, mode 0600, when absent), in one SQLite transaction: after a
  // crash `dest` is the old database or the backup, never a mix. Refused
  // (kConflict) while any other connection has `dest` open, a server above
  // all: it holds an exclusive lock on `dest` for the whole copy. `backup`
  // must pass PRAGMA integrity_check and be at a schema this atm knows
  // (kInvalidRequest otherwise); it is only read.
  static Result<BackupReport> Restore(const std::string& backup, const std::string& dest);

  // sqlite_snapshot.cpp, for the test-control API's reset (README "Testing
  // against atm"): SaveSnapshot copies every row but the signing keys into
  // memory; RestoreSnapshot puts them back in one transaction.
  Status SaveSnapshot();
  Status RestoreSnapshot();

  struct Impl;

 private:
  explicit SqliteStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace atm
