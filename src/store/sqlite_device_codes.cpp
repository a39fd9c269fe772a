// SqliteStore: device authorization requests (RFC 8628). A poll, a decision
// and a redemption are each one transaction, so two polls at once redeem a
// request only once.
#include <optional>
#include <string>

#include "store/record_rows.h"
#include "store/sqlite_impl.h"

namespace atm {
namespace {

Error NotPending() { return InvalidGrant("the code is not valid, was already used, or has expired"); }

}  // namespace

Status SqliteStore::SaveDeviceCode(const DeviceCodeRecord& d) {
  return impl_->Run("save device code", [&](SqliteConnection& db) -> Status {
    db.Exec(
        "INSERT INTO device_codes (device_hash, user_code_hash, client_id, scope, created_at, expires_at, "
        "interval_s, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        d.device_hash, d.user_code_hash, d.client_id, d.scope, d.created_at, d.expires_at, d.interval,
        rows::DeviceStateName(d.state));
    return Ok();
  });
}

Result<std::optional<DeviceCodeRecord>> SqliteStore::FindPendingDeviceCode(const std::string& user_code_hash,
                                                                           int64_t now) {
  return impl_->Read("find device code", [&](SqliteConnection& db) -> Result<std::optional<DeviceCodeRecord>> {
    return db.QueryOne(rows::kSelectDeviceCodes + "WHERE user_code_hash = ? AND state = 'pending' AND expires_at > ?",
                       rows::ReadDeviceCode, user_code_hash, now);
  });
}

Status SqliteStore::BindDeviceUser(const std::string& user_code_hash, const std::string& user_id, int64_t auth_time,
                                   const std::string& consent_hash, int64_t now, const AuditEvent* audit) {
  return impl_->Run("bind device user", [&](SqliteConnection& db) -> Status {
    SQLite::Transaction tx(db.db());
    const int changed = db.Exec(
        "UPDATE device_codes SET user_id = ?, auth_time = ?, consent_hash = ? "
        "WHERE user_code_hash = ? AND state = 'pending' AND expires_at > ?",
        user_id, auth_time, consent_hash, user_code_hash, now);
    if (changed == 0) return NotPending();
    InsertAudit(db, audit);
    tx.commit();
    return Ok();
  });
}

Result<DeviceCodeRecord> SqliteStore::DecideDeviceCode(const std::string& user_code_hash,
                                                       const std::string& consent_hash, bool approved, int64_t now,
                                                       const AuditEvent* audit) {
  return impl_->Run("decide device code", [&](SqliteConnection& db) -> Result<DeviceCodeRecord> {
    SQLite::Transaction tx(db.db());
    const int changed = db.Exec(
        "UPDATE device_codes SET state = ? WHERE user_code_hash = ? AND state = 'pending' AND expires_at > ? "
        "AND consent_hash <> '' AND consent_hash = ?",
        rows::DeviceStateName(approved ? DeviceCodeState::kApproved : DeviceCodeState::kDenied), user_code_hash, now,
        consent_hash);
    if (changed == 0) return NotPending();
    auto decided =
        db.QueryOne(rows::kSelectDeviceCodes + "WHERE user_code_hash = ?", rows::ReadDeviceCode, user_code_hash);
    if (!decided) return NotPending();
    InsertAudit(db, audit);
    tx.commit();
    return std::move(*decided);
  });
}

Result<DeviceCodeRecord> SqliteStore::PollDeviceCode(const std::string& device_hash, const std::string& client_id,
                                                     int64_t now) {
  return impl_->Run("poll device code", [&](SqliteConnection& db) -> Result<DeviceCodeRecord> {
    SQLite::Transaction tx(db.db());
    auto found = db.QueryOne(rows::kSelectDeviceCodes + "WHERE device_hash = ?", rows::ReadDeviceCode, device_hash);
    if (!found || found->client_id != client_id || found->state == DeviceCodeState::kConsumed) {
      return InvalidGrant("the device_code is invalid or was already used");
    }
    if (found->expires_at <= now) {
      return Error(ErrorCode::kExpiredToken, "the device_code has expired: start a new device authorization");
    }
    // §3.5: polling sooner than the interval is answered slow_down, and the
    // interval grows by 5 seconds for this and every later poll.
    const bool too_soon = found->last_polled_at > 0 && now - found->last_polled_at < found->interval;
    const int64_t interval = too_soon ? found->interval + 5 : found->interval;
    db.Exec("UPDATE device_codes SET last_polled_at = ?, interval_s = ? WHERE device_hash = ?", now, interval,
            device_hash);
    tx.commit();
    if (too_soon) {
      return Error(ErrorCode::kSlowDown, "polled too often: wait " + std::to_string(interval) + " s between polls");
    }
    switch (found->state) {
      case DeviceCodeState::kPending:
        return Error(ErrorCode::kAuthorizationPending, "the user has not answered yet");
      case DeviceCodeState::kDenied:
        return Error(ErrorCode::kDeviceDenied, "the user denied the device's request");
      default:
        return std::move(*found);
    }
  });
}

Status SqliteStore::RedeemDeviceCode(const std::string& device_hash, int64_t now, const GrantRecord& g,
                                     const RefreshRecord& first) {
  return impl_->Run("redeem device code", [&](SqliteConnection& db) -> Status {
    SQLite::Transaction tx(db.db());
    const int spent = db.Exec(
        "UPDATE device_codes SET state = 'consumed' WHERE device_hash = ? AND state = 'approved' AND expires_at > ?",
        device_hash, now);
    if (spent == 0) return InvalidGrant("the device_code is invalid or was already used");
    InsertGrant(db, g, first);
    tx.commit();
    return Ok();
  });
}

}  // namespace atm
