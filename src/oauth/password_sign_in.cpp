#include "oauth/password_sign_in.h"

#include <algorithm>
#include <cctype>

#include "domain/validation.h"
#include "http/responses.h"

namespace atm {
namespace {

std::string ToLowerAscii(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// The user picked on the picker: like Authenticate without the password.
Result<UserRecord> PickedUser(const OAuthDeps& deps, const std::string& client_id, const std::string& email) {
  auto user = deps.users.FindByEmail(client_id, email);
  if (!user) return Error(ErrorCode::kInvalidCredentials, "no user " + email + " in this application");
  if (user->disabled) return Error(ErrorCode::kAccessDenied, "the account is disabled");
  return user;
}

}  // namespace

HttpResponse ThrottledResponse(int64_t retry_after_seconds) {
  std::string seconds = std::to_string(retry_after_seconds);
  return ErrorResponse(
             Error(ErrorCode::kTooManyAttempts, "too many failed sign-in attempts: try again in " + seconds + " s"))
      .With("Retry-After", seconds);
}

SignInResult SignInWithPassword(const OAuthDeps& deps, Throttle& throttle, AuditService& audit,
                                const SignInAttempt& a) {
  // The audit trail and the metrics count every outcome (README "Audit trail").
  const std::string typed = Trim(a.login);
  auto refused = [&](SignInOutcome outcome, HttpResponse answer) {
    if (auto s = audit.SignInFailed(outcome, a.client_id, typed, a.address); !s) {
      return SignInResult{std::nullopt, ErrorResponse(s.error())};
    }
    return SignInResult{std::nullopt, std::move(answer)};
  };
  // The account is the login name as typed (lower-cased like the store
  // compares it), so unknown names are throttled exactly like real ones.
  Throttle::Attempt attempt = throttle.Admit(a.client_id + "\n" + ToLowerAscii(typed), a.address);
  if (!attempt.allowed()) return refused(SignInOutcome::kThrottled, ThrottledResponse(attempt.retry_after()));
  auto user =
      a.picked ? PickedUser(deps, a.client_id, a.login) : deps.users.Authenticate(a.client_id, a.login, a.password);
  if (user || user.error().Is(ErrorCode::kAccessDenied)) {
    attempt.Succeeded();  // 403: the password was right, the account is disabled
  } else if (user.error().Is(ErrorCode::kInvalidCredentials)) {
    attempt.Failed();
  }
  if (!user && user.error().Is(ErrorCode::kAccessDenied)) {
    return refused(SignInOutcome::kDisabled, ErrorResponse(user.error()));
  }
  if (!user && user.error().Is(ErrorCode::kInvalidCredentials)) {
    return refused(SignInOutcome::kBadCredentials, ErrorResponse(user.error()));
  }
  if (!user) return {std::nullopt, ErrorResponse(user.error())};
  return {std::move(*user), {}};
}

}  // namespace atm
