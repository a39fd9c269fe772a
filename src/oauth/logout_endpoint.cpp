#include "oauth/logout_endpoint.h"

#include <optional>

#include "domain/redirect_uris.h"
#include "http/cookies.h"
#include "http/responses.h"
#include "http/url.h"
#include "oauth/login_session.h"
#include "oauth/pages.h"
#include "oauth/params.h"

namespace atm {
namespace {

constexpr const char* kTitle = "Invalid sign-out request";

}  // namespace

Handler MakeLogoutHandler(const OAuthDeps& deps, std::vector<std::string> issuers) {
  return [&deps, issuers = std::move(issuers)](const HttpRequest& request) -> HttpResponse {
    const bool post = request.method == "POST";
    auto params = post ? ParseFormBody(request) : ParseQuery(request);
    if (!params) return ErrorPage(400, kTitle, params.error().description);
    const std::string hint_token = params->Get("id_token_hint");
    std::string client_id = params->Get("client_id");
    const std::string return_uri = params->Get("post_logout_redirect_uri");
    const std::string state = params->Get("state");

    std::optional<IdTokenHint> hint;
    if (!hint_token.empty()) {
      auto read = deps.logout.ReadHint(hint_token, issuers);
      if (!read) return ErrorPage(400, kTitle, read.error().description);
      if (!client_id.empty() && client_id != read->client_id) {
        return ErrorPage(400, kTitle, "client_id is not the application the id_token_hint was issued to.");
      }
      client_id = read->client_id;
      hint = std::move(*read);
    }
    std::optional<ClientRecord> client;
    if (!client_id.empty()) {
      auto found = deps.clients.FindActive(client_id);
      if (!found) return ErrorPage(400, kTitle, found.error().description);
      client = std::move(*found);
    }
    if (!return_uri.empty()) {
      if (!client) return ErrorPage(400, kTitle, "post_logout_redirect_uri needs a client_id or an id_token_hint.");
      if (!ClientService::AllowsPostLogoutRedirect(*client, return_uri)) {
        return ErrorPage(400, kTitle, "post_logout_redirect_uri is not registered for this application.");
      }
    }
    if (!hint && !(post && params->Get("confirm") == "yes")) {
      return LogoutConfirmPage({client ? client->name : "", client_id, return_uri, state}, OriginOf(return_uri));
    }
    if (auto s = deps.logout.SignOut(CookieValue(request, kSessionCookie), hint ? &*hint : nullptr); !s) {
      return ErrorPage(s.error().status(), "Sign-out failed", s.error().description);
    }
    HttpResponse answer = SignedOutPage();
    if (!return_uri.empty()) {
      std::string url = return_uri;
      if (!state.empty()) AppendQuery(url, "state", state);
      answer = Redirect(url);
    }
    return answer.With("Set-Cookie", ExpiredSessionCookie(deps, request));
  };
}

}  // namespace atm
