// Who may call the admin API, and the console's sign-in.
//
// Two credentials are accepted:
//   * `Authorization: Bearer <token>`: an API token from POST /admin/api/tokens
//     or `atm admin token` (RFC 6750 §2.1). Not sent by browsers on their own,
//     so it needs no CSRF check.
//   * the console session cookie `atm_admin` (HttpOnly; SameSite=Strict;
//     Path=/admin; Secure under TLS). Because a browser attaches it by itself,
//     every state-changing request must also carry the session's CSRF token in
//     the X-CSRF-Token header (a synchronizer token, derived from the session).
#pragma once

#include <string>

#include "admin/deps.h"
#include "core/result.h"
#include "http/http.h"

namespace atm {

inline constexpr const char* kAdminCookie = "atm_admin";
inline constexpr const char* kCsrfHeader = "x-csrf-token";

struct AdminCaller {
  AdminIdentity identity;
  std::string token;
  bool via_cookie = false;
};

// 401 invalid_token without a valid credential; 403 invalid_csrf_token for a
// cookie-authenticated change without the right X-CSRF-Token header.
Result<AdminCaller> AuthenticateAdmin(const HttpRequest& request, AdminService& admins);

// /admin/api/session: POST signs in (sets the cookie), GET tells who is signed
// in (and the CSRF token), DELETE signs out.
HttpResponse HandleSession(const HttpRequest& request, const AdminDeps& deps);
// POST /admin/api/tokens: an API bearer token for a username and password.
HttpResponse HandleTokens(const HttpRequest& request, const AdminDeps& deps);

// An error as the admin API's JSON answer; 401s carry WWW-Authenticate.
HttpResponse AdminError(const Error& error);

}  // namespace atm
