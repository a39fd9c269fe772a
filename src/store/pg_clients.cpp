// PgStore: applications (clients).
#include <sstream>
#include <string>
#include <vector>

#include "store/pg_impl.h"

namespace atm {
namespace {

const std::string kSelectClients =
    "SELECT id, name, secret_hash, redirect_urls, is_public, disabled, created_at, updated_at, web_origins, "
    "post_logout_redirect_urls, device_grant FROM clients ";

std::string JoinLines(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : "\n") + s;
  return out;
}

std::vector<std::string> SplitLines(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

ClientRecord ReadClient(PgRow& row) {
  ClientRecord c;
  c.id = row.Text();
  c.name = row.Text();
  c.secret_hash = row.Text();
  c.redirect_urls = SplitLines(row.Text());
  c.is_public = row.Bool();
  c.disabled = row.Bool();
  c.created_at = row.Int();
  c.updated_at = row.Int();
  c.web_origins = SplitLines(row.Text());
  c.post_logout_redirect_urls = SplitLines(row.Text());
  c.device_grant = row.Bool();
  return c;
}

}  // namespace

Status PgStore::CreateClient(const ClientRecord& c, const AuditEvent* audit) {
  return impl_->Run("create client", [&](PgConnection& db) -> Status {
    PgTransaction tx(db);
    db.Exec(
        "INSERT INTO clients (id, name, secret_hash, redirect_urls, is_public, disabled, "
        "created_at, updated_at, web_origins, post_logout_redirect_urls, device_grant) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        c.id, c.name, c.secret_hash, JoinLines(c.redirect_urls), c.is_public, c.disabled, c.created_at, c.updated_at,
        JoinLines(c.web_origins), JoinLines(c.post_logout_redirect_urls), c.device_grant);
    InsertAudit(db, audit);
    tx.Commit();
    return Ok();
  });
}

Result<std::optional<ClientRecord>> PgStore::GetClient(const std::string& id) {
  return impl_->Read("get client", [&](PgConnection& db) -> Result<std::optional<ClientRecord>> {
    return db.QueryOne(kSelectClients + "WHERE id = $1", ReadClient, id);
  });
}

Result<std::vector<ClientRecord>> PgStore::ListClients(const Page& page) {
  return impl_->Read("list clients", [&](PgConnection& db) -> Result<std::vector<ClientRecord>> {
    return db.Query(kSelectClients + "ORDER BY created_at, id LIMIT $1 OFFSET $2", ReadClient, PgLimit(page),
                    PgOffset(page));
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
        c.name, JoinLines(c.redirect_urls), c.disabled, c.updated_at, JoinLines(c.web_origins),
        JoinLines(c.post_logout_redirect_urls), c.device_grant, c.id);
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
