// GET and POST /authorize (RFC 6749 §4.1.1, OpenID Connect Core §3.1.2.1):
// validates the request, then sends the browser to the login page with the
// request's parameters (the page posts them to /auth and returns to the
// client with ?code=...&state=...). Errors as authorize_request.h describes.
#pragma once

#include "http/router.h"
#include "oauth/deps.h"

namespace atm {

Handler MakeAuthorizeHandler(const OAuthDeps& deps);

}  // namespace atm
