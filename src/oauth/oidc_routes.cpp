#include "oauth/oidc_routes.h"

#include "oauth/authorize_endpoint.h"
#include "oauth/cors.h"
#include "oauth/discovery_endpoint.h"
#include "oauth/logout_endpoint.h"
#include "oauth/revocation_endpoint.h"
#include "oauth/token_endpoint.h"
#include "oauth/userinfo_endpoint.h"

namespace atm {

void RegisterOidcRoutes(Router& router, const OAuthDeps& deps, TokenStatusService& status, const std::string& issuer) {
  const IssuerSet issuers{{issuer, deps.config.tokens.issuer}, issuer};
  Handler discovery = MakeDiscoveryHandler(deps.config, issuer);
  AddPublicRoute(router, "/.well-known/openid-configuration", discovery);
  AddPublicRoute(router, "/auth/.well-known/openid-configuration", discovery);
  AddPublicRoute(router, "/.well-known/oauth-authorization-server", discovery);
  Handler authorize = MakeAuthorizeHandler(deps);
  router.Add("GET", "/authorize", authorize);
  router.Add("POST", "/authorize", authorize);
  Handler logout = MakeLogoutHandler(deps, issuers.accepted);
  router.Add("GET", "/logout", logout);
  router.Add("POST", "/logout", logout);
  TokenEndpointRules rules;
  rules.secret_required_for_refresh = true;
  rules.atm_aliases = false;
  rules.issuer = issuer;
  rules.form_only = true;
  rules.atm_verifier_rule = false;
  AddBrowserRoute(router, deps.clients, {"POST"}, "/token", MakeTokenHandler(deps, rules), ClientFromCredentials);
  AddBrowserRoute(router, deps.clients, {"GET", "POST"}, "/userinfo", MakeUserinfoHandler(deps, issuers.accepted),
                  ClientFromBearerToken);
  AddBrowserRoute(router, deps.clients, {"POST"}, "/revoke", MakeRevokeHandler(deps, status, issuers),
                  ClientFromCredentials);
  AddBrowserRoute(router, deps.clients, {"POST"}, "/introspect", MakeIntrospectHandler(deps, status, issuers),
                  ClientFromCredentials);
}

}  // namespace atm
