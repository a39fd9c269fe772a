// PgStore: signing keys. Every change of signing_keys adds one to
// key_version in its transaction, so other nodes see it in DataVersion.
#include <string>
#include <vector>

#include "store/pg_impl.h"
#include "store/record_rows.h"

namespace atm {
namespace {

void BumpKeyVersion(PgConnection& db) { db.Exec("UPDATE key_version SET version = version + 1 WHERE id = 1"); }

}  // namespace

Result<bool> PgStore::InstallSigningKey(const KeyRecord& k, const std::string& expected_current,
                                        const AuditEvent* audit) {
  return impl_->Run("install key", [&](PgConnection& db) -> Result<bool> {
    PgTransaction tx(db);
    // First, as it locks the counter's row until the commit: installs on
    // every node take turns, and the read below (a statement after the lock,
    // so a snapshot after the previous install's commit) sees the key the
    // previous one made. A refused install rolls the increment back.
    BumpKeyVersion(db);
    auto current =
        db.QueryOne("SELECT kid FROM signing_keys WHERE retired_at = 0 ORDER BY created_at DESC, kid LIMIT 1",
                    [](PgRow& row) { return row.Text(); });
    if (current.value_or("") != expected_current) return false;
    db.Exec("INSERT INTO signing_keys (kid, alg, private_pem, created_at, retired_at) VALUES ($1, $2, $3, $4, 0)",
            k.kid, k.alg, k.private_pem, k.created_at);
    db.Exec("UPDATE signing_keys SET retired_at = $1 WHERE retired_at = 0 AND kid <> $2", k.created_at, k.kid);
    InsertAudit(db, audit);
    tx.Commit();
    return true;
  });
}

Result<std::vector<KeyRecord>> PgStore::ListKeys() {
  return impl_->Read("list keys", [&](PgConnection& db) -> Result<std::vector<KeyRecord>> {
    return db.Query(rows::kSelectKeys + "ORDER BY retired_at = 0 DESC, retired_at DESC, created_at DESC, kid",
                    rows::ReadKey);
  });
}

Status PgStore::DeleteKey(const std::string& kid) {
  return impl_->Run("delete key", [&](PgConnection& db) -> Status {
    PgTransaction tx(db);
    if (db.Exec("DELETE FROM signing_keys WHERE kid = $1", kid) > 0) BumpKeyVersion(db);
    tx.Commit();
    return Ok();
  });
}

Status PgStore::UpdateKeyPem(const std::string& kid, const std::string& private_pem) {
  return impl_->Run("update key", [&](PgConnection& db) -> Status {
    PgTransaction tx(db);
    if (db.Exec("UPDATE signing_keys SET private_pem = $1 WHERE kid = $2", private_pem, kid) == 0) {
      return PgNotFound("signing key");
    }
    BumpKeyVersion(db);
    tx.Commit();
    return Ok();
  });
}

}  // namespace atm
