// The one storage interface. Every method is atomic: it runs in one transaction
// and either happens entirely or not at all. Errors are values:
//   not_found (404), conflict (409, with the field at fault), server_error.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "store/records.h"

namespace atm {

class Store {
 public:
  virtual ~Store() = default;

  // Applications (clients).
  virtual Status CreateClient(const ClientRecord& client) = 0;
  virtual Result<std::optional<ClientRecord>> GetClient(const std::string& id) = 0;
  virtual Result<std::vector<ClientRecord>> ListClients(const Page& page) = 0;
  virtual Result<int64_t> CountClients() = 0;
  // Name, redirect URLs, disabled and updated_at; never the secret, which
  // changes only through SetClientSecret (so that an edit racing a rotation
  // cannot write the old secret back).
  virtual Status UpdateClient(const ClientRecord& client) = 0;
  virtual Status SetClientSecret(const std::string& id, const std::string& secret_hash, int64_t updated_at) = 0;
  // Also deletes its users and every grant, code and token it holds.
  virtual Status DeleteClient(const std::string& id) = 0;

  // Users, each belonging to one application. Emails are unique per
  // application, compared case-insensitively.
  virtual Status CreateUser(const UserRecord& user) = 0;
  virtual Result<std::optional<UserRecord>> GetUser(const std::string& id) = 0;
  virtual Result<std::optional<UserRecord>> FindUserByEmail(const std::string& client_id,
                                                            const std::string& email) = 0;
  // Users of an application whose email contains `email_filter` (empty: all).
  virtual Result<std::vector<UserRecord>> ListUsers(const std::string& client_id,
                                                    const std::string& email_filter,
                                                    const Page& page) = 0;
  virtual Result<int64_t> CountUsers(const std::string& client_id,
                                     const std::string& email_filter) = 0;
  // Email, names, disabled and updated_at; never the password hash, which
  // changes only through SetUserPassword.
  virtual Status UpdateUser(const UserRecord& user) = 0;
  virtual Status SetUserPassword(const std::string& id, const std::string& password_hash, int64_t updated_at) = 0;
  // Also revokes every grant of the user.
  virtual Status DeleteUser(const std::string& id) = 0;

  // Authorization codes (RFC 6749 §4.1.2: single use, short-lived).
  virtual Status SaveCode(const CodeRecord& code) = 0;
  // The code, unspent and unexpired (reads only). invalid_grant when unknown
  // or expired; kCodeUsed when spent (SpendCode then revokes its grant).
  virtual Result<CodeRecord> FindUnusedCode(const std::string& hash, int64_t now) = 0;
  // Spends the code without a grant (a failed check: the verifier cannot be
  // tried twice). A code spent before yields invalid_grant and revokes the
  // grant issued from it (RFC 6749 §4.1.2).
  virtual Status SpendCode(const std::string& hash, int64_t now) = 0;

  // Grants and refresh tokens.
  // One transaction: spends the unused, unexpired code and creates its grant
  // with the first refresh token. When the code was spent meanwhile (a
  // concurrent redemption won), revokes the grant that redemption created and
  // yields invalid_grant, keeping nothing of `grant`.
  virtual Status RedeemCode(const std::string& hash, int64_t now, const GrantRecord& grant,
                            const RefreshRecord& first) = 0;
  virtual Result<std::optional<GrantRecord>> GetGrant(const std::string& id) = 0;
  // Swaps `old_hash` for `next`: the old token is marked used, not deleted. A
  // token presented a second time revokes its whole grant (reuse detection).
  // `next` takes the grant and user of the old token. Returns the grant.
  // Fails with invalid_grant for unknown, expired, revoked,
  // reused, or another client's tokens.
  virtual Result<GrantRecord> RotateRefresh(const std::string& old_hash,
                                            const std::string& client_id,
                                            const RefreshRecord& next, int64_t now) = 0;
  // The grant of a live (unused, unexpired, unrevoked) refresh token.
  virtual Result<std::optional<RefreshRecord>> GetLiveRefresh(const std::string& hash,
                                                              int64_t now) = 0;
  virtual Status RevokeGrant(const std::string& grant_id) = 0;
  // Access tokens are JWTs: revoking one (RFC 7009) records its jti until it
  // would have expired anyway. Recording it twice is not an error.
  virtual Status RevokeAccessToken(const std::string& jti, int64_t expires_at) = 0;
  virtual Result<bool> IsAccessTokenRevoked(const std::string& jti) = 0;
  // Deletes codes, refresh tokens, revoked-token records and admin sessions that
  // expired before `now`.
  virtual Status PurgeExpired(int64_t now) = 0;

  // Signing keys.
  virtual Status SaveKey(const KeyRecord& key) = 0;
  // The signing key first, then retired keys, most recently retired first
  // (keys made within one second still come out in a stable, meaningful order).
  virtual Result<std::vector<KeyRecord>> ListKeys() = 0;
  // Retires every active key except `keep_kid`.
  virtual Status RetireKeysExcept(const std::string& keep_kid, int64_t now) = 0;
  virtual Status DeleteKey(const std::string& kid) = 0;
  // Replaces the stored private key of `kid` (re-encryption at rest).
  virtual Status UpdateKeyPem(const std::string& kid, const std::string& private_pem) = 0;

  // Admin accounts. Usernames are unique, compared case-insensitively.
  virtual Status CreateAdmin(const AdminRecord& admin) = 0;
  virtual Result<std::optional<AdminRecord>> FindAdmin(const std::string& username) = 0;
  virtual Result<std::vector<AdminRecord>> ListAdmins() = 0;
  // Replaces the password hash and ends every session of the admin.
  virtual Status SetAdminPassword(const std::string& admin_id, const std::string& password_hash,
                                  int64_t now) = 0;
  // Also ends every session of the admin.
  virtual Status DeleteAdmin(const std::string& admin_id) = 0;

  // Admin sessions, looked up by the hash of their token.
  virtual Status CreateAdminSession(const AdminSessionRecord& session) = 0;
  // The live (unexpired) session with this token hash, and its admin.
  virtual Result<std::optional<std::pair<AdminSessionRecord, AdminRecord>>> GetAdminSession(
      const std::string& token_hash, int64_t now) = 0;
  virtual Status DeleteAdminSession(const std::string& token_hash) = 0;

  // A number that changes whenever another connection or process commits, so
  // caches can tell when to reload (SQLite's PRAGMA data_version).
  virtual Result<int64_t> DataVersion() = 0;
};

}  // namespace atm
