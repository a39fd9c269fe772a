#include "oauth/auth_endpoint.h"

#include "crypto/pkce.h"
#include "domain/redirect_uris.h"
#include "domain/validation.h"
#include "http/cookies.h"
#include "http/responses.h"
#include "oauth/login_session.h"
#include "oauth/params.h"
#include "oauth/password_sign_in.h"
#include "oauth/test_login.h"

namespace atm {

Handler MakeAuthHandler(const OAuthDeps& deps, Throttle& throttle, AuditService& audit) {
  return [&deps, &throttle, &audit](const HttpRequest& request) -> HttpResponse {
    auto params = ParseBody(request);
    if (!params) return ErrorResponse(params.error());
    auto client = deps.clients.FindActive(params->First({"clientId", "client_id"}));
    if (!client) return ErrorResponse(client.error());
    // Cheap checks before the expensive password check.
    auto method = ParsePkceMethod(params->Get("code_challenge_method"), deps.config.pkce.allow_plain);
    if (!method) return ErrorResponse(method.error());
    std::string challenge = params->Get("code_challenge");
    if (auto s = ValidateChallenge(*method, challenge); !s) return ErrorResponse(s.error());
    std::string login = params->First({"loginId", "email", "username"});
    std::string password = params->Get("password");
    // Testing: a pick on the user picker signs in without a password.
    const bool picked = params->Get("pick") == "1" && HasUserPicker(deps, client->id);
    if (login.empty()) return ErrorResponse(InvalidRequest("loginId is required", "loginId"));
    if (password.empty() && !picked) return ErrorResponse(InvalidRequest("password is required", "password"));
    // Optional (used by /authorize): the redirect URI must be registered.
    std::string redirect_uri = params->Get("redirect_uri");
    if (!redirect_uri.empty() && !MatchesRegisteredRedirect(client->redirect_urls, redirect_uri)) {
      return ErrorResponse(InvalidRequest("redirect_uri is not registered for this application", "redirect_uri"));
    }
    SignInResult signed_in =
        SignInWithPassword(deps, throttle, audit, {client->id, login, password, picked, request.remote_addr});
    if (!signed_in.user) return signed_in.refusal;
    const UserRecord& user = *signed_in.user;
    CodeRequest code_request;
    code_request.client_id = client->id;
    code_request.user_id = user.id;
    code_request.challenge = challenge;
    code_request.method = *method;
    code_request.redirect_uri = redirect_uri;
    code_request.scope = params->Get("scope");
    code_request.nonce = params->Get("nonce");
    code_request.auth_time = deps.clock.Now();
    code_request.audit = audit.SignInSucceeded(client->id, Trim(login), user.id, request.remote_addr);
    auto code = deps.codes.Issue(code_request);
    if (!code) return ErrorResponse(code.error());
    HttpResponse answer = JsonResponse(
        200, {{"redirectUrl", redirect_uri.empty() ? client->redirect_urls.front() : redirect_uri}, {"code", *code}});
    // atm's own login page starts (or joins) a sign-in session: for
    // /authorize (session=1), and for the ATM /login page when
    // sessions.atm_login is on.
    const SessionOptions& sessions = deps.config.sessions;
    if (sessions.enabled && (params->Get("session") == "1" || sessions.atm_login) && FromOwnPage(request)) {
      std::string id =
          deps.sessions.SignIn(CookieValue(request, kSessionCookie), client->id, user.id, code_request.auth_time);
      if (!id.empty()) answer.With("Set-Cookie", SessionCookie(deps, request, id));
    }
    return answer;
  };
}

}  // namespace atm
