#include "admin/auth.h"

#include <cctype>

#include "admin/json_body.h"
#include "admin/views.h"
#include "domain/validation.h"
#include "http/cookies.h"
#include "http/responses.h"

namespace atm {
namespace {

bool IsSafeMethod(const std::string& method) { return method == "GET" || method == "HEAD"; }

std::string SessionCookie(const std::string& value, int64_t max_age, bool secure) {
  return HttpOnlyCookie(kAdminCookie, value, max_age, {"/admin", "Strict", secure});
}

struct Credentials {
  std::string username;
  std::string password;
};

Result<Credentials> ReadCredentials(const HttpRequest& request) {
  auto body = JsonBody::Parse(request, {"username", "password"});
  if (!body) return body.error();
  auto username = body->String("username");
  if (!username) return username.error();
  auto password = body->String("password");
  if (!password) return password.error();
  Credentials c{Trim(username->value_or("")), password->value_or("")};
  if (c.username.empty()) return InvalidRequest("username is required", "username");
  if (c.password.empty()) return InvalidRequest("password is required", "password");
  return c;
}

nlohmann::json SessionView(const AdminIdentity& id, const std::string& csrf, bool via_cookie) {
  nlohmann::json out = {
      {"username", id.admin.username}, {"expires_at", id.expires_at}, {"auth", via_cookie ? "cookie" : "bearer"}};
  if (via_cookie) out["csrf_token"] = csrf;
  return out;
}

}  // namespace

HttpResponse AdminError(const Error& error) {
  HttpResponse r = ErrorResponse(error);
  if (error.Is(ErrorCode::kInvalidToken)) {
    r.With("WWW-Authenticate", "Bearer realm=\"atm admin\", error=\"invalid_token\"");
  }
  return r;
}

Result<AdminCaller> AuthenticateAdmin(const HttpRequest& request, AdminService& admins) {
  AdminCaller caller;
  if (auto bearer = request.BearerCredentials()) {
    auto id = admins.Check(*bearer);
    if (!id) return id.error();
    if (id->kind != AdminSessionKind::kApi) {
      return Error(ErrorCode::kInvalidToken, "a console session cannot be used as a bearer token");
    }
    caller.identity = std::move(*id);
    caller.token = std::move(*bearer);
    return caller;
  }
  std::string cookie = CookieValue(request, kAdminCookie);
  if (cookie.empty()) {
    return Error(ErrorCode::kInvalidToken,
                 "sign in first: send Authorization: Bearer <admin token>, or use the console at /admin");
  }
  auto id = admins.Check(cookie);
  if (!id) return id.error();
  if (id->kind != AdminSessionKind::kConsole) {
    return Error(ErrorCode::kInvalidToken, "an API token cannot be used as a session cookie");
  }
  // Cross-site request forgery: a change needs the session's CSRF token too.
  if (!IsSafeMethod(request.method) && !AdminService::CheckCsrf(cookie, request.Header(kCsrfHeader))) {
    return Error(ErrorCode::kInvalidCsrfToken,
                 "the X-CSRF-Token header is missing or wrong: reload the console and try again");
  }
  caller.identity = std::move(*id);
  caller.token = std::move(cookie);
  caller.via_cookie = true;
  return caller;
}

HttpResponse HandleSession(const HttpRequest& request, const AdminDeps& deps) {
  bool secure = SecureCookies(request, deps.config.server.public_url);
  if (request.method == "POST") {
    auto credentials = ReadCredentials(request);
    if (!credentials) return AdminError(credentials.error());
    auto session = deps.admins.SignIn(credentials->username, credentials->password, AdminSessionKind::kConsole,
                                      request.remote_addr);
    if (!session) return AdminError(session.error());
    // A session this browser had before ends: one cookie, one live session.
    if (auto s = deps.admins.SignOut(CookieValue(request, kAdminCookie)); !s) return AdminError(s.error());
    AdminIdentity id{session->admin, session->kind, session->expires_at};
    return JsonResponse(200, SessionView(id, session->csrf_token, true))
        .With("Set-Cookie", SessionCookie(session->token, session->expires_at - deps.clock.Now(), secure));
  }
  if (request.method != "GET" && request.method != "HEAD" && request.method != "DELETE") {
    return ErrorResponse(
               Error(ErrorCode::kMethodNotAllowed, request.method + " is not allowed here; use GET, POST, DELETE"))
        .With("Allow", "GET, POST, DELETE");
  }
  auto caller = AuthenticateAdmin(request, deps.admins);
  if (!caller) return AdminError(caller.error());
  if (request.method == "DELETE") {
    if (auto s = deps.admins.SignOut(caller->token); !s) return AdminError(s.error());
    HttpResponse r;
    r.status = 204;
    r.With("Cache-Control", "no-store");
    if (caller->via_cookie) r.With("Set-Cookie", SessionCookie("", 0, secure));
    return r;
  }
  std::string csrf = caller->via_cookie ? AdminService::CsrfToken(caller->token) : "";
  return JsonResponse(200, SessionView(caller->identity, csrf, caller->via_cookie));
}

HttpResponse HandleTokens(const HttpRequest& request, const AdminDeps& deps) {
  if (request.method != "POST") {
    return ErrorResponse(Error(ErrorCode::kMethodNotAllowed, request.method + " is not allowed here; use POST"))
        .With("Allow", "POST");
  }
  auto credentials = ReadCredentials(request);
  if (!credentials) return AdminError(credentials.error());
  auto session =
      deps.admins.SignIn(credentials->username, credentials->password, AdminSessionKind::kApi, request.remote_addr);
  if (!session) return AdminError(session.error());
  // RFC 6750 / RFC 6749 §5.1 shape.
  return JsonResponse(201, {{"access_token", session->token},
                            {"token_type", "Bearer"},
                            {"expires_in", session->expires_at - deps.clock.Now()},
                            {"expires_at", session->expires_at}});
}

}  // namespace atm
