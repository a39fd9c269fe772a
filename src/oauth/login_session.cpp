#include "oauth/login_session.h"

#include "http/cookies.h"
#include "http/responses.h"
#include "http/url.h"
#include "oauth/authorize_request.h"
#include "oauth/test_login.h"

namespace atm {
namespace {

CookieAttributes Attributes(const OAuthDeps& deps, const HttpRequest& request) {
  // Lax: the cookie goes with the top-level navigation from the app to
  // /authorize, never with another site's subrequests or POSTs.
  return {"/", "Lax", SecureCookies(request, deps.config.server.public_url)};
}

}  // namespace

Result<std::optional<SessionSignIn>> SignedInAlready(const OAuthDeps& deps, const HttpRequest& request,
                                                     const std::string& client_id, bool use_session,
                                                     std::optional<int64_t> max_age) {
  auto auto_login = AutoLogin(deps, client_id);
  if (!auto_login || *auto_login || !use_session) return auto_login;
  const std::optional<SessionSignIn> none;
  if (!deps.config.sessions.enabled) return none;
  auto sign_in = deps.sessions.Find(CookieValue(request, kSessionCookie), client_id);
  if (!sign_in || !*sign_in) return sign_in;
  if (max_age && deps.clock.Now() - (*sign_in)->auth_time > *max_age) return none;
  auto user = deps.users.Get((*sign_in)->user_id);
  if (!user && !user.error().Is(ErrorCode::kNotFound)) return user.error();
  if (!user || user->disabled || user->client_id != client_id) return none;
  return sign_in;
}

HttpResponse AnswerFromSession(const OAuthDeps& deps, const SessionSignIn& sign_in, CodeRequest code,
                               const std::string& target, const std::string& state) {
  code.user_id = sign_in.user_id;
  code.auth_time = sign_in.auth_time;
  auto issued = deps.codes.Issue(code);
  if (!issued) return Redirect(ErrorRedirectUrl(target, issued.error(), state));
  std::string url = target;
  AppendQuery(url, "code", *issued);
  if (!state.empty()) AppendQuery(url, "state", state);
  return Redirect(url);
}

bool FromOwnPage(const HttpRequest& request) {
  const std::string site = request.Header("sec-fetch-site");
  if (!site.empty()) return site == "same-origin";
  const std::string origin = request.Header("origin"), host = request.Header("host");
  const std::string scheme = request.tls ? "https://" : "http://";
  return !host.empty() && origin == scheme + host;
}

std::string SessionCookie(const OAuthDeps& deps, const HttpRequest& request, const std::string& id) {
  return HttpOnlyCookie(kSessionCookie, id, deps.config.sessions.lifetime, Attributes(deps, request));
}

std::string ExpiredSessionCookie(const OAuthDeps& deps, const HttpRequest& request) {
  return HttpOnlyCookie(kSessionCookie, "", 0, Attributes(deps, request));
}

}  // namespace atm
