#include "oauth/auth_endpoint.h"

#include <algorithm>
#include <cctype>

#include "crypto/pkce.h"
#include "domain/redirect_uris.h"
#include "domain/validation.h"
#include "http/cookies.h"
#include "http/responses.h"
#include "oauth/login_session.h"
#include "oauth/params.h"
#include "oauth/test_login.h"

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
    // RFC 6749 §10.10: throttle guessing. The account is the login name as
    // typed (lower-cased like the store compares it), so unknown names are
    // throttled exactly like real ones.
    std::string account = client->id + "\n" + ToLowerAscii(Trim(login));
    // The audit trail and the metrics count every outcome (README "Audit trail").
    const std::string typed = Trim(login);
    auto failed = [&](SignInOutcome outcome, HttpResponse answer) {
      if (auto s = audit.SignInFailed(outcome, client->id, typed, request.remote_addr); !s) {
        return ErrorResponse(s.error());
      }
      return answer;
    };
    Throttle::Attempt attempt = throttle.Admit(account, request.remote_addr);
    if (!attempt.allowed()) return failed(SignInOutcome::kThrottled, ThrottledResponse(attempt.retry_after()));
    auto user = picked ? PickedUser(deps, client->id, login) : deps.users.Authenticate(client->id, login, password);
    if (user || user.error().Is(ErrorCode::kAccessDenied)) {
      attempt.Succeeded();  // 403: the password was right, the account is disabled
    } else if (user.error().Is(ErrorCode::kInvalidCredentials)) {
      attempt.Failed();
    }
    if (!user && user.error().Is(ErrorCode::kAccessDenied)) {
      return failed(SignInOutcome::kDisabled, ErrorResponse(user.error()));
    }
    if (!user && user.error().Is(ErrorCode::kInvalidCredentials)) {
      return failed(SignInOutcome::kBadCredentials, ErrorResponse(user.error()));
    }
    if (!user) return ErrorResponse(user.error());
    CodeRequest code_request;
    code_request.client_id = client->id;
    code_request.user_id = user->id;
    code_request.challenge = challenge;
    code_request.method = *method;
    code_request.redirect_uri = redirect_uri;
    code_request.scope = params->Get("scope");
    code_request.nonce = params->Get("nonce");
    code_request.auth_time = deps.clock.Now();
    code_request.audit = audit.SignInSucceeded(client->id, typed, user->id, request.remote_addr);
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
          deps.sessions.SignIn(CookieValue(request, kSessionCookie), client->id, user->id, code_request.auth_time);
      answer.With("Set-Cookie", SessionCookie(deps, request, id));
    }
    return answer;
  };
}

}  // namespace atm
