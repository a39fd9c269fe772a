#include "oauth/login_endpoint.h"

#include "crypto/pkce.h"
#include "domain/redirect_uris.h"
#include "http/responses.h"
#include "oauth/authorize_request.h"
#include "oauth/login_session.h"
#include "oauth/pages.h"
#include "oauth/params.h"
#include "oauth/test_login.h"

namespace atm {

Handler MakeLoginPageHandler(const OAuthDeps& deps) {
  return [&deps](const HttpRequest& request) -> HttpResponse {
    auto params = ParseQuery(request);
    if (!params) return ErrorPage(400, "Invalid sign-in link", params.error().description);
    std::string client_id = params->First({"clientId", "client_id"});
    if (client_id.empty()) {
      return ErrorPage(400, "Invalid sign-in link", "The link has no clientId: it must name an application.");
    }
    auto client = deps.clients.FindActive(client_id);
    if (!client) {
      return ErrorPage(400, "Unknown application", "No active application has the clientId \"" + client_id + "\".");
    }
    auto method = ParsePkceMethod(params->Get("code_challenge_method"), deps.config.pkce.allow_plain);
    if (!method) return ErrorPage(400, "Invalid sign-in link", method.error().description);
    if (auto s = ValidateChallenge(*method, params->Get("code_challenge")); !s) {
      return ErrorPage(400, "Invalid sign-in link", s.error().description);
    }
    std::string redirect_uri = params->Get("redirect_uri");
    if (!redirect_uri.empty() && !MatchesRegisteredRedirect(client->redirect_urls, redirect_uri)) {
      return ErrorPage(400, "Invalid sign-in link", "redirect_uri is not registered for this application.");
    }
    const std::string target = redirect_uri.empty() ? client->redirect_urls.front() : redirect_uri;
    // Testing: the application's auto-login user; else (sessions.atm_login)
    // a live sign-in session.
    auto sign_in = SignedInAlready(deps, request, client->id, deps.config.sessions.atm_login, std::nullopt);
    if (!sign_in) return Redirect(ErrorRedirectUrl(target, sign_in.error(), params->Get("state")));
    if (*sign_in) {
      CodeRequest code;
      code.client_id = client->id;
      code.challenge = params->Get("code_challenge");
      code.method = *method;
      code.redirect_uri = redirect_uri;
      code.scope = params->Get("scope");
      code.nonce = params->Get("nonce");
      return AnswerFromSession(deps, **sign_in, std::move(code), target, params->Get("state"));
    }
    return LoginPage(client->name, PickerUsers(deps, client->id));
  };
}

}  // namespace atm
