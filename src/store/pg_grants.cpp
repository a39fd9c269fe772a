// PgStore: authorization codes, grants and their refresh tokens, and
// revoked access tokens. Redeeming a code and rotating a refresh token are
// each one transaction whose first statement is a conditional UPDATE: of two
// nodes spending the same code or token at once, the second waits for the
// first's row lock, then finds the row spent (PostgreSQL re-checks the
// condition on the committed row) and takes the reuse path, as SQLite's
// second writer does.
#include <optional>
#include <string>

#include "store/pg_impl.h"
#include "store/record_rows.h"

namespace atm {
namespace {

std::optional<rows::StoredCode> FindCode(PgConnection& db, const std::string& hash) {
  return db.QueryOne(rows::kSelectStoredCodes + "WHERE hash = $1", rows::ReadStoredCode, hash);
}

// RFC 6749 §4.1.2: a code presented again revokes what it issued. Caller holds
// a transaction.
Error RevokeReplayedCode(PgConnection& db, const std::string& grant_id) {
  if (!grant_id.empty()) db.Exec("DELETE FROM grants WHERE id = $1", grant_id);  // cascades its refresh tokens
  return InvalidGrant("the authorization code was already used; the tokens it issued are revoked");
}

void InsertRefresh(PgConnection& db, const RefreshRecord& r) {
  db.Exec(
      "INSERT INTO refresh_tokens (hash, grant_id, client_id, user_id, issued_at, expires_at) "
      "VALUES ($1, $2, $3, $4, $5, $6)",
      r.hash, r.grant_id, r.client_id, r.user_id, r.issued_at, r.expires_at);
}

}  // namespace

void InsertGrant(PgConnection& db, const GrantRecord& g, const RefreshRecord& first) {
  db.Exec(
      "INSERT INTO grants (id, client_id, user_id, scope, nonce, auth_time, created_at) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7)",
      g.id, g.client_id, g.user_id, g.scope, g.nonce, g.auth_time, g.created_at);
  InsertRefresh(db, first);
}

Status PgStore::SaveCode(const CodeRecord& c, const AuditEvent* audit) {
  return impl_->Run("save code", [&](PgConnection& db) -> Status {
    PgTransaction tx(db);
    db.Exec(
        "INSERT INTO auth_codes (hash, client_id, user_id, challenge, method, redirect_uri, "
        "scope, nonce, session_id, auth_time, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        c.hash, c.client_id, c.user_id, c.challenge, c.method, c.redirect_uri, c.scope, c.nonce, c.session_id,
        c.auth_time, c.expires_at);
    InsertAudit(db, audit);
    tx.Commit();
    return Ok();
  });
}

Result<CodeRecord> PgStore::FindUnusedCode(const std::string& hash, int64_t now) {
  return impl_->Read("find code", [&](PgConnection& db) -> Result<CodeRecord> {
    auto stored = FindCode(db, hash);
    if (!stored) return InvalidGrant("the authorization code is invalid");
    if (stored->used) return Error(ErrorCode::kCodeUsed, "the authorization code was already used");
    if (stored->code.expires_at <= now) return Error(ErrorCode::kCodeExpired, "the authorization code has expired");
    return std::move(stored->code);
  });
}

Status PgStore::SpendCode(const std::string& hash, int64_t now) {
  return impl_->Run("spend code", [&](PgConnection& db) -> Status {
    PgTransaction tx(db);
    if (db.Exec("UPDATE auth_codes SET used_at = $1 WHERE hash = $2 AND used_at IS NULL", now, hash) == 1) {
      tx.Commit();
      return Ok();
    }
    // Unknown, or spent before (perhaps by a concurrent redemption).
    auto stored = FindCode(db, hash);
    if (!stored) return InvalidGrant("the authorization code is invalid");
    Error replayed = RevokeReplayedCode(db, stored->grant_id);
    tx.Commit();
    return replayed;
  });
}

Status PgStore::RedeemCode(const std::string& hash, int64_t now, const GrantRecord& g, const RefreshRecord& first) {
  return impl_->Run("redeem code", [&](PgConnection& db) -> Status {
    PgTransaction tx(db);
    const int spent = db.Exec(
        "UPDATE auth_codes SET used_at = $1, grant_id = $2 WHERE hash = $3 AND used_at IS NULL AND expires_at > $1",
        now, g.id, hash);
    if (spent == 0) {
      // Spent since it was checked (a concurrent redemption won), or gone.
      auto stored = FindCode(db, hash);
      if (!stored) return InvalidGrant("the authorization code is invalid");
      if (!stored->used) return Error(ErrorCode::kCodeExpired, "the authorization code has expired");
      Error replayed = RevokeReplayedCode(db, stored->grant_id);
      tx.Commit();
      return replayed;
    }
    InsertGrant(db, g, first);
    tx.Commit();
    return Ok();
  });
}

Result<std::optional<GrantRecord>> PgStore::GetGrant(const std::string& id) {
  return impl_->Read("get grant", [&](PgConnection& db) -> Result<std::optional<GrantRecord>> {
    return db.QueryOne(rows::kSelectGrants + "WHERE id = $1", rows::ReadGrant, id);
  });
}

Result<GrantRecord> PgStore::RotateRefresh(const std::string& old_hash, const std::string& client_id,
                                           const RefreshRecord& next, int64_t now, const AuditEvent* on_reuse) {
  return impl_->Run("rotate refresh token", [&](PgConnection& db) -> Result<GrantRecord> {
    PgTransaction tx(db);
    auto spent = db.QueryOne(
        "UPDATE refresh_tokens SET used_at = $1 "
        "WHERE hash = $2 AND client_id = $3 AND used_at IS NULL AND expires_at > $1 RETURNING grant_id",
        [](PgRow& row) { return row.Text(); }, now, old_hash, client_id);
    if (!spent) {
      // Why not, in SQLite's order: unknown, another client's, reused, expired.
      struct Old {
        std::string grant_id, owner;
        int64_t expires_at;
        bool used;
      };
      auto old = db.QueryOne(
          "SELECT grant_id, client_id, expires_at, used_at IS NOT NULL FROM refresh_tokens WHERE hash = $1",
          [](PgRow& row) {
            return Old{row.Text(), row.Text(), row.Int(), row.Bool()};
          },
          old_hash);
      if (!old) return InvalidGrant("the refresh token is invalid or was revoked");
      if (old->owner != client_id) return InvalidGrant("the refresh token was issued to another client");
      if (old->used) {
        db.Exec("DELETE FROM grants WHERE id = $1", old->grant_id);
        if (on_reuse) {
          AuditEvent event = *on_reuse;
          event.subject = old->grant_id;
          InsertAudit(db, &event);
        }
        tx.Commit();
        return Error(ErrorCode::kRefreshReused,
                     "the refresh token was already used; every token of this login is now revoked");
      }
      return InvalidGrant("the refresh token has expired");
    }
    auto grant = db.QueryOne(rows::kSelectGrants + "WHERE id = $1", rows::ReadGrant, *spent);
    if (!grant) return InvalidGrant("the refresh token was revoked");
    RefreshRecord n = next;
    n.grant_id = grant->id;
    n.user_id = grant->user_id;
    InsertRefresh(db, n);
    tx.Commit();
    return std::move(*grant);
  });
}

Result<std::optional<RefreshRecord>> PgStore::GetLiveRefresh(const std::string& hash, int64_t now) {
  return impl_->Read("get refresh token", [&](PgConnection& db) -> Result<std::optional<RefreshRecord>> {
    return db.QueryOne(
        "SELECT hash, grant_id, client_id, user_id, issued_at, expires_at FROM refresh_tokens "
        "WHERE hash = $1 AND used_at IS NULL AND expires_at > $2",
        [](PgRow& row) {
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

Status PgStore::RevokeGrant(const std::string& grant_id) {
  return impl_->Run("revoke grant", [&](PgConnection& db) -> Status {
    db.Exec("DELETE FROM grants WHERE id = $1", grant_id);
    return Ok();
  });
}

Status PgStore::RevokeAccessToken(const std::string& jti, int64_t expires_at) {
  return impl_->Run("revoke access token", [&](PgConnection& db) -> Status {
    db.Exec("INSERT INTO revoked_access_tokens (jti, expires_at) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING", jti,
            expires_at);
    return Ok();
  });
}

Result<bool> PgStore::IsAccessTokenRevoked(const std::string& jti) {
  return impl_->Read("check revoked access token", [&](PgConnection& db) -> Result<bool> {
    return db.QueryOne("SELECT 1 FROM revoked_access_tokens WHERE jti = $1", ReadPgInt, jti).has_value();
  });
}

}  // namespace atm
