// PgStore: users, each belonging to one application. Emails compare as
// SQLite's NOCASE does: lower() under the "C" collation of the column folds
// the ASCII letters only (pg_schema.cpp).
#include <string>
#include <vector>

#include "store/pg_impl.h"
#include "store/record_rows.h"

namespace atm {

Status PgStore::CreateUser(const UserRecord& u, const AuditEvent* audit) {
  return impl_->Run("create user", [&](PgConnection& db) -> Status {
    PgTransaction tx(db);
    db.Exec(
        "INSERT INTO users (id, client_id, email, password_hash, first_name, last_name, claims, "
        "disabled, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        u.id, u.client_id, u.email, u.password_hash, u.first_name, u.last_name, u.claims, u.disabled, u.created_at,
        u.updated_at);
    InsertAudit(db, audit);
    tx.Commit();
    return Ok();
  });
}

Result<std::optional<UserRecord>> PgStore::GetUser(const std::string& id) {
  return impl_->Read("get user", [&](PgConnection& db) -> Result<std::optional<UserRecord>> {
    return db.QueryOne(rows::kSelectUsers + "WHERE id = $1", rows::ReadUser, id);
  });
}

Result<std::optional<UserRecord>> PgStore::FindUserByEmail(const std::string& client_id, const std::string& email) {
  return impl_->Read("find user", [&](PgConnection& db) -> Result<std::optional<UserRecord>> {
    return db.QueryOne(rows::kSelectUsers + "WHERE client_id = $1 AND lower(email) = lower($2 COLLATE \"C\")",
                       rows::ReadUser, client_id, email);
  });
}

Result<std::vector<UserRecord>> PgStore::ListUsers(const std::string& client_id, const std::string& email_filter,
                                                   const Page& page) {
  return impl_->Read("list users", [&](PgConnection& db) -> Result<std::vector<UserRecord>> {
    return db.Query(
        rows::kSelectUsers + "WHERE client_id = $1 AND email ILIKE $2 ORDER BY lower(email), id LIMIT $3 OFFSET $4",
        rows::ReadUser, client_id, rows::ContainsPattern(email_filter), PgLimit(page), PgOffset(page));
  });
}

Result<int64_t> PgStore::CountUsers(const std::string& client_id, const std::string& email_filter) {
  return impl_->Read("count users", [&](PgConnection& db) -> Result<int64_t> {
    return db
        .QueryOne("SELECT COUNT(*) FROM users WHERE client_id = $1 AND email ILIKE $2", ReadPgInt, client_id,
                  rows::ContainsPattern(email_filter))
        .value_or(0);
  });
}

Status PgStore::UpdateUser(const UserRecord& u, const AuditEvent* audit) {
  return impl_->Run("update user", [&](PgConnection& db) -> Status {
    PgTransaction tx(db);
    const int changed = db.Exec(
        "UPDATE users SET email = $1, first_name = $2, last_name = $3, claims = $4, disabled = $5, updated_at = $6 "
        "WHERE id = $7",
        u.email, u.first_name, u.last_name, u.claims, u.disabled, u.updated_at, u.id);
    if (changed == 0) return PgNotFound("user");
    InsertAudit(db, audit);
    tx.Commit();
    return Ok();
  });
}

Status PgStore::SetUserPassword(const std::string& id, const std::string& password_hash, int64_t updated_at,
                                const AuditEvent* audit) {
  return impl_->Run("set user password", [&](PgConnection& db) -> Status {
    PgTransaction tx(db);
    if (db.Exec("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3", password_hash, updated_at, id) ==
        0) {
      return PgNotFound("user");
    }
    InsertAudit(db, audit);
    tx.Commit();
    return Ok();
  });
}

Status PgStore::DeleteUser(const std::string& id, const AuditEvent* audit) {
  return impl_->Run("delete user", [&](PgConnection& db) -> Status {
    PgTransaction tx(db);
    db.Exec("DELETE FROM auth_codes WHERE user_id = $1", id);
    if (db.Exec("DELETE FROM users WHERE id = $1", id) == 0) return PgNotFound("user");  // cascades grants, tokens
    InsertAudit(db, audit);
    tx.Commit();
    return Ok();
  });
}

}  // namespace atm
