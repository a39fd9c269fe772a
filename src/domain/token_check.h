// Checking a JWT the way a resource server that verifies offline would
// (atm token verify): against the published keys (signature, alg pinned to
// the key, kid), its times (exp, nbf) and its issuer. Revocation, the
// application and the user are not looked at: /introspect does that.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "crypto/jwt.h"

namespace atm {

// The token's claims when it is valid; otherwise kInvalidToken with a
// one-line reason ("the token expired at 2026-12-06T10:00:00Z", ...).
// `issuers`: the accepted values of iss (at least one).
Result<nlohmann::json> CheckJwt(std::string_view token, const KeyLookup& keys, const Clock& clock,
                                const std::vector<std::string>& issuers);

}  // namespace atm
