// SqliteStore: signing keys.
#include <string>
#include <vector>

#include "store/sqlite_impl.h"

namespace atm {

Status SqliteStore::SaveKey(const KeyRecord& k, const AuditEvent* audit) {
  return impl_->Run("save key", [&](SqliteConnection& db) -> Status {
    SQLite::Transaction tx(db.db());
    db.Exec("INSERT INTO signing_keys (kid, alg, private_pem, created_at, retired_at) VALUES (?, ?, ?, ?, ?)", k.kid,
            k.alg, k.private_pem, k.created_at, k.retired_at);
    InsertAudit(db, audit);
    tx.commit();
    return Ok();
  });
}

Result<std::vector<KeyRecord>> SqliteStore::ListKeys() {
  return impl_->Read("list keys", [&](SqliteConnection& db) -> Result<std::vector<KeyRecord>> {
    return db.Query(
        "SELECT kid, alg, private_pem, created_at, retired_at FROM signing_keys "
        "ORDER BY retired_at = 0 DESC, retired_at DESC, created_at DESC, kid",
        [](SqliteRow& row) {
          KeyRecord k;
          k.kid = row.Text();
          k.alg = row.Text();
          k.private_pem = row.Text();
          k.created_at = row.Int();
          k.retired_at = row.Int();
          return k;
        });
  });
}

Status SqliteStore::RetireKeysExcept(const std::string& keep_kid, int64_t now) {
  return impl_->Run("retire keys", [&](SqliteConnection& db) -> Status {
    db.Exec("UPDATE signing_keys SET retired_at = ? WHERE retired_at = 0 AND kid <> ?", now, keep_kid);
    return Ok();
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
