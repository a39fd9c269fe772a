// GET /auth/.well-known/jwks.json (README "The flow by hand, with curl", "How
// it keeps secrets"): the published keys, served from bytes cached at each key
// change.
#pragma once

#include "domain/keys.h"
#include "http/router.h"

namespace atm {

Handler MakeJwksHandler(KeyService& keys);

}  // namespace atm
