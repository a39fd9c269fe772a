// POST /auth (README "The flow by hand, with curl"): checks a user's email and password against an
// application and answers {"redirectUrl", "code"}. Failed attempts are
// throttled per account and client network (429 with Retry-After).
#pragma once

#include "domain/throttle.h"
#include "http/router.h"
#include "oauth/deps.h"

namespace atm {

Handler MakeAuthHandler(const OAuthDeps& deps, Throttle& throttle, AuditService& audit);

}  // namespace atm
