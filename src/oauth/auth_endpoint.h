// POST /auth (SPEC §3): checks a user's email and password against an
// application and answers {"redirectUrl", "code"}.
#pragma once

#include "http/router.h"
#include "oauth/deps.h"

namespace atm {

Handler MakeAuthHandler(const OAuthDeps& deps);

}  // namespace atm
