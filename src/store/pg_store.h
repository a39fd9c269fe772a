// Store on PostgreSQL (storage.url = "postgres://..."), for several atm nodes
// on one database (docs/SCALING.md). The same Store contract as SqliteStore,
// plus the shared sign-in throttle counters (ThrottleStore) and browser
// sign-in sessions (LoginSessionStore). All SQL lives in
// its files, one per aggregate (pg_clients.cpp, pg_users.cpp, pg_grants.cpp,
// pg_device_codes.cpp, pg_keys.cpp, pg_admins.cpp, pg_audit.cpp,
// pg_throttle.cpp, pg_login_sessions.cpp; connecting, migrating and purging in pg_store.cpp), with
// bound parameters only (pg_connection.h).
//
// Connections: a pool of `pool_size` libpq connections; a call takes one for
// its transaction and gives it back. A connection the server dropped is
// replaced on the next call, so atm recovers by itself when PostgreSQL comes
// back. While the database cannot be reached, calls fail with
// temporarily_unavailable (503), never server_error.
// Concurrency across nodes comes from the database: single-use codes and
// refresh rotation are conditional UPDATEs (one wins), migrations take a
// transaction advisory lock, and key installs lock the key version's row.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/metrics.h"
#include "store/login_session_store.h"
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

class PgStore final : public Store, public ThrottleStore, public LoginSessionStore {
 public:
  // Connects, then migrates the schema (one node at a time).
  static Result<std::unique_ptr<PgStore>> Open(const PgOptions& options);
  ~PgStore() override;
  PgStore(const PgStore&) = delete;
  PgStore& operator=(const PgStore&) = delete;

  // ClientStore: pg_clients.cpp.
  Status CreateClient(const ClientRecord& client, const AuditEvent* audit = nullptr) override;
  Result<std::optional<ClientRecord>> GetClient(const std::string& id) override;
  Result<std::vector<ClientRecord>> ListClients(const Page& page) override;
  Result<int64_t> CountClients() override;
  Status UpdateClient(const ClientRecord& client, const AuditEvent* audit = nullptr) override;
  Status SetClientSecret(const std::string& id, const std::string& secret_hash, int64_t updated_at,
                         const AuditEvent* audit = nullptr) override;
  Status DeleteClient(const std::string& id, const AuditEvent* audit = nullptr) override;

  // UserStore: pg_users.cpp.
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

  // GrantStore: pg_grants.cpp.
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

  // DeviceCodeStore: pg_device_codes.cpp.
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

  // KeyStore: pg_keys.cpp (DataVersion: pg_store.cpp).
  Result<bool> InstallSigningKey(const KeyRecord& key, const std::string& expected_current,
                                 const AuditEvent* audit = nullptr) override;
  Result<std::vector<KeyRecord>> ListKeys() override;
  Status DeleteKey(const std::string& kid) override;
  Status UpdateKeyPem(const std::string& kid, const std::string& private_pem) override;
  Result<int64_t> DataVersion() override;

  // AdminStore: pg_admins.cpp.
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

  // AuditStore: pg_audit.cpp.
  Status AppendAudit(const AuditEvent& event) override;
  Result<std::vector<AuditEvent>> ListAudit(const AuditFilter& filter, const Page& page) override;
  Result<int64_t> CountAudit(const AuditFilter& filter) override;
  Result<int64_t> PruneAudit(int64_t before) override;

  // ThrottleStore: pg_throttle.cpp.
  Result<std::vector<ThrottleCounter>> GetThrottleCounters(const std::vector<std::string>& keys) override;
  Status AddThrottleFailures(const std::vector<std::string>& keys, int64_t now, int64_t forget_after) override;
  Status TrustThrottleKey(const std::string& key, int64_t trusted_until) override;
  Status PurgeThrottle(int64_t now, int64_t forget_after) override;
  Status ClearThrottle() override;

  // LoginSessionStore: pg_login_sessions.cpp.
  Status SaveLoginSignIn(const std::string& old_key, const std::string& key, const std::string& client_id,
                         const LoginSignInRecord& sign_in, int64_t now, int64_t new_expires_at) override;
  Result<std::optional<LoginSignInRecord>> FindLoginSignIn(const std::string& key, const std::string& client_id,
                                                           int64_t now) override;
  Result<bool> EndLoginSession(const std::string& key, int64_t now) override;
  Status ClearLoginSessions() override;

  // Store: pg_store.cpp.
  Status PurgeExpired(int64_t now) override;

  // Readiness: a transaction that takes a transaction id, as any write does
  // (a read-only standby refuses it), within `timeout_ms`;
  // temporarily_unavailable when the database is away.
  Status ProbeWrite(int64_t now, int timeout_ms) override;
  // The number of migrations this atm knows, and how many the database has.
  static int LatestSchemaVersion();
  Result<int> SchemaVersion() override;
  int KnownSchemaVersion() const override { return LatestSchemaVersion(); }
  // Drops `options.schema` and everything in it: the clean-up of the fresh
  // schemas the tests make. invalid_request for an empty schema.
  static Status DropSchema(const PgOptions& options);

  struct Impl;

 private:
  explicit PgStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace atm
