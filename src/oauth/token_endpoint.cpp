#include "oauth/token_endpoint.h"

#include "http/responses.h"
#include "oauth/client_auth.h"
#include "oauth/grants.h"
#include "oauth/params.h"

namespace atm {

HttpResponse TokenResponse(const TokenSet& t) {
  nlohmann::json body = {{"access_token", t.access_token},
                         {"token_type", "Bearer"},
                         {"expires_in", t.expires_in},
                         {"exp_access_token", t.expires_in}};
  if (!t.id_token.empty()) body["id_token"] = t.id_token;
  if (!t.refresh_token.empty()) body["refresh_token"] = t.refresh_token;
  if (!t.scope.empty()) body["scope"] = t.scope;
  return JsonResponse(200, body);
}

Handler MakeTokenHandler(const OAuthDeps& deps, TokenEndpointRules rules) {
  return [&deps, rules](const HttpRequest& request) -> HttpResponse {
    auto params = rules.form_only ? ParseFormBody(request) : ParseBody(request);
    if (!params) return ErrorResponse(params.error());
    std::string grant_type = GrantTypeParam(*params, rules.atm_aliases);
    if (grant_type.empty()) return ErrorResponse(InvalidRequest("grant_type is required", "grant_type"));
    auto credentials = ExtractClientCredentials(request, *params);
    if (!credentials) return ClientAuthFailure(credentials.error(), false);
    GrantRequest grant{*params,
                       *credentials,
                       rules.issuer.empty() ? deps.config.tokens.issuer : rules.issuer,
                       rules.secret_required_for_refresh,
                       rules.atm_verifier_rule && !deps.config.pkce.strict_verifiers,
                       request.remote_addr};
    Result<TokenSet> tokens = Error();
    if (grant_type == "authorization_code") {
      tokens = GrantAuthorizationCode(deps, grant);
    } else if (grant_type == "refresh_token") {
      tokens = GrantRefreshToken(deps, grant);
    } else if (grant_type == "client_credentials") {
      tokens = GrantClientCredentials(deps, grant);
    } else if (grant_type == kDeviceCodeGrantType) {
      tokens = GrantDeviceCode(deps, grant);
    } else {
      return ErrorResponse(Error(ErrorCode::kUnsupportedGrantType,
                                 "grant_type must be authorization_code, refresh_token, client_credentials or " +
                                     std::string(kDeviceCodeGrantType)));
    }
    if (!tokens) return ClientAuthFailure(tokens.error(), credentials->basic);
    return TokenResponse(*tokens);
  };
}

}  // namespace atm
