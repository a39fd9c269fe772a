// Storage of what a login issues: authorization codes, the grant (token
// family) a redeemed code starts, its refresh tokens, and revoked access
// tokens. Redeeming a code, rotating a refresh token and revoking a grant are
// each one transaction. Errors are values (invalid_grant for a code or token
// that cannot be used).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"
#include "store/records.h"

namespace atm {

class GrantStore {
 public:
  virtual ~GrantStore() = default;

  // Authorization codes (RFC 6749 §4.1.2: single use, short-lived).
  virtual Status SaveCode(const CodeRecord& code, const AuditEvent* audit = nullptr) = 0;
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
  // Fails with invalid_grant for unknown, expired, revoked, or another
  // client's tokens, and refresh_reused for a reused one; then `on_reuse`
  // (when given) is written to the audit trail in the revoking transaction,
  // its subject the revoked grant.
  virtual Result<GrantRecord> RotateRefresh(const std::string& old_hash, const std::string& client_id,
                                            const RefreshRecord& next, int64_t now,
                                            const AuditEvent* on_reuse = nullptr) = 0;
  // The grant of a live (unused, unexpired, unrevoked) refresh token.
  virtual Result<std::optional<RefreshRecord>> GetLiveRefresh(const std::string& hash, int64_t now) = 0;
  virtual Status RevokeGrant(const std::string& grant_id) = 0;
  // Access tokens are JWTs: revoking one (RFC 7009) records its jti until it
  // would have expired anyway. Recording it twice is not an error.
  virtual Status RevokeAccessToken(const std::string& jti, int64_t expires_at) = 0;
  virtual Result<bool> IsAccessTokenRevoked(const std::string& jti) = 0;
};

}  // namespace atm
