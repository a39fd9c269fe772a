// SqliteStore: admin accounts and admin sessions (schema migration 3).
#include "store/record_rows.h"
#include "store/sqlite_impl.h"

namespace atm {
namespace {

Error AdminNotFound() { return Error(ErrorCode::kNotFound, "admin not found", "username"); }

}  // namespace

Status SqliteStore::CreateAdmin(const AdminRecord& a, const AuditEvent* audit) {
  return impl_->Run("create admin", [&](SqliteConnection& db) -> Status {
    SQLite::Transaction tx(db.db());
    db.Exec("INSERT INTO admins (id, username, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?)", a.id,
            a.username, a.password_hash, a.created_at, a.updated_at);
    InsertAudit(db, audit);
    tx.commit();
    return Ok();
  });
}

Result<std::optional<AdminRecord>> SqliteStore::FindAdmin(const std::string& username) {
  return impl_->Read("find admin", [&](SqliteConnection& db) -> Result<std::optional<AdminRecord>> {
    return db.QueryOne(rows::kSelectAdmins + "WHERE username = ? COLLATE NOCASE", rows::ReadAdmin, username);
  });
}

Result<std::vector<AdminRecord>> SqliteStore::ListAdmins() {
  return impl_->Read("list admins", [&](SqliteConnection& db) -> Result<std::vector<AdminRecord>> {
    return db.Query(rows::kSelectAdmins + "ORDER BY username COLLATE NOCASE", rows::ReadAdmin);
  });
}

Status SqliteStore::SetAdminPassword(const std::string& admin_id, const std::string& password_hash, int64_t now,
                                     const AuditEvent* audit) {
  return impl_->Run("set admin password", [&](SqliteConnection& db) -> Status {
    SQLite::Transaction tx(db.db());
    if (db.Exec("UPDATE admins SET password_hash = ?, updated_at = ? WHERE id = ?", password_hash, now, admin_id) ==
        0) {
      return AdminNotFound();
    }
    db.Exec("DELETE FROM admin_sessions WHERE admin_id = ?", admin_id);
    InsertAudit(db, audit);
    tx.commit();
    return Ok();
  });
}

Status SqliteStore::DeleteAdmin(const std::string& admin_id, const AuditEvent* audit) {
  return impl_->Run("delete admin", [&](SqliteConnection& db) -> Status {
    SQLite::Transaction tx(db.db());
    if (db.Exec("DELETE FROM admins WHERE id = ?", admin_id) == 0) return AdminNotFound();  // cascades sessions
    InsertAudit(db, audit);
    tx.commit();
    return Ok();
  });
}

Status SqliteStore::CreateAdminSession(const AdminSessionRecord& s, const AuditEvent* audit) {
  return impl_->Run("create admin session", [&](SqliteConnection& db) -> Status {
    SQLite::Transaction tx(db.db());
    db.Exec("INSERT INTO admin_sessions (token_hash, admin_id, kind, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
            s.token_hash, s.admin_id, s.kind, s.created_at, s.expires_at);
    InsertAudit(db, audit);
    tx.commit();
    return Ok();
  });
}

Result<std::optional<std::pair<AdminSessionRecord, AdminRecord>>> SqliteStore::GetAdminSession(
    const std::string& token_hash, int64_t now) {
  using Found = std::optional<std::pair<AdminSessionRecord, AdminRecord>>;
  return impl_->Read("get admin session", [&](SqliteConnection& db) -> Result<Found> {
    return db.QueryOne(
        "SELECT s.token_hash, s.kind, s.created_at, s.expires_at, "
        "a.id, a.username, a.password_hash, a.created_at, a.updated_at "
        "FROM admin_sessions s JOIN admins a ON a.id = s.admin_id "
        "WHERE s.token_hash = ? AND s.expires_at > ?",
        [](SqliteRow& row) {
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

Status SqliteStore::DeleteAdminSession(const std::string& token_hash) {
  return impl_->Run("delete admin session", [&](SqliteConnection& db) -> Status {
    db.Exec("DELETE FROM admin_sessions WHERE token_hash = ?", token_hash);
    return Ok();
  });
}

}  // namespace atm
