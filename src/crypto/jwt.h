// Compact JWS JWTs (RFC 7519): signing with a SigningKey and verifying against a
// set of keys. Verification pins the algorithm to the key's own, so "none" and
// HS256-with-a-public-key tokens never verify.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/result.h"
#include "crypto/signing_key.h"

namespace atm {

Result<std::string> SignJwt(const SigningKey& key, const nlohmann::json& payload);

struct DecodedJwt {
  nlohmann::json header;
  nlohmann::json payload;
};

// Finds the verification key for a kid, or nullptr.
using KeyLookup = std::function<std::shared_ptr<const SigningKey>(const std::string& kid)>;

// Checks shape, alg, kid and signature; not the claims (the caller checks exp,
// iss and aud against its own rules).
Result<DecodedJwt> VerifyJwt(std::string_view token, const KeyLookup& lookup);
// Decodes without verifying (for id_token_hint checks where the signature was
// already ours); fails on anything that is not three base64url JSON parts.
Result<DecodedJwt> DecodeJwtUnverified(std::string_view token);

}  // namespace atm
