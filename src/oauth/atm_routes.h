// The ATM-compatible endpoints (README "The flow by hand, with curl") and what they need to serve:
//   GET  /health
//   GET  /login                      the bundled login page
//   POST /auth                       email + password -> {redirectUrl, code}
//   POST /auth/token                 authorization_code | refresh_token | client_credentials
//   GET  /auth/.well-known/jwks.json (also /.well-known/jwks.json)
//   GET  /assets/login.css, /assets/login.js
// One registration shared by App and the socket-less test fixture.
#pragma once

#include "domain/throttle.h"
#include "http/router.h"
#include "oauth/deps.h"

namespace atm {

// `throttle` slows password guessing at POST /auth.
void RegisterAtmRoutes(Router& router, const OAuthDeps& deps, Throttle& throttle, AuditService& audit);

}  // namespace atm
