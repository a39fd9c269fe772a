// GET and POST /userinfo (OpenID Connect Core §5.3): the signed-in user's
// claims, as the access token's scope releases them (domain/claims.h).
#pragma once

#include <string>
#include <vector>

#include "http/router.h"
#include "oauth/deps.h"

namespace atm {

// `issuers`: the iss values of access tokens this server accepts.
Handler MakeUserinfoHandler(const OAuthDeps& deps, std::vector<std::string> issuers);

}  // namespace atm
