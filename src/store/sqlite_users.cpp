// SqliteStore: users, each belonging to one application.
#include <string>
#include <vector>

#include "store/record_rows.h"
#include "store/sqlite_impl.h"

namespace atm {

Status SqliteStore::CreateUser(const UserRecord& u, const AuditEvent* audit) {
  return impl_->Run("create user", [&](SqliteConnection& db) -> Status {
    SQLite::Transaction tx(db.db());
    db.Exec(
        "INSERT INTO users (id, client_id, email, password_hash, first_name, last_name, claims, "
        "disabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        u.id, u.client_id, u.email, u.password_hash, u.first_name, u.last_name, u.claims, u.disabled, u.created_at,
        u.updated_at);
    InsertAudit(db, audit);
    tx.commit();
    return Ok();
  });
}

Result<std::optional<UserRecord>> SqliteStore::GetUser(const std::string& id) {
  return impl_->Read("get user", [&](SqliteConnection& db) -> Result<std::optional<UserRecord>> {
    return db.QueryOne(rows::kSelectUsers + "WHERE id = ?", rows::ReadUser, id);
  });
}

Result<std::optional<UserRecord>> SqliteStore::FindUserByEmail(const std::string& client_id, const std::string& email) {
  return impl_->Read("find user", [&](SqliteConnection& db) -> Result<std::optional<UserRecord>> {
    return db.QueryOne(rows::kSelectUsers + "WHERE client_id = ? AND email = ? COLLATE NOCASE", rows::ReadUser,
                       client_id, email);
  });
}

Result<std::vector<UserRecord>> SqliteStore::ListUsers(const std::string& client_id, const std::string& email_filter,
                                                       const Page& page) {
  return impl_->Read("list users", [&](SqliteConnection& db) -> Result<std::vector<UserRecord>> {
    return db.Query(rows::kSelectUsers +
                        "WHERE client_id = ? AND email LIKE ? ESCAPE '\\' "
                        "ORDER BY email COLLATE NOCASE, id LIMIT ? OFFSET ?",
                    rows::ReadUser, client_id, rows::ContainsPattern(email_filter), page.limit, page.offset);
  });
}

Result<int64_t> SqliteStore::CountUsers(const std::string& client_id, const std::string& email_filter) {
  return impl_->Read("count users", [&](SqliteConnection& db) -> Result<int64_t> {
    return db
        .QueryOne("SELECT COUNT(*) FROM users WHERE client_id = ? AND email LIKE ? ESCAPE '\\'", ReadInt, client_id,
                  rows::ContainsPattern(email_filter))
        .value_or(0);
  });
}

Status SqliteStore::UpdateUser(const UserRecord& u, const AuditEvent* audit) {
  return impl_->Run("update user", [&](SqliteConnection& db) -> Status {
    SQLite::Transaction tx(db.db());
    const int changed = db.Exec(
        "UPDATE users SET email = ?, first_name = ?, last_name = ?, claims = ?, disabled = ?, updated_at = ? "
        "WHERE id = ?",
        u.email, u.first_name, u.last_name, u.claims, u.disabled, u.updated_at, u.id);
    if (changed == 0) return NotFound("user");
    InsertAudit(db, audit);
    tx.commit();
    return Ok();
  });
}

Status SqliteStore::SetUserPassword(const std::string& id, const std::string& password_hash, int64_t updated_at,
                                    const AuditEvent* audit) {
  return impl_->Run("set user password", [&](SqliteConnection& db) -> Status {
    SQLite::Transaction tx(db.db());
    if (db.Exec("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?", password_hash, updated_at, id) ==
        0) {
      return NotFound("user");
    }
    InsertAudit(db, audit);
    tx.commit();
    return Ok();
  });
}

Status SqliteStore::DeleteUser(const std::string& id, const AuditEvent* audit) {
  return impl_->Run("delete user", [&](SqliteConnection& db) -> Status {
    SQLite::Transaction tx(db.db());
    db.Exec("DELETE FROM auth_codes WHERE user_id = ?", id);
    if (db.Exec("DELETE FROM users WHERE id = ?", id) == 0) return NotFound("user");  // cascades grants, tokens
    InsertAudit(db, audit);
    tx.commit();
    return Ok();
  });
}

}  // namespace atm
