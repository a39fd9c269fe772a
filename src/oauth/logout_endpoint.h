// GET and POST /logout: OpenID Connect RP-Initiated Logout 1.0 (the discovery
// document's end_session_endpoint). Takes id_token_hint, client_id,
// post_logout_redirect_uri and state. With a valid id_token_hint the session
// ends at once; without one, the user confirms on a "Sign out?" page first
// (§2: the OP should ask, so that another site cannot sign the user out).
// Then the browser goes back to the post-logout redirect URL (registered for
// the application, with state) or sees a "signed out" page. Invalid requests
// get an error page and change nothing.
#pragma once

#include <string>
#include <vector>

#include "http/router.h"
#include "oauth/deps.h"

namespace atm {

Handler MakeLogoutHandler(const OAuthDeps& deps, std::vector<std::string> issuers);

}  // namespace atm
