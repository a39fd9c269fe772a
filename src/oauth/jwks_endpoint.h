// GET /auth/.well-known/jwks.json (SPEC §3, §6): the published keys, served
// from bytes cached at each key change.
#pragma once

#include "domain/keys.h"
#include "http/router.h"

namespace atm {

Handler MakeJwksHandler(KeyService& keys);

}  // namespace atm
