// PgStore: admin accounts and admin sessions. Usernames compare as SQLite's
// NOCASE does (pg_schema.cpp).
#include <string>
#include <utility>
#include <vector>

#include "store/pg_impl.h"
#include "store/record_rows.h"

namespace atm {
namespace {

Error AdminNotFound() { return Error(ErrorCode::kNotFound, "admin not found", "username"); }

}  // namespace

Status PgStore::CreateAdmin(const AdminRecord& a, const AuditEvent* audit) {
  return impl_->Run("create admin", [&](PgConnection& db) -> Status {
    PgTransaction tx(db);
    db.Exec("INSERT INTO admins (id, username, password_hash, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)",
            a.id, a.username, a.password_hash, a.created_at, a.updated_at);
    InsertAudit(db, audit);
    tx.Commit();
    return Ok();
  });
}

Result<std::optional<AdminRecord>> PgStore::FindAdmin(const std::string& username) {
  return impl_->Read("find admin", [&](PgConnection& db) -> Result<std::optional<AdminRecord>> {
    return db.QueryOne(rows::kSelectAdmins + "WHERE lower(username) = lower($1 COLLATE \"C\")", rows::ReadAdmin,
                       username);
  });
}

Result<std::vector<AdminRecord>> PgStore::ListAdmins() {
  return impl_->Read("list admins", [&](PgConnection& db) -> Result<std::vector<AdminRecord>> {
    return db.Query(rows::kSelectAdmins + "ORDER BY lower(username)", rows::ReadAdmin);
  });
}

Status PgStore::SetAdminPassword(const std::string& admin_id, const std::string& password_hash, int64_t now,
                                 const AuditEvent* audit) {
  return impl_->Run("set admin password", [&](PgConnection& db) -> Status {
    PgTransaction tx(db);
    if (db.Exec("UPDATE admins SET password_hash = $1, updated_at = $2 WHERE id = $3", password_hash, now, admin_id) ==
        0) {
      return AdminNotFound();
    }
    db.Exec("DELETE FROM admin_sessions WHERE admin_id = $1", admin_id);
    InsertAudit(db, audit);
    tx.Commit();
    return Ok();
  });
}

Status PgStore::DeleteAdmin(const std::string& admin_id, const AuditEvent* audit) {
  return impl_->Run("delete admin", [&](PgConnection& db) -> Status {
    PgTransaction tx(db);
    if (db.Exec("DELETE FROM admins WHERE id = $1", admin_id) == 0) return AdminNotFound();  // cascades sessions
    InsertAudit(db, audit);
    tx.Commit();
    return Ok();
  });
}

Status PgStore::CreateAdminSession(const AdminSessionRecord& s, const AuditEvent* audit) {
  return impl_->Run("create admin session", [&](PgConnection& db) -> Status {
    PgTransaction tx(db);
    db.Exec(
        "INSERT INTO admin_sessions (token_hash, admin_id, kind, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        s.token_hash, s.admin_id, s.kind, s.created_at, s.expires_at);
    InsertAudit(db, audit);
    tx.Commit();
    return Ok();
  });
}

Result<std::optional<std::pair<AdminSessionRecord, AdminRecord>>> PgStore::GetAdminSession(
    const std::string& token_hash, int64_t now) {
  using Found = std::optional<std::pair<AdminSessionRecord, AdminRecord>>;
  return impl_->Read("get admin session", [&](PgConnection& db) -> Result<Found> {
    return db.QueryOne(
        "SELECT s.token_hash, s.kind, s.created_at, s.expires_at, "
        "a.id, a.username, a.password_hash, a.created_at, a.updated_at "
        "FROM admin_sessions s JOIN admins a ON a.id = s.admin_id "
        "WHERE s.token_hash = $1 AND s.expires_at > $2",
        [](PgRow& row) {
          AdminSessionRecord s;
          s.token_hash = row.Text();
          s.kind = row.Text();
          s.created_at = row.Int();
          s.expires_at = row.Int();
          AdminRecord a = rows::ReadAdmin(row);
          s.admin_id = a.id;
          return std::make_pair(std::move(s), std::move(a));
        },
        token_hash, now);
  });
}

Status PgStore::DeleteAdminSession(const std::string& token_hash) {
  return impl_->Run("delete admin session", [&](PgConnection& db) -> Status {
    db.Exec("DELETE FROM admin_sessions WHERE token_hash = $1", token_hash);
    return Ok();
  });
}

}  // namespace atm
