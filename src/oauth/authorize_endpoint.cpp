#include "oauth/authorize_endpoint.h"

#include <cctype>

#include "http/url.h"
#include "oauth/authorize_request.h"
#include "oauth/pages.h"

namespace atm {
namespace {

HttpResponse Redirect(const std::string& location) {
  HttpResponse r;
  r.status = 302;
  r.content_type = "text/plain; charset=utf-8";
  r.With("Location", location).With("Cache-Control", "no-store");
  return r;
}

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
    return Redirect(LoginPageUrl(d.request));
  };
}

}  // namespace atm
