// PgStore: applications (clients).
#include <string>
#include <vector>

#include "store/pg_impl.h"
#include "store/record_rows.h"

namespace atm {

Status PgStore::CreateClient(const ClientRecord& c, const AuditEvent* audit) {
  return impl_->Run("create client", [&](PgConnection& db) -> Status {
    PgTransaction tx(db);
    db.Exec(
        "INSERT INTO clients (id, name, secret_hash, redirect_urls, is_public, disabled, "
        "created_at, updated_at, web_origins, post_logout_redirect_urls, device_grant) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        c.id, c.name, c.secret_hash, rows::JoinLines(c.redirect_urls), c.is_public, c.disabled, c.created_at,
        c.updated_at, rows::JoinLines(c.web_origins), rows::JoinLines(c.post_logout_redirect_urls), c.device_grant);
    InsertAudit(db, audit);
    tx.Commit();
    return Ok();
  });
}

Result<std::optional<ClientRecord>> PgStore::GetClient(const std::string& id) {
  return impl_->Read("get client", [&](PgConnection& db) -> Result<std::optional<ClientRecord>> {
    return db.QueryOne(rows::kSelectClients + "WHERE id = $1", rows::ReadClient, id);
  });
}

Result<std::vector<ClientRecord>> PgStore::ListClients(const Page& page) {
  return impl_->Read("list clients", [&](PgConnection& db) -> Result<std::vector<ClientRecord>> {
    return db.Query(rows::kSelectClients + "ORDER BY created_at, id LIMIT $1 OFFSET $2", rows::ReadClient,
                    PgLimit(page), PgOffset(page));
  });
}

Result<int64_t> PgStore::CountClients() {
  return impl_->Read("count clients", [&](PgConnection& db) -> Result<int64_t> {
    return db.QueryOne("SELECT COUNT(*) FROM clients", ReadPgInt).value_or(0);
  });
}

Status PgStore::UpdateClient(const ClientRecord& c, const AuditEvent* audit) {
  return impl_->Run("update client", [&](PgConnection& db) -> Status {
    PgTransaction tx(db);
    const int changed = db.Exec(
        "UPDATE clients SET name = $1, redirect_urls = $2, disabled = $3, updated_at = $4, web_origins = $5, "
        "post_logout_redirect_urls = $6, device_grant = $7 WHERE id = $8",
        c.name, rows::JoinLines(c.redirect_urls), c.disabled, c.updated_at, rows::JoinLines(c.web_origins),
        rows::JoinLines(c.post_logout_redirect_urls), c.device_grant, c.id);
    if (changed == 0) return PgNotFound("application");
    InsertAudit(db, audit);
    tx.Commit();
    return Ok();
  });
}

Status PgStore::SetClientSecret(const std::string& id, const std::string& secret_hash, int64_t updated_at,
                                const AuditEvent* audit) {
  return impl_->Run("set client secret", [&](PgConnection& db) -> Status {
    PgTransaction tx(db);
    if (db.Exec("UPDATE clients SET secret_hash = $1, updated_at = $2 WHERE id = $3", secret_hash, updated_at, id) ==
        0) {
      return PgNotFound("application");
    }
    InsertAudit(db, audit);
    tx.Commit();
    return Ok();
  });
}

Status PgStore::DeleteClient(const std::string& id, const AuditEvent* audit) {
  return impl_->Run("delete client", [&](PgConnection& db) -> Status {
    PgTransaction tx(db);
    db.Exec("DELETE FROM auth_codes WHERE client_id = $1", id);
    db.Exec("DELETE FROM device_codes WHERE client_id = $1", id);
    if (db.Exec("DELETE FROM clients WHERE id = $1", id) == 0) {  // cascades users, grants
      return PgNotFound("application");
    }
    InsertAudit(db, audit);
    tx.Commit();
    return Ok();
  });
}

}  // namespace atm
