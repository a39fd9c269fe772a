// The device authorization grant (RFC 8628): a device without a browser asks
// for a device code and a short user code; the user types the user code on
// atm's verification page (GET /device), signs in and allows the device; the
// device polls the token endpoint until then. Both codes are stored hashed.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "domain/device_options.h"
#include "store/device_code_store.h"

namespace atm {

// RFC 8628 §6.1: 20 consonants without vowels (no words) and without easily
// confused letters; 8 of them give 20^8 (34 bits), shown as "WDJB-MJHT".
inline constexpr std::string_view kUserCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ";
inline constexpr size_t kUserCodeLength = 8;

// The typed user code in canonical form (upper case; dashes, spaces and dots
// dropped), or "" when it is not kUserCodeLength letters of the alphabet.
std::string NormalizeUserCode(std::string_view typed);
// "WDJBMJHT" -> "WDJB-MJHT".
std::string FormatUserCode(const std::string& normalized);

// The §3.2 answer's codes and timing.
struct DeviceAuthorization {
  std::string device_code;  // 43 x [A-Za-z0-9_-]
  std::string user_code;    // formatted
  int64_t expires_in = 0;
  int64_t interval = 0;
};

class DeviceCodeService {
 public:
  DeviceCodeService(DeviceCodeStore& store, const Clock& clock, DeviceOptions options)
      : store_(store), clock_(clock), options_(options) {}

  // §3.1-3.2: a new request of `client_id` (which the caller checked may use
  // the grant) for `scope`.
  Result<DeviceAuthorization> Start(const std::string& client_id, const std::string& scope);
  // The verification page: the pending, unexpired request of a typed user
  // code; invalid_grant otherwise (the caller throttles the guesses).
  Result<DeviceCodeRecord> FindPending(const std::string& typed_user_code);
  // The user signed in on the page: binds them to the request and returns the
  // ticket (plain; stored hashed) that their answer must carry. `audit` (the
  // sign-in's event) is written with it.
  Result<std::string> BindUser(const std::string& typed_user_code, const std::string& user_id, int64_t auth_time,
                               const AuditEvent* audit = nullptr);
  // The user's answer: approved or denied, with the ticket of their sign-in.
  Result<DeviceCodeRecord> Decide(const std::string& typed_user_code, const std::string& ticket, bool approved,
                                  const AuditEvent* audit = nullptr);
  // §3.4-3.5: the device's poll. The approved request, or authorization_pending,
  // slow_down, expired_token, access_denied or invalid_grant.
  Result<DeviceCodeRecord> Poll(const std::string& device_code, const std::string& client_id);

  const DeviceOptions& options() const { return options_; }

 private:
  DeviceCodeStore& store_;
  const Clock& clock_;
  DeviceOptions options_;
};

}  // namespace atm
