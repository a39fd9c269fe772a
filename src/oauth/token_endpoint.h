// The token endpoints: POST /auth/token (ATM, JSON or form; grant type also
// spelled grant_types or grantType) and, with standard rules, POST /token.
// Each grant is its own function (grants.h); this file only dispatches.
#pragma once

#include <string>

#include "domain/tokens.h"
#include "http/router.h"
#include "oauth/deps.h"

namespace atm {

// How strict a token endpoint is about the client: the ATM endpoint accepts a
// refresh without the client secret (its documented body has none); the
// standard endpoint requires confidential clients to authenticate (RFC 6749 §6).
struct TokenEndpointRules {
  bool secret_required_for_refresh = false;
  bool atm_aliases = true;  // accept grant_types / grantType
  // The iss of tokens issued here; empty = the configured tokens.issuer.
  std::string issuer;
  // RFC 6749 §4.1.3: form-encoded bodies only (the ATM endpoint also takes JSON).
  bool form_only = false;
  // ATM's verifier rule for ATM-method codes (unless pkce.strict_verifiers).
  bool atm_verifier_rule = true;
};

Handler MakeTokenHandler(const OAuthDeps& deps, TokenEndpointRules rules);
// The JSON token response (RFC 6749 §5.1, plus ATM's exp_access_token).
HttpResponse TokenResponse(const TokenSet& tokens);

}  // namespace atm
