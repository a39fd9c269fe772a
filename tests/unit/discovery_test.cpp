// The discovery document advertises exactly what atm does.
#include <catch2/catch.hpp>

#include "oauth/discovery_endpoint.h"

using namespace atm;
using nlohmann::json;

TEST_CASE("discovery names the issuer's endpoints and only the supported features") {
  Config c;
  json d = DiscoveryDocument(c, "https://id.example");
  CHECK(d["issuer"] == "https://id.example");
  CHECK(d["authorization_endpoint"] == "https://id.example/authorize");
  CHECK(d["token_endpoint"] == "https://id.example/token");
  CHECK(d["userinfo_endpoint"] == "https://id.example/userinfo");
  CHECK(d["jwks_uri"] == "https://id.example/.well-known/jwks.json");
  CHECK(d["revocation_endpoint"] == "https://id.example/revoke");
  CHECK(d["introspection_endpoint"] == "https://id.example/introspect");
  CHECK(d["end_session_endpoint"] == "https://id.example/logout");
  CHECK(d["response_types_supported"] == json({"code"}));
  CHECK(d["response_modes_supported"] == json({"query"}));
  CHECK(d["device_authorization_endpoint"] == "https://id.example/device_authorization");
  CHECK(d["grant_types_supported"] == json({"authorization_code", "refresh_token", "client_credentials",
                                            "urn:ietf:params:oauth:grant-type:device_code"}));
  CHECK(d["subject_types_supported"] == json({"public"}));
  CHECK(d["scopes_supported"] == json({"openid", "profile", "email"}));
  CHECK(d["code_challenge_methods_supported"] == json({"S256"}));
  CHECK(d["id_token_signing_alg_values_supported"] == json({"RS256"}));
  CHECK(d["token_endpoint_auth_methods_supported"] == json({"client_secret_basic", "client_secret_post", "none"}));
  CHECK(d["introspection_endpoint_auth_methods_supported"] == json({"client_secret_basic", "client_secret_post"}));
  // Discovery §3 defaults request_uri_parameter_supported to true: it must be denied.
  CHECK(d["request_uri_parameter_supported"] == false);
  CHECK(d["request_parameter_supported"] == false);
  for (const char* claim : {"sub", "email", "given_name", "family_name", "name", "nonce", "auth_time"}) {
    INFO(claim);
    CHECK(std::find(d["claims_supported"].begin(), d["claims_supported"].end(), claim) != d["claims_supported"].end());
  }
  // Nothing atm does not do.
  for (const char* absent : {"registration_endpoint", "check_session_iframe",
                             "request_object_signing_alg_values_supported", "frontchannel_logout_supported"}) {
    INFO(absent);
    CHECK_FALSE(d.contains(absent));
  }
}

TEST_CASE("discovery follows the configured signing algorithm and PKCE plain setting") {
  Config c;
  c.keys.algorithm = GENERATE(JwsAlg::kES256, JwsAlg::kEdDSA);
  c.pkce.allow_plain = true;
  json d = DiscoveryDocument(c, "http://127.0.0.1:8080");
  CHECK(d["id_token_signing_alg_values_supported"] == json({JwsAlgName(c.keys.algorithm)}));
  CHECK(d["code_challenge_methods_supported"] == json({"S256", "plain"}));
}
