#include "oauth/oidc_routes.h"

#include "oauth/authorize_endpoint.h"
#include "oauth/discovery_endpoint.h"
#include "oauth/revocation_endpoint.h"
#include "oauth/token_endpoint.h"
#include "oauth/userinfo_endpoint.h"

namespace atm {

void RegisterOidcRoutes(Router& router, const OAuthDeps& deps, TokenStatusService& status, const std::string& issuer) {
  const IssuerSet issuers{{issuer, deps.config.tokens.issuer}, issuer};
  Handler discovery = MakeDiscoveryHandler(deps.config, issuer);
  router.Add("GET", "/.well-known/openid-configuration", discovery);
  router.Add("GET", "/auth/.well-known/openid-configuration", discovery);
  router.Add("GET", "/.well-known/oauth-authorization-server", discovery);
  Handler authorize = MakeAuthorizeHandler(deps);
  router.Add("GET", "/authorize", authorize);
  router.Add("POST", "/authorize", authorize);
  TokenEndpointRules rules;
  rules.secret_required_for_refresh = true;
  rules.atm_aliases = false;
  rules.issuer = issuer;
  rules.form_only = true;
  rules.atm_verifier_rule = false;
  router.Add("POST", "/token", MakeTokenHandler(deps, rules));
  Handler userinfo = MakeUserinfoHandler(deps, issuers.accepted);
  router.Add("GET", "/userinfo", userinfo);
  router.Add("POST", "/userinfo", userinfo);
  router.Add("POST", "/revoke", MakeRevokeHandler(deps, status, issuers));
  router.Add("POST", "/introspect", MakeIntrospectHandler(deps, status, issuers));
}

}  // namespace atm
