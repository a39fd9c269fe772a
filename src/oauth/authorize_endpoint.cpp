#include "oauth/authorize_endpoint.h"

#include <cctype>

#include "crypto/pkce.h"
#include "http/responses.h"
#include "http/url.h"
#include "oauth/authorize_request.h"
#include "oauth/login_session.h"
#include "oauth/pages.h"

namespace atm {
namespace {

std::string PageTitle(const Error& error) {
  return error.Is(ErrorCode::kInvalidClient) ? "Unknown application" : "Invalid sign-in request";
}

}  // namespace

Handler MakeAuthorizeHandler(const OAuthDeps& deps) {
  return [&deps](const HttpRequest& request) -> HttpResponse {
    // OpenID Connect Core §3.1.2.1: GET with a query, or POST with a form body.
    std::string_view raw = request.query_string;
    if (request.method == "POST") {
      std::string type = request.Header("content-type");
      for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (type.rfind("application/x-www-form-urlencoded", 0) != 0) {
        return ErrorPage(415, "Invalid sign-in request",
                         "A POST to /authorize must be a form (application/x-www-form-urlencoded).");
      }
      raw = request.body;
    }
    auto params = ParseUrlEncoded(raw);
    if (!params) return ErrorPage(400, "Invalid sign-in request", "The request has a malformed %-escape.");
    AuthorizeDecision d =
        ValidateAuthorizeRequest(*params, deps.clients, AuthorizeOptions{deps.config.pkce.allow_plain});
    switch (d.kind) {
      case AuthorizeDecision::Kind::kErrorPage:
        return ErrorPage(400, PageTitle(d.error), d.error.description);
      case AuthorizeDecision::Kind::kErrorRedirect:
        return Redirect(ErrorRedirectUrl(d.redirect_uri, d.error, d.state));
      case AuthorizeDecision::Kind::kLogin:
        break;
    }
    const AuthorizeRequest& r = d.request;
    // Testing: the application's auto-login user, else a live session.
    auto sign_in = SignedInAlready(deps, request, r.client.id, !r.prompt_login, r.max_age);
    if (!sign_in) return Redirect(ErrorRedirectUrl(r.redirect_uri, sign_in.error(), r.state));
    if (*sign_in) {
      CodeRequest code;
      code.client_id = r.client.id;
      code.challenge = r.code_challenge;
      code.method = ParsePkceMethod(r.code_challenge_method, /*allow_plain=*/true).value();  // validated
      code.redirect_uri = r.redirect_uri_given ? r.redirect_uri : "";
      code.scope = r.scope;
      code.nonce = r.nonce;
      return AnswerFromSession(deps, **sign_in, std::move(code), r.redirect_uri, r.state);
    }
    if (r.prompt_none) {
      return Redirect(ErrorRedirectUrl(
          r.redirect_uri, Error(ErrorCode::kLoginRequired, "the user must sign in: no live session at atm"), r.state));
    }
    return Redirect(LoginPageUrl(d.request, deps.config.sessions.enabled));
  };
}

}  // namespace atm
