// The standard OAuth 2.0 / OpenID Connect endpoints (README "Using standard
// OpenID Connect clients"), beside the ATM-compatible ones:   GET
// /.well-known/openid-configuration      (also under /auth/, and as   GET
// /.well-known/oauth-authorization-server  RFC 8414 metadata)   GET
// /authorize, POST /authorize   POST /token        form-encoded; confidential
// clients must authenticate,                      also on refresh (RFC 6749 §6)
// GET  /userinfo, POST /userinfo   POST /revoke, POST /introspect
//
// The issuer rule: tokens from POST /token carry iss = the public URL (the
// discovery document's "issuer", server.public_url or http://HOST:PORT), as
// OpenID clients require; tokens from the ATM endpoint POST /auth/token carry
// iss = tokens.issuer (default "atm"), as ATM clients expect. /userinfo,
// /introspect and /revoke accept both.
#pragma once

#include <string>

#include "domain/token_status.h"
#include "http/router.h"
#include "oauth/deps.h"

namespace atm {

void RegisterOidcRoutes(Router& router, const OAuthDeps& deps, TokenStatusService& status, const std::string& issuer);

}  // namespace atm
