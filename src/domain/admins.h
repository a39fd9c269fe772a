// Administrators of the console and the admin API: accounts (scrypt
// passwords, through UserService's bounded hashing) and sessions.
//
// A session is a random 256-bit token handed to the admin (as the console's
// cookie or as an API bearer token) and stored only as its SHA-256, with an
// absolute expiry. Checking one is a lookup by that hash, so any thread (or
// another process on the same database) sees sign-outs and expiries at once.
// A console session's CSRF token is derived from the session token, so it is
// never stored and is worthless without the cookie.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "domain/admin_policy.h"
#include "domain/audit.h"
#include "domain/users.h"
#include "store/store.h"

namespace atm {

enum class AdminSessionKind { kConsole, kApi };

struct AdminSignIn {
  AdminRecord admin;
  std::string token;       // the secret: shown once, stored only hashed
  std::string csrf_token;  // console sessions send it as X-CSRF-Token on every change
  AdminSessionKind kind = AdminSessionKind::kConsole;
  int64_t expires_at = 0;
};

// Who made an authenticated request.
struct AdminIdentity {
  AdminRecord admin;
  AdminSessionKind kind = AdminSessionKind::kConsole;
  int64_t expires_at = 0;
};

class AdminService {
 public:
  AdminService(Store& store, const Clock& clock, UserService& passwords, AdminPolicy policy);

  // Changes and sign-ins are written to the audit trail as made `by`.
  Result<AdminRecord> Create(const std::string& username, const std::string& password, const Actor& by = {});
  // Start-up seeding: creates `username` with `password` or `password_hash`
  // when absent; leaves an existing admin as it is. True when created.
  Result<bool> Ensure(const std::string& username, const std::string& password, const std::string& password_hash);
  Result<AdminRecord> Get(const std::string& username);
  Result<std::vector<AdminRecord>> List();
  // Also ends every session of the admin.
  Status SetPassword(const std::string& username, const std::string& password, const Actor& by = {});
  Status Delete(const std::string& username, const Actor& by = {});

  // Checks the password (the same work for an unknown username) and starts a
  // session of `kind`, lasting the policy's session_ttl or token_ttl.
  Result<AdminSignIn> SignIn(const std::string& username, const std::string& password, AdminSessionKind kind,
                             const std::string& address = {});
  // An API token for `username` without its password: for the CLI, which
  // holds the database anyway. `ttl` 0 means the policy's token_ttl.
  Result<AdminSignIn> IssueToken(const std::string& username, int64_t ttl);
  // The admin behind a live session token, or invalid_token (401).
  Result<AdminIdentity> Check(const std::string& token);
  // Ends the session at once; unknown tokens are ignored.
  Status SignOut(const std::string& token);

  // The CSRF token of a console session, and its constant-time check.
  static std::string CsrfToken(const std::string& session_token);
  static bool CheckCsrf(const std::string& session_token, const std::string& presented);

  const AdminPolicy& policy() const { return policy_; }

 private:
  Result<AdminSignIn> StartSession(const AdminRecord& admin, AdminSessionKind kind, int64_t ttl,
                                   const AuditEvent* audit = nullptr);
  const std::string& DummyHash();

  Store& store_;
  const Clock& clock_;
  UserService& passwords_;
  AdminPolicy policy_;
  std::once_flag dummy_once_;
  std::string dummy_hash_;
};

// Admin usernames: 1 to 64 characters of A-Z a-z 0-9 . _ @ -
Status ValidateAdminUsername(const std::string& username);

}  // namespace atm
