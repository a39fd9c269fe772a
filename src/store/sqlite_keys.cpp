// SqliteStore: signing keys.
#include <string>
#include <vector>

#include "store/record_rows.h"
#include "store/sqlite_impl.h"

namespace atm {

Result<bool> SqliteStore::InstallSigningKey(const KeyRecord& k, const std::string& expected_current,
                                            const AuditEvent* audit) {
  return impl_->Run("install key", [&](SqliteConnection& db) -> Result<bool> {
    // The writer's lock orders this process's writers; BEGIN IMMEDIATE
    // (SQLiteCpp's Transaction) takes the database's write lock before the
    // read, so another process cannot install a key in between.
    SQLite::Transaction tx(db.db(), SQLite::TransactionBehavior::IMMEDIATE);
    auto current = db.Query("SELECT kid FROM signing_keys WHERE retired_at = 0 ORDER BY created_at DESC, kid LIMIT 1",
                            [](SqliteRow& row) { return row.Text(); });
    if ((current.empty() ? std::string() : current.front()) != expected_current) return false;
    db.Exec("INSERT INTO signing_keys (kid, alg, private_pem, created_at, retired_at) VALUES (?, ?, ?, ?, 0)", k.kid,
            k.alg, k.private_pem, k.created_at);
    db.Exec("UPDATE signing_keys SET retired_at = ? WHERE retired_at = 0 AND kid <> ?", k.created_at, k.kid);
    InsertAudit(db, audit);
    tx.commit();
    return true;
  });
}

Result<std::vector<KeyRecord>> SqliteStore::ListKeys() {
  return impl_->Read("list keys", [&](SqliteConnection& db) -> Result<std::vector<KeyRecord>> {
    return db.Query(rows::kSelectKeys + "ORDER BY retired_at = 0 DESC, retired_at DESC, created_at DESC, kid",
                    rows::ReadKey);
  });
}

Status SqliteStore::DeleteKey(const std::string& kid) {
  return impl_->Run("delete key", [&](SqliteConnection& db) -> Status {
    db.Exec("DELETE FROM signing_keys WHERE kid = ?", kid);
    return Ok();
  });
}

Status SqliteStore::UpdateKeyPem(const std::string& kid, const std::string& private_pem) {
  return impl_->Run("update key", [&](SqliteConnection& db) -> Status {
    if (db.Exec("UPDATE signing_keys SET private_pem = ? WHERE kid = ?", private_pem, kid) == 0) {
      return NotFound("signing key");
    }
    return Ok();
  });
}

}  // namespace atm
