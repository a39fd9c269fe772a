// One function per grant type. Each authenticates the client by its own rules,
// applies the grant, and returns the tokens or an error value.
#pragma once

#include <string>

#include "domain/tokens.h"
#include "http/http.h"
#include "oauth/client_auth.h"
#include "oauth/deps.h"
#include "oauth/params.h"

namespace atm {

struct GrantRequest {
  const Params& params;
  const ClientCredentials& credentials;
  std::string issuer;
  bool secret_required_for_refresh = false;
  bool atm_verifier_rule = false;  // see Redemption::atm_verifier_rule
  std::string address;             // the client's, for the audit trail
};

// RFC 6749 §4.1.3 + RFC 7636 §4.5.
Result<TokenSet> GrantAuthorizationCode(const OAuthDeps& deps, const GrantRequest& request);
// RFC 6749 §6, with rotation and reuse detection.
Result<TokenSet> GrantRefreshToken(const OAuthDeps& deps, const GrantRequest& request);
// RFC 6749 §4.4: confidential clients only.
Result<TokenSet> GrantClientCredentials(const OAuthDeps& deps, const GrantRequest& request);
// RFC 8628 §3.4: the device's poll, for applications allowed the grant.
inline constexpr const char* kDeviceCodeGrantType = "urn:ietf:params:oauth:grant-type:device_code";
Result<TokenSet> GrantDeviceCode(const OAuthDeps& deps, const GrantRequest& request);

}  // namespace atm
