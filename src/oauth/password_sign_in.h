// A password sign-in to an application, as atm's pages make it: the login
// page's POST /auth and the device verification page. Throttled per account
// and client network (RFC 6749 §10.10; 429 with Retry-After), every failure
// written to the audit trail and counted by outcome.
#pragma once

#include <optional>
#include <string>

#include "domain/audit.h"
#include "domain/throttle.h"
#include "http/http.h"
#include "oauth/deps.h"

namespace atm {

struct SignInAttempt {
  std::string client_id;
  std::string login;  // as typed
  std::string password;
  bool picked = false;  // testing: picked on the user picker, no password
  std::string address;  // the client's
};

struct SignInResult {
  std::optional<UserRecord> user;  // signed in (the caller writes the success's audit event)
  HttpResponse refusal;            // otherwise, the answer: 401, 403 (disabled), 429, or an error
};

SignInResult SignInWithPassword(const OAuthDeps& deps, Throttle& throttle, AuditService& audit,
                                const SignInAttempt& attempt);

// The 429 answer of a throttled sign-in: JSON error and Retry-After.
HttpResponse ThrottledResponse(int64_t retry_after_seconds);

}  // namespace atm
