// SqliteStore: applications (clients).
#include <string>
#include <vector>

#include "store/record_rows.h"
#include "store/sqlite_impl.h"

namespace atm {

Status SqliteStore::CreateClient(const ClientRecord& c, const AuditEvent* audit) {
  return impl_->Run("create client", [&](SqliteConnection& db) -> Status {
    SQLite::Transaction tx(db.db());
    db.Exec(
        "INSERT INTO clients (id, name, secret_hash, redirect_urls, is_public, disabled, "
        "created_at, updated_at, web_origins, post_logout_redirect_urls, device_grant) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        c.id, c.name, c.secret_hash, rows::JoinLines(c.redirect_urls), c.is_public, c.disabled, c.created_at,
        c.updated_at, rows::JoinLines(c.web_origins), rows::JoinLines(c.post_logout_redirect_urls), c.device_grant);
    InsertAudit(db, audit);
    tx.commit();
    return Ok();
  });
}

Result<std::optional<ClientRecord>> SqliteStore::GetClient(const std::string& id) {
  return impl_->Read("get client", [&](SqliteConnection& db) -> Result<std::optional<ClientRecord>> {
    return db.QueryOne(rows::kSelectClients + "WHERE id = ?", rows::ReadClient, id);
  });
}

Result<std::vector<ClientRecord>> SqliteStore::ListClients(const Page& page) {
  return impl_->Read("list clients", [&](SqliteConnection& db) -> Result<std::vector<ClientRecord>> {
    return db.Query(rows::kSelectClients + "ORDER BY created_at, id LIMIT ? OFFSET ?", rows::ReadClient, page.limit,
                    page.offset);
  });
}

Result<int64_t> SqliteStore::CountClients() {
  return impl_->Read("count clients", [&](SqliteConnection& db) -> Result<int64_t> {
    return db.QueryOne("SELECT COUNT(*) FROM clients", ReadInt).value_or(0);
  });
}

Status SqliteStore::UpdateClient(const ClientRecord& c, const AuditEvent* audit) {
  return impl_->Run("update client", [&](SqliteConnection& db) -> Status {
    SQLite::Transaction tx(db.db());
    const int changed = db.Exec(
        "UPDATE clients SET name = ?, redirect_urls = ?, disabled = ?, updated_at = ?, web_origins = ?, "
        "post_logout_redirect_urls = ?, device_grant = ? WHERE id = ?",
        c.name, rows::JoinLines(c.redirect_urls), c.disabled, c.updated_at, rows::JoinLines(c.web_origins),
        rows::JoinLines(c.post_logout_redirect_urls), c.device_grant, c.id);
    if (changed == 0) return NotFound("application");
    InsertAudit(db, audit);
    tx.commit();
    return Ok();
  });
}

Status SqliteStore::SetClientSecret(const std::string& id, const std::string& secret_hash, int64_t updated_at,
                                    const AuditEvent* audit) {
  return impl_->Run("set client secret", [&](SqliteConnection& db) -> Status {
    SQLite::Transaction tx(db.db());
    if (db.Exec("UPDATE clients SET secret_hash = ?, updated_at = ? WHERE id = ?", secret_hash, updated_at, id) == 0) {
      return NotFound("application");
    }
    InsertAudit(db, audit);
    tx.commit();
    return Ok();
  });
}

Status SqliteStore::DeleteClient(const std::string& id, const AuditEvent* audit) {
  return impl_->Run("delete client", [&](SqliteConnection& db) -> Status {
    SQLite::Transaction tx(db.db());
    db.Exec("DELETE FROM auth_codes WHERE client_id = ?", id);
    db.Exec("DELETE FROM device_codes WHERE client_id = ?", id);
    if (db.Exec("DELETE FROM clients WHERE id = ?", id) == 0) {  // cascades users, grants
      return NotFound("application");
    }
    InsertAudit(db, audit);
    tx.commit();
    return Ok();
  });
}

}  // namespace atm
