// GET /login (README "The flow by hand, with curl"): the bundled login page for
// an application, or an error page when the client is unknown or the PKCE
// challenge is missing.
#pragma once

#include "http/router.h"
#include "oauth/deps.h"

namespace atm {

Handler MakeLoginPageHandler(const OAuthDeps& deps);

}  // namespace atm
