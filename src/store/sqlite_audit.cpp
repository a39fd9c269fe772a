// SqliteStore: the audit trail.
#include <string>
#include <vector>

#include "store/record_rows.h"
#include "store/sqlite_impl.h"

namespace atm {
namespace {

// Every filter field is bound twice: "(? = 0 OR at >= ?)" lets one statement
// serve every combination of filters.
const std::string kWhere =
    "WHERE (? = 0 OR at >= ?) AND (? = 0 OR at < ?) AND (? = '' OR kind = ?) AND (? = '' OR outcome = ?) "
    "AND (? = '' OR client_id = ?) AND (? = '' OR actor = ?) AND (? = '' OR subject = ?) ";

}  // namespace

void InsertAudit(SqliteConnection& db, const AuditEvent* e) {
  if (e == nullptr) return;
  db.Exec(
      "INSERT INTO audit_events (at, kind, actor, outcome, client_id, subject, address, detail) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      e->at, e->kind, e->actor, e->outcome, e->client_id, e->subject, e->address, e->detail);
}

Status SqliteStore::AppendAudit(const AuditEvent& event) {
  return impl_->Run("append audit event", [&](SqliteConnection& db) -> Status {
    InsertAudit(db, &event);
    return Ok();
  });
}

Result<std::vector<AuditEvent>> SqliteStore::ListAudit(const AuditFilter& f, const Page& page) {
  return impl_->Read("list audit events", [&](SqliteConnection& db) -> Result<std::vector<AuditEvent>> {
    return db.Query(rows::kSelectAudit + kWhere + "ORDER BY id DESC LIMIT ? OFFSET ?", rows::ReadAuditEvent, f.since,
                    f.since, f.until, f.until, f.kind, f.kind, f.outcome, f.outcome, f.client_id, f.client_id, f.actor,
                    f.actor, f.subject, f.subject, page.limit, page.offset);
  });
}

Result<int64_t> SqliteStore::CountAudit(const AuditFilter& f) {
  return impl_->Read("count audit events", [&](SqliteConnection& db) -> Result<int64_t> {
    return db
        .QueryOne("SELECT COUNT(*) FROM audit_events " + kWhere, ReadInt, f.since, f.since, f.until, f.until, f.kind,
                  f.kind, f.outcome, f.outcome, f.client_id, f.client_id, f.actor, f.actor, f.subject, f.subject)
        .value_or(0);
  });
}

Result<int64_t> SqliteStore::PruneAudit(int64_t before) {
  return impl_->Run("prune audit events", [&](SqliteConnection& db) -> Result<int64_t> {
    return static_cast<int64_t>(db.Exec("DELETE FROM audit_events WHERE at < ?", before));
  });
}

}  // namespace atm
