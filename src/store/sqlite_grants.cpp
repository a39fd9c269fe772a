// SqliteStore: authorization codes, grants and their refresh tokens, and
// revoked access tokens. Redeeming a code and rotating a refresh token are
// each one transaction.
#include <optional>
#include <string>

#include "store/record_rows.h"
#include "store/sqlite_impl.h"

namespace atm {
namespace {

std::optional<rows::StoredCode> FindCode(SqliteConnection& db, const std::string& hash) {
  return db.QueryOne(rows::kSelectStoredCodes + "WHERE hash = ?", rows::ReadStoredCode, hash);
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

}  // namespace

void InsertGrant(SqliteConnection& db, const GrantRecord& g, const RefreshRecord& first) {
  db.Exec(
      "INSERT INTO grants (id, client_id, user_id, scope, nonce, auth_time, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)",
      g.id, g.client_id, g.user_id, g.scope, g.nonce, g.auth_time, g.created_at);
  InsertRefresh(db, first);
}

Status SqliteStore::SaveCode(const CodeRecord& c, const AuditEvent* audit) {
  return impl_->Run("save code", [&](SqliteConnection& db) -> Status {
    SQLite::Transaction tx(db.db());
    db.Exec(
        "INSERT INTO auth_codes (hash, client_id, user_id, challenge, method, redirect_uri, "
        "scope, nonce, session_id, auth_time, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        c.hash, c.client_id, c.user_id, c.challenge, c.method, c.redirect_uri, c.scope, c.nonce, c.session_id,
        c.auth_time, c.expires_at);
    InsertAudit(db, audit);
    tx.commit();
    return Ok();
  });
}

Result<CodeRecord> SqliteStore::FindUnusedCode(const std::string& hash, int64_t now) {
  return impl_->Read("find code", [&](SqliteConnection& db) -> Result<CodeRecord> {
    auto stored = FindCode(db, hash);
    if (!stored) return InvalidGrant("the authorization code is invalid");
    if (stored->used) return Error(ErrorCode::kCodeUsed, "the authorization code was already used");
    if (stored->code.expires_at <= now) return Error(ErrorCode::kCodeExpired, "the authorization code has expired");
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

Status SqliteStore::RedeemCode(const std::string& hash, int64_t now, const GrantRecord& g, const RefreshRecord& first) {
  return impl_->Run("redeem code", [&](SqliteConnection& db) -> Status {
    SQLite::Transaction tx(db.db());
    const int spent =
        db.Exec("UPDATE auth_codes SET used_at = ?, grant_id = ? WHERE hash = ? AND used_at IS NULL AND expires_at > ?",
                now, g.id, hash, now);
    if (spent == 0) {
      // Spent since it was checked (a concurrent redemption won), or gone.
      auto stored = FindCode(db, hash);
      if (!stored) return InvalidGrant("the authorization code is invalid");
      if (!stored->used) return Error(ErrorCode::kCodeExpired, "the authorization code has expired");
      Error replayed = RevokeReplayedCode(db, stored->grant_id);
      tx.commit();
      return replayed;
    }
    InsertGrant(db, g, first);
    tx.commit();
    return Ok();
  });
}

Result<std::optional<GrantRecord>> SqliteStore::GetGrant(const std::string& id) {
  return impl_->Read("get grant", [&](SqliteConnection& db) -> Result<std::optional<GrantRecord>> {
    return db.QueryOne(rows::kSelectGrants + "WHERE id = ?", rows::ReadGrant, id);
  });
}

Result<GrantRecord> SqliteStore::RotateRefresh(const std::string& old_hash, const std::string& client_id,
                                               const RefreshRecord& next, int64_t now, const AuditEvent* on_reuse) {
  return impl_->Run("rotate refresh token", [&](SqliteConnection& db) -> Result<GrantRecord> {
    SQLite::Transaction tx(db.db());
    struct Old {
      std::string grant_id, owner;
      int64_t expires_at;
      bool used;
    };
    auto old = db.QueryOne(
        "SELECT grant_id, client_id, expires_at, used_at IS NOT NULL FROM refresh_tokens WHERE hash = ?",
        [](SqliteRow& row) {
          return Old{row.Text(), row.Text(), row.Int(), row.Bool()};
        },
        old_hash);
    if (!old) return InvalidGrant("the refresh token is invalid or was revoked");
    if (old->owner != client_id) return InvalidGrant("the refresh token was issued to another client");
    if (old->used) {
      db.Exec("DELETE FROM grants WHERE id = ?", old->grant_id);
      if (on_reuse) {
        AuditEvent event = *on_reuse;
        event.subject = old->grant_id;
        InsertAudit(db, &event);
      }
      tx.commit();
      return Error(ErrorCode::kRefreshReused,
                   "the refresh token was already used; every token of this login is now revoked");
    }
    if (old->expires_at <= now) return InvalidGrant("the refresh token has expired");
    auto grant = db.QueryOne(rows::kSelectGrants + "WHERE id = ?", rows::ReadGrant, old->grant_id);
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

}  // namespace atm
