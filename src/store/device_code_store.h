// Storage of device authorization requests (RFC 8628): created by the device,
// signed in to and decided on the verification page, polled by the device,
// and redeemed once for a grant. Every method is one transaction. Errors are
// values: invalid_grant for a code that cannot be used, and for a poll the
// RFC 8628 §3.5 answers (authorization_pending, slow_down, expired_token,
// access_denied).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"
#include "store/records.h"

namespace atm {

class DeviceCodeStore {
 public:
  virtual ~DeviceCodeStore() = default;

  // conflict when either hash is taken (the caller draws new codes).
  virtual Status SaveDeviceCode(const DeviceCodeRecord& record) = 0;
  // The request with this user code, pending and unexpired; nullopt otherwise.
  virtual Result<std::optional<DeviceCodeRecord>> FindPendingDeviceCode(const std::string& user_code_hash,
                                                                        int64_t now) = 0;
  // The page's sign-in: binds the user and the consent ticket to the pending,
  // unexpired request (a later sign-in replaces both), and writes `audit` (the
  // sign-in's event) with it. invalid_grant otherwise.
  virtual Status BindDeviceUser(const std::string& user_code_hash, const std::string& user_id, int64_t auth_time,
                                const std::string& consent_hash, int64_t now, const AuditEvent* audit = nullptr) = 0;
  // The user's answer, with the ticket of its sign-in: approved or denied.
  // Returns the decided request. invalid_grant when the request is not
  // pending, has expired, or the ticket is not its own. `audit` is written
  // in the same transaction.
  virtual Result<DeviceCodeRecord> DecideDeviceCode(const std::string& user_code_hash, const std::string& consent_hash,
                                                    bool approved, int64_t now, const AuditEvent* audit = nullptr) = 0;
  // The device's poll (RFC 8628 §3.4-3.5): slow_down when it comes sooner
  // than the interval after the last (and the interval grows by 5 s);
  // expired_token after its expiry; authorization_pending, access_denied, or
  // the approved request (not yet redeemed). invalid_grant for an unknown or
  // redeemed code, or another client's.
  virtual Result<DeviceCodeRecord> PollDeviceCode(const std::string& device_hash, const std::string& client_id,
                                                  int64_t now) = 0;
  // One transaction: marks the approved, unexpired request redeemed and
  // creates its grant with the first refresh token. invalid_grant when it was
  // redeemed meanwhile (a concurrent poll won), keeping nothing of `grant`.
  virtual Status RedeemDeviceCode(const std::string& device_hash, int64_t now, const GrantRecord& grant,
                                  const RefreshRecord& first) = 0;
};

}  // namespace atm
