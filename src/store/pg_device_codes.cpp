// PgStore: device authorization requests (RFC 8628). A poll, a decision
// and a redemption are each one transaction: a poll locks its row, so two
// polls at once (on one node or two) are answered one after the other, and
// the redemption is a conditional UPDATE, so a request is redeemed once.
#include <optional>
#include <string>

#include "store/pg_impl.h"
#include "store/record_rows.h"

namespace atm {
namespace {

Error NotPending() { return InvalidGrant("the code is not valid, was already used, or has expired"); }

}  // namespace

Status PgStore::SaveDeviceCode(const DeviceCodeRecord& d) {
  return impl_->Run("save device code", [&](PgConnection& db) -> Status {
    db.Exec(
        "INSERT INTO device_codes (device_hash, user_code_hash, client_id, scope, created_at, expires_at, "
        "interval_s, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        d.device_hash, d.user_code_hash, d.client_id, d.scope, d.created_at, d.expires_at, d.interval,
        rows::DeviceStateName(d.state));
    return Ok();
  });
}

Result<std::optional<DeviceCodeRecord>> PgStore::FindPendingDeviceCode(const std::string& user_code_hash, int64_t now) {
  return impl_->Read("find device code", [&](PgConnection& db) -> Result<std::optional<DeviceCodeRecord>> {
    return db.QueryOne(rows::kSelectDeviceCodes + "WHERE user_code_hash = $1 AND state = 'pending' AND expires_at > $2",
                       rows::ReadDeviceCode, user_code_hash, now);
  });
}

Status PgStore::BindDeviceUser(const std::string& user_code_hash, const std::string& user_id, int64_t auth_time,
                               const std::string& consent_hash, int64_t now, const AuditEvent* audit) {
  return impl_->Run("bind device user", [&](PgConnection& db) -> Status {
    PgTransaction tx(db);
    const int changed = db.Exec(
        "UPDATE device_codes SET user_id = $1, auth_time = $2, consent_hash = $3 "
        "WHERE user_code_hash = $4 AND state = 'pending' AND expires_at > $5",
        user_id, auth_time, consent_hash, user_code_hash, now);
    if (changed == 0) return NotPending();
    InsertAudit(db, audit);
    tx.Commit();
    return Ok();
  });
}

Result<DeviceCodeRecord> PgStore::DecideDeviceCode(const std::string& user_code_hash, const std::string& consent_hash,
                                                   bool approved, int64_t now, const AuditEvent* audit) {
  return impl_->Run("decide device code", [&](PgConnection& db) -> Result<DeviceCodeRecord> {
    PgTransaction tx(db);
    auto decided = db.QueryOne(
        "UPDATE device_codes SET state = $1 WHERE user_code_hash = $2 AND state = 'pending' AND expires_at > $3 "
        "AND consent_hash <> '' AND consent_hash = $4 "
        "RETURNING device_hash, user_code_hash, client_id, scope, created_at, expires_at, interval_s, "
        "last_polled_at, state, user_id, auth_time, consent_hash",
        rows::ReadDeviceCode, rows::DeviceStateName(approved ? DeviceCodeState::kApproved : DeviceCodeState::kDenied),
        user_code_hash, now, consent_hash);
    if (!decided) return NotPending();
    InsertAudit(db, audit);
    tx.Commit();
    return std::move(*decided);
  });
}

Result<DeviceCodeRecord> PgStore::PollDeviceCode(const std::string& device_hash, const std::string& client_id,
                                                 int64_t now) {
  return impl_->Run("poll device code", [&](PgConnection& db) -> Result<DeviceCodeRecord> {
    PgTransaction tx(db);
    auto found =
        db.QueryOne(rows::kSelectDeviceCodes + "WHERE device_hash = $1 FOR UPDATE", rows::ReadDeviceCode, device_hash);
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
    db.Exec("UPDATE device_codes SET last_polled_at = $1, interval_s = $2 WHERE device_hash = $3", now, interval,
            device_hash);
    tx.Commit();
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

Status PgStore::RedeemDeviceCode(const std::string& device_hash, int64_t now, const GrantRecord& g,
                                 const RefreshRecord& first) {
  return impl_->Run("redeem device code", [&](PgConnection& db) -> Status {
    PgTransaction tx(db);
    const int spent = db.Exec(
        "UPDATE device_codes SET state = 'consumed' WHERE device_hash = $1 AND state = 'approved' AND expires_at > $2",
        device_hash, now);
    if (spent == 0) return InvalidGrant("the device_code is invalid or was already used");
    InsertGrant(db, g, first);
    tx.Commit();
    return Ok();
  });
}

}  // namespace atm
