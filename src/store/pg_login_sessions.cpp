// PgStore: browser sign-in sessions that every node shares
// (store/login_session_store.h). A session is one row per application it
// signed in to, all with the session's expiry.
#include <optional>
#include <string>
#include <vector>

#include "store/pg_impl.h"

namespace atm {

Status PgStore::SaveLoginSignIn(const std::string& old_key, const std::string& key, const std::string& client_id,
                                const LoginSignInRecord& sign_in, int64_t now, int64_t new_expires_at) {
  return impl_->Run("save sign-in session", [&](PgConnection& db) -> Status {
    PgTransaction tx(db);
    std::optional<int64_t> expires_at;
    if (!old_key.empty()) {
      // Locks the old session's rows: a sign-in through another node with
      // the same old cookie waits, then finds it moved and starts afresh.
      expires_at = db.QueryOne(
          "SELECT expires_at FROM login_sessions WHERE key = $1 AND expires_at > $2 FOR UPDATE",
          [](PgRow& row) { return row.Int(); }, old_key, now);
      if (expires_at) {
        db.Exec("UPDATE login_sessions SET key = $1 WHERE key = $2", key, old_key);
      } else {
        db.Exec("DELETE FROM login_sessions WHERE key = $1", old_key);
      }
    }
    db.Exec(
        "INSERT INTO login_sessions (key, client_id, user_id, auth_time, expires_at) VALUES ($1, $2, $3, $4, $5) "
        "ON CONFLICT (key, client_id) DO UPDATE SET user_id = EXCLUDED.user_id, auth_time = EXCLUDED.auth_time",
        key, client_id, sign_in.user_id, sign_in.auth_time, expires_at.value_or(new_expires_at));
    tx.Commit();
    return Ok();
  });
}

Result<std::optional<LoginSignInRecord>> PgStore::FindLoginSignIn(const std::string& key, const std::string& client_id,
                                                                  int64_t now) {
  return impl_->Read("find sign-in session", [&](PgConnection& db) -> Result<std::optional<LoginSignInRecord>> {
    return db.QueryOne(
        "SELECT user_id, auth_time FROM login_sessions WHERE key = $1 AND client_id = $2 AND expires_at > $3",
        [](PgRow& row) {
          LoginSignInRecord r;
          r.user_id = row.Text();
          r.auth_time = row.Int();
          return r;
        },
        key, client_id, now);
  });
}

Result<bool> PgStore::EndLoginSession(const std::string& key, int64_t now) {
  return impl_->Run("end sign-in session", [&](PgConnection& db) -> Result<bool> {
    auto live = db.Query(
        "DELETE FROM login_sessions WHERE key = $1 RETURNING expires_at > $2", [](PgRow& row) { return row.Bool(); },
        key, now);
    return !live.empty() && live.front();
  });
}

Status PgStore::ClearLoginSessions() {
  return impl_->Run("clear sign-in sessions", [&](PgConnection& db) -> Status {
    db.Exec("DELETE FROM login_sessions");
    return Ok();
  });
}

}  // namespace atm
