#include "domain/device_codes.h"

#include <cctype>

#include "crypto/encoding.h"
#include "crypto/random.h"

namespace atm {
namespace {

Error UnknownUserCode() {
  return InvalidGrant("this code is not valid or has expired: check it against the device, or start again there");
}

}  // namespace

std::string NormalizeUserCode(std::string_view typed) {
  std::string out;
  for (char ch : typed) {
    if (ch == '-' || ch == ' ' || ch == '.') continue;
    char upper = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (kUserCodeAlphabet.find(upper) == std::string_view::npos || out.size() == kUserCodeLength) return "";
    out.push_back(upper);
  }
  return out.size() == kUserCodeLength ? out : "";
}

std::string FormatUserCode(const std::string& normalized) {
  const size_t half = normalized.size() / 2;
  return normalized.substr(0, half) + "-" + normalized.substr(half);
}

Result<DeviceAuthorization> DeviceCodeService::Start(const std::string& client_id, const std::string& scope) {
  const int64_t now = clock_.Now();
  // A user code taken by another request (1 in 20^8 per pending request)
  // is drawn again.
  for (int attempt = 0; attempt < 5; ++attempt) {
    DeviceAuthorization out{RandomString(43, kUrlSafe), RandomString(kUserCodeLength, kUserCodeAlphabet),
                            options_.code_ttl, options_.interval};
    DeviceCodeRecord record;
    record.device_hash = HashSecret(out.device_code);
    record.user_code_hash = HashSecret(out.user_code);
    record.client_id = client_id;
    record.scope = scope;
    record.created_at = now;
    record.expires_at = now + options_.code_ttl;
    record.interval = options_.interval;
    auto saved = store_.SaveDeviceCode(record);
    if (saved) {
      out.user_code = FormatUserCode(out.user_code);
      return out;
    }
    if (!saved.error().Is(ErrorCode::kConflict)) return saved.error();
  }
  return ServerError("no free user code");
}

Result<DeviceCodeRecord> DeviceCodeService::FindPending(const std::string& typed_user_code) {
  const std::string code = NormalizeUserCode(typed_user_code);
  if (code.empty()) return UnknownUserCode();
  auto found = store_.FindPendingDeviceCode(HashSecret(code), clock_.Now());
  if (!found) return found.error();
  if (!*found) return UnknownUserCode();
  return std::move(**found);
}

Result<std::string> DeviceCodeService::BindUser(const std::string& typed_user_code, const std::string& user_id,
                                                int64_t auth_time, const AuditEvent* audit) {
  const std::string code = NormalizeUserCode(typed_user_code);
  if (code.empty()) return UnknownUserCode();
  std::string ticket = RandomString(43, kUrlSafe);
  if (auto s = store_.BindDeviceUser(HashSecret(code), user_id, auth_time, HashSecret(ticket), clock_.Now(), audit);
      !s) {
    return s.error().Is(ErrorCode::kInvalidGrant) ? UnknownUserCode() : s.error();
  }
  return ticket;
}

Result<DeviceCodeRecord> DeviceCodeService::Decide(const std::string& typed_user_code, const std::string& ticket,
                                                   bool approved, const AuditEvent* audit) {
  const std::string code = NormalizeUserCode(typed_user_code);
  if (code.empty() || ticket.empty()) return UnknownUserCode();
  auto decided = store_.DecideDeviceCode(HashSecret(code), HashSecret(ticket), approved, clock_.Now(), audit);
  if (!decided && decided.error().Is(ErrorCode::kInvalidGrant)) return UnknownUserCode();
  return decided;
}

Result<DeviceCodeRecord> DeviceCodeService::Poll(const std::string& device_code, const std::string& client_id) {
  if (device_code.empty()) return InvalidRequest("device_code is required", "device_code");
  return store_.PollDeviceCode(HashSecret(device_code), client_id, clock_.Now());
}

}  // namespace atm
