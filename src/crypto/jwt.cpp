#include "crypto/jwt.h"

#include "crypto/encoding.h"

namespace atm {
namespace {

Result<nlohmann::json> DecodeJsonPart(std::string_view part) {
  auto raw = Base64UrlDecode(part);
  if (!raw) return InvalidRequest("the token is not base64url");
  auto json = nlohmann::json::parse(*raw, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return InvalidRequest("the token is not JSON");
  return json;
}

}  // namespace

Result<std::string> SignJwt(const SigningKey& key, const nlohmann::json& payload) {
  nlohmann::json header = {{"alg", JwsAlgName(key.alg())}, {"typ", "JWT"}, {"kid", key.kid()}};
  std::string input = Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(payload.dump());
  auto sig = key.Sign(input);
  if (!sig) return sig.error();
  return input + "." + Base64UrlEncode(*sig);
}

Result<DecodedJwt> DecodeJwtUnverified(std::string_view token) {
  size_t d1 = token.find('.');
  size_t d2 = d1 == std::string_view::npos ? d1 : token.find('.', d1 + 1);
  if (d2 == std::string_view::npos || token.find('.', d2 + 1) != std::string_view::npos) {
    return InvalidRequest("the token is not a compact JWS (three parts)");
  }
  auto header = DecodeJsonPart(token.substr(0, d1));
  if (!header) return header.error();
  auto payload = DecodeJsonPart(token.substr(d1 + 1, d2 - d1 - 1));
  if (!payload) return payload.error();
  return DecodedJwt{std::move(*header), std::move(*payload)};
}

Result<DecodedJwt> VerifyJwt(std::string_view token, const KeyLookup& lookup) {
  auto decoded = DecodeJwtUnverified(token);
  if (!decoded) return decoded.error();
  const auto& header = decoded->header;
  if (!header.contains("kid") || !header["kid"].is_string() || !header.contains("alg") || !header["alg"].is_string()) {
    return InvalidRequest("the token header has no kid or alg");
  }
  auto key = lookup(header["kid"].get<std::string>());
  if (!key) return InvalidRequest("the token was not signed by a key of this server");
  // The algorithm is the key's, never the one the token names (RFC 8725 §3.1).
  if (header["alg"].get<std::string>() != JwsAlgName(key->alg())) {
    return InvalidRequest("the token's alg does not match its key");
  }
  size_t d2 = token.rfind('.');
  auto sig = Base64UrlDecode(token.substr(d2 + 1));
  if (!sig || !key->Verify(token.substr(0, d2), *sig)) {
    return InvalidRequest("the token signature is invalid");
  }
  return decoded;
}

}  // namespace atm
