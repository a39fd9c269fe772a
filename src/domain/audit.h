// The audit trail of security events (README "Audit trail"): who changed
// what (before and after, never a secret or a hash), sign-ins and their
// outcome, refresh token reuse and the revocation it caused, key rotations,
// secret regenerations, admin sign-ins.
//
// A change's event is written by the store in the transaction of the change
// (the services pass it with the change, store/audit_store.h); an event that
// changes nothing (a failed sign-in) is written on its own by Record.
// AuditService also counts sign-ins by outcome for the metrics.
#pragma once

#include <array>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/result.h"
#include "domain/audit_options.h"
#include "store/audit_store.h"

namespace atm {

// Who made a change: "admin:<username>" over the admin API and console,
// "cli" for the command line, "config" for start-up seeding, "schedule" for
// the maintenance loop; and from which address, when over HTTP.
struct Actor {
  std::string name = "system";
  std::string address;
};

// The event kinds, as stored and as the filters name them.
namespace audit_kind {
inline constexpr const char* kSignIn = "signin";
inline constexpr const char* kAdminSignIn = "admin.signin";
inline constexpr const char* kRefreshReuse = "refresh.reuse";
inline constexpr const char* kDeviceApprove = "device.approve";  // RFC 8628: a user allowed a device
inline constexpr const char* kDeviceDeny = "device.deny";
inline constexpr const char* kKeyRotate = "key.rotate";
inline constexpr const char* kApplicationCreate = "application.create";
inline constexpr const char* kApplicationUpdate = "application.update";
inline constexpr const char* kApplicationDelete = "application.delete";
inline constexpr const char* kApplicationSecret = "application.secret";
inline constexpr const char* kUserCreate = "user.create";
inline constexpr const char* kUserUpdate = "user.update";
inline constexpr const char* kUserPassword = "user.password";
inline constexpr const char* kUserDelete = "user.delete";
inline constexpr const char* kAdminCreate = "admin.create";
inline constexpr const char* kAdminPassword = "admin.password";
inline constexpr const char* kAdminDelete = "admin.delete";
}  // namespace audit_kind

enum class SignInOutcome { kSuccess, kBadCredentials, kThrottled, kDisabled };
inline constexpr std::array<SignInOutcome, 4> kSignInOutcomes = {
    SignInOutcome::kSuccess, SignInOutcome::kBadCredentials, SignInOutcome::kThrottled, SignInOutcome::kDisabled};
std::string_view SignInOutcomeName(SignInOutcome outcome);

// An event of `kind` by `by` at `now`, outcome "success".
AuditEvent NewAuditEvent(std::string kind, const Actor& by, int64_t now);
// A time bound for the audit filters (`--since`, ?since=): seconds since the
// epoch ("1700000000"), an age ("90s", "15m", "24h", "7d": that long before
// `now`), or a UTC date or time ("2026-12-06", "2026-12-06T10:00:00Z").
// invalid_request naming `field` otherwise.
Result<int64_t> ParseTimeBound(const std::string& text, int64_t now, const std::string& field);
// "2026-12-06T10:00:00Z".
std::string FormatUtc(int64_t seconds);

// {"before": ..., "after": ...} with the members that differ only (both
// whole when either is null: a creation or a deletion).
std::string ChangeDetail(const nlohmann::json& before, const nlohmann::json& after);

class AuditService {
 public:
  AuditService(AuditStore& store, const Clock& clock, AuditOptions options)
      : store_(store), clock_(clock), options_(options) {}

  // A sign-in at /auth: counted; a failure is written at once. A success's
  // event is returned instead, for the store to write with the code it
  // issues (CodeRequest::audit). A refused (throttled) attempt costs the
  // server nothing else, so that a flood of them cannot fill the trail, one
  // is written per account, application and address per kThrottledWindow;
  // the metric counts them all.
  Status SignInFailed(SignInOutcome outcome, const std::string& client_id, const std::string& account,
                      const std::string& address);
  AuditEvent SignInSucceeded(const std::string& client_id, const std::string& account, const std::string& user_id,
                             const std::string& address);
  uint64_t signins(SignInOutcome outcome) const { return signins_[static_cast<size_t>(outcome)].value(); }
  static constexpr int64_t kThrottledWindow = 60;  // seconds

  // An event that goes with no change.
  Status Record(const AuditEvent& event);
  Result<std::vector<AuditEvent>> List(const AuditFilter& filter, const Page& page);
  Result<int64_t> Count(const AuditFilter& filter);
  // Deletes the events older than the retention; returns how many.
  Result<int64_t> Prune();

  const Clock& clock() const { return clock_; }
  const AuditOptions& options() const { return options_; }

 private:
  AuditEvent SignInEvent(SignInOutcome outcome, const std::string& client_id, const std::string& account,
                         const std::string& address) const;

  AuditStore& store_;
  const Clock& clock_;
  AuditOptions options_;
  // Whether a throttled attempt on `key` is written now (the first in its window).
  bool RecordThrottled(const std::string& key, int64_t now);

  std::array<Counter, kSignInOutcomes.size()> signins_;
  std::mutex throttled_mutex_;
  std::unordered_map<std::string, int64_t> throttled_written_;  // key -> when; bounded by kMaxThrottledKeys
};

}  // namespace atm
