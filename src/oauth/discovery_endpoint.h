// GET /.well-known/openid-configuration (OpenID Connect Discovery 1.0 §3-4;
// also served as RFC 8414 authorization server metadata). It advertises only
// what atm really does, so clients never try a feature that is not there.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "config/config.h"
#include "http/router.h"

namespace atm {

// The metadata document for `issuer` (the public base URL, no trailing slash).
nlohmann::json DiscoveryDocument(const Config& config, const std::string& issuer);
Handler MakeDiscoveryHandler(const Config& config, const std::string& issuer);

}  // namespace atm
