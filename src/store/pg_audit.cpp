// PgStore: the audit trail.
#include <string>
#include <vector>

#include "store/pg_impl.h"
#include "store/record_rows.h"

namespace atm {
namespace {

// "($1 = 0 OR at >= $1)" lets one statement serve every combination of
// filters; each filter field is bound once and named twice.
const std::string kWhere =
    "WHERE ($1 = 0 OR at >= $1) AND ($2 = 0 OR at < $2) AND ($3 = '' OR kind = $3) AND ($4 = '' OR outcome = $4) "
    "AND ($5 = '' OR client_id = $5) AND ($6 = '' OR actor = $6) AND ($7 = '' OR subject = $7) ";

}  // namespace

void InsertAudit(PgConnection& db, const AuditEvent* e) {
  if (e == nullptr) return;
  db.Exec(
      "INSERT INTO audit_events (at, kind, actor, outcome, client_id, subject, address, detail) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      e->at, e->kind, e->actor, e->outcome, e->client_id, e->subject, e->address, e->detail);
}

Status PgStore::AppendAudit(const AuditEvent& event) {
  return impl_->Run("append audit event", [&](PgConnection& db) -> Status {
    InsertAudit(db, &event);
    return Ok();
  });
}

Result<std::vector<AuditEvent>> PgStore::ListAudit(const AuditFilter& f, const Page& page) {
  return impl_->Read("list audit events", [&](PgConnection& db) -> Result<std::vector<AuditEvent>> {
    return db.Query(rows::kSelectAudit + kWhere + "ORDER BY id DESC LIMIT $8 OFFSET $9", rows::ReadAuditEvent, f.since,
                    f.until, f.kind, f.outcome, f.client_id, f.actor, f.subject, PgLimit(page), PgOffset(page));
  });
}

Result<int64_t> PgStore::CountAudit(const AuditFilter& f) {
  return impl_->Read("count audit events", [&](PgConnection& db) -> Result<int64_t> {
    return db
        .QueryOne("SELECT COUNT(*) FROM audit_events " + kWhere, ReadPgInt, f.since, f.until, f.kind, f.outcome,
                  f.client_id, f.actor, f.subject)
        .value_or(0);
  });
}

Result<int64_t> PgStore::PruneAudit(int64_t before) {
  return impl_->Run("prune audit events", [&](PgConnection& db) -> Result<int64_t> {
    return static_cast<int64_t>(db.Exec("DELETE FROM audit_events WHERE at < $1", before));
  });
}

}  // namespace atm
