#include "oauth/discovery_endpoint.h"

#include "domain/claims.h"

namespace atm {

nlohmann::json DiscoveryDocument(const Config& config, const std::string& issuer) {
  nlohmann::json challenge_methods = {"S256"};
  if (config.pkce.allow_plain) challenge_methods.push_back("plain");
  const nlohmann::json client_auth = {"client_secret_basic", "client_secret_post", "none"};
  return {
      {"issuer", issuer},
      {"authorization_endpoint", issuer + "/authorize"},
      {"token_endpoint", issuer + "/token"},
      {"userinfo_endpoint", issuer + "/userinfo"},
      {"jwks_uri", issuer + "/.well-known/jwks.json"},
      {"revocation_endpoint", issuer + "/revoke"},
      {"introspection_endpoint", issuer + "/introspect"},
      {"end_session_endpoint", issuer + "/logout"},                         // OpenID Connect RP-Initiated Logout 1.0
      {"device_authorization_endpoint", issuer + "/device_authorization"},  // RFC 8628 §4
      {"scopes_supported", SupportedScopes()},
      {"claims_supported", SupportedClaims()},
      {"response_types_supported", {"code"}},
      {"response_modes_supported", {"query"}},
      {"grant_types_supported",
       {"authorization_code", "refresh_token", "client_credentials", "urn:ietf:params:oauth:grant-type:device_code"}},
      {"subject_types_supported", {"public"}},
      {"id_token_signing_alg_values_supported", {JwsAlgName(config.keys.algorithm)}},
      {"code_challenge_methods_supported", challenge_methods},
      // "none" is how a public application authenticates (PKCE only).
      {"token_endpoint_auth_methods_supported", client_auth},
      {"revocation_endpoint_auth_methods_supported", client_auth},
      // Introspection needs a client that can authenticate (RFC 7662 §2.1).
      {"introspection_endpoint_auth_methods_supported", {"client_secret_basic", "client_secret_post"}},
      // none: answered from the sign-in session, or login_required; login: the form again.
      {"prompt_values_supported", {"none", "login"}},
      {"claims_parameter_supported", false},
      {"request_parameter_supported", false},
      // Discovery §3: the default is true, so it must be said.
      {"request_uri_parameter_supported", false},
      {"require_request_uri_registration", false},
  };
}

Handler MakeDiscoveryHandler(const Config& config, const std::string& issuer) {
  auto body = std::make_shared<const std::string>(DiscoveryDocument(config, issuer).dump());
  return [body](const HttpRequest&) -> HttpResponse {
    HttpResponse r;
    r.content_type = "application/json";
    r.body = *body;
    r.With("Cache-Control", "public, max-age=300");
    return r;
  };
}

}  // namespace atm
