// Errors as values: a typed code, and the one table that gives each code its
// wire name (the "error" member of a JSON answer, RFC 6749 §5.2 and §4.1.2.1,
// RFC 6750 §3.1, RFC 7009 §2.2.1, RFC 8628 §3.5, OpenID Connect Core §3.1.2.6) and its HTTP
// status. Several codes may share a wire name: they differ in status or in what
// the code's callers do with them (kCodeUsed is invalid_grant on the wire, and
// tells the code service to revoke the grant).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace atm {

enum class ErrorCode {
  // RFC 6749
  kInvalidRequest,
  kInvalidClient,
  kInvalidGrant,
  kUnauthorizedClient,
  kUnsupportedGrantType,
  kInvalidScope,
  kAccessDenied,
  kUnsupportedResponseType,
  kServerError,
  kTemporarilyUnavailable,
  // RFC 6750 (bearer tokens) and RFC 7009 (revocation)
  kInvalidToken,
  kMissingToken,  // no token at all: 401 with a challenge that names no error (RFC 6750 §3.1)
  kInsufficientScope,
  kUnsupportedTokenType,
  // OpenID Connect Core §3.1.2.6
  kLoginRequired,
  kRequestNotSupported,
  kRequestUriNotSupported,
  kRegistrationNotSupported,
  // atm's own answers
  kInvalidCredentials,    // wrong email or password at sign-in: invalid_grant, 401
  kTooManyAttempts,       // sign-in throttled: temporarily_unavailable, 429
  kUnsupportedMediaType,  // a body in a Content-Type the endpoint does not take: 415
  kLengthRequired,        // 411
  kPayloadTooLarge,       // 413
  kUriTooLong,            // 414
  kHeadersTooLarge,       // 431
  kInvalidCsrfToken,      // the console's X-CSRF-Token: 403
  kNotFound,
  kMethodNotAllowed,
  kConflict,
  kCodeUsed,       // an authorization code redeemed twice
  kCodeExpired,    // an authorization code presented after its expiry: invalid_grant
  kRefreshReused,  // a refresh token presented again (its login is revoked): invalid_grant
  // RFC 8628 §3.5: a device's poll before the user's answer, too soon, too
  // late, or after a denial (access_denied, but 400 like every token error)
  kAuthorizationPending,
  kSlowDown,
  kExpiredToken,
  kDeviceDenied,
  kInvalidConfig,  // configuration or environment: server_error, 500 (the CLI prints it as a usage error)
};

struct ErrorInfo {
  ErrorCode code;
  std::string_view wire_name;
  int status;
};

// The table, one row per code in ErrorCode order (held to it below).
inline constexpr ErrorInfo kErrorTable[] = {
    {ErrorCode::kInvalidRequest, "invalid_request", 400},
    {ErrorCode::kInvalidClient, "invalid_client", 401},
    {ErrorCode::kInvalidGrant, "invalid_grant", 400},
    {ErrorCode::kUnauthorizedClient, "unauthorized_client", 400},
    {ErrorCode::kUnsupportedGrantType, "unsupported_grant_type", 400},
    {ErrorCode::kInvalidScope, "invalid_scope", 400},
    {ErrorCode::kAccessDenied, "access_denied", 403},
    {ErrorCode::kUnsupportedResponseType, "unsupported_response_type", 400},
    {ErrorCode::kServerError, "server_error", 500},
    {ErrorCode::kTemporarilyUnavailable, "temporarily_unavailable", 503},
    {ErrorCode::kInvalidToken, "invalid_token", 401},
    {ErrorCode::kMissingToken, "invalid_token", 401},
    {ErrorCode::kInsufficientScope, "insufficient_scope", 403},
    {ErrorCode::kUnsupportedTokenType, "unsupported_token_type", 400},
    {ErrorCode::kLoginRequired, "login_required", 400},
    {ErrorCode::kRequestNotSupported, "request_not_supported", 400},
    {ErrorCode::kRequestUriNotSupported, "request_uri_not_supported", 400},
    {ErrorCode::kRegistrationNotSupported, "registration_not_supported", 400},
    {ErrorCode::kInvalidCredentials, "invalid_grant", 401},
    {ErrorCode::kTooManyAttempts, "temporarily_unavailable", 429},
    {ErrorCode::kUnsupportedMediaType, "invalid_request", 415},
    {ErrorCode::kLengthRequired, "invalid_request", 411},
    {ErrorCode::kPayloadTooLarge, "invalid_request", 413},
    {ErrorCode::kUriTooLong, "invalid_request", 414},
    {ErrorCode::kHeadersTooLarge, "invalid_request", 431},
    {ErrorCode::kInvalidCsrfToken, "invalid_csrf_token", 403},
    {ErrorCode::kNotFound, "not_found", 404},
    {ErrorCode::kMethodNotAllowed, "method_not_allowed", 405},
    {ErrorCode::kConflict, "conflict", 409},
    {ErrorCode::kCodeUsed, "invalid_grant", 400},
    {ErrorCode::kCodeExpired, "invalid_grant", 400},
    {ErrorCode::kRefreshReused, "invalid_grant", 400},
    {ErrorCode::kAuthorizationPending, "authorization_pending", 400},
    {ErrorCode::kSlowDown, "slow_down", 400},
    {ErrorCode::kExpiredToken, "expired_token", 400},
    {ErrorCode::kDeviceDenied, "access_denied", 400},
    {ErrorCode::kInvalidConfig, "server_error", 500},
};

constexpr bool ErrorTableIsComplete() {
  constexpr size_t rows = sizeof kErrorTable / sizeof kErrorTable[0];
  if (rows != static_cast<size_t>(ErrorCode::kInvalidConfig) + 1) return false;
  for (size_t i = 0; i < rows; ++i) {
    if (static_cast<size_t>(kErrorTable[i].code) != i) return false;
  }
  return true;
}
static_assert(ErrorTableIsComplete(), "kErrorTable needs one row per ErrorCode, in order");

constexpr const ErrorInfo& InfoOf(ErrorCode code) { return kErrorTable[static_cast<int>(code)]; }

// An error: its code, a description that is safe to show to the client,
// optionally the request field at fault, and a detail for the log that is
// never sent (a SQLite message, an OpenSSL reason).
struct Error {
  ErrorCode code = ErrorCode::kServerError;
  std::string description;
  std::string field;
  std::string detail;

  Error() = default;
  Error(ErrorCode c, std::string d, std::string f = {}) : code(c), description(std::move(d)), field(std::move(f)) {}

  bool Is(ErrorCode c) const { return code == c; }
  std::string_view wire_name() const { return InfoOf(code).wire_name; }
  int status() const { return InfoOf(code).status; }
  Error WithDetail(std::string d) const {
    Error e = *this;
    e.detail = std::move(d);
    return e;
  }
};

inline Error InvalidRequest(std::string description, std::string field = {}) {
  return Error(ErrorCode::kInvalidRequest, std::move(description), std::move(field));
}
inline Error InvalidGrant(std::string description) { return Error(ErrorCode::kInvalidGrant, std::move(description)); }
inline Error InvalidClient(std::string description) { return Error(ErrorCode::kInvalidClient, std::move(description)); }
inline Error ServerError(std::string description) { return Error(ErrorCode::kServerError, std::move(description)); }

}  // namespace atm
