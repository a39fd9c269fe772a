// JWT parsing (crypto/jwt.h): DecodeJwtUnverified and VerifyJwt never crash,
// nothing verifies without a real signature of a published key, and
// base64url decoding is canonical.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "crypto/encoding.h"
#include "crypto/jwt.h"
#include "fuzz_check.h"

namespace {

struct Keys {
  std::shared_ptr<const atm::SigningKey> rsa, ec, ed;
  Keys() {
    rsa = std::move(atm::SigningKey::Generate(atm::JwsAlg::kRS256).value());
    ec = std::move(atm::SigningKey::Generate(atm::JwsAlg::kES256).value());
    ed = std::move(atm::SigningKey::Generate(atm::JwsAlg::kEdDSA).value());
  }
  std::shared_ptr<const atm::SigningKey> Find(const std::string& kid) const {
    for (const auto& k : {rsa, ec, ed}) {
      if (k->kid() == kid) return k;
    }
    // Also answer for the kids a fuzzer can guess, so the alg checks and
    // signature checks are reached.
    if (kid == "rsa") return rsa;
    if (kid == "ec") return ec;
    if (kid == "ed") return ed;
    return nullptr;
  }
};

const Keys& TheKeys() {
  static const Keys keys;
  return keys;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string token(reinterpret_cast<const char*>(data), size);
  const Keys& keys = TheKeys();
  (void)atm::DecodeJwtUnverified(token);
  auto verified = atm::VerifyJwt(token, [&keys](const std::string& kid) { return keys.Find(kid); });
  // A fuzzer cannot forge RS256/ES256/EdDSA signatures: anything that
  // verifies must have named a real key and its own algorithm.
  if (verified) {
    FUZZ_CHECK(verified->header.contains("alg"));
    FUZZ_CHECK(verified->header["alg"] != "none");
  }
  if (auto raw = atm::Base64UrlDecode(token)) {
    std::string stripped = token;
    while (!stripped.empty() && stripped.back() == '=') stripped.pop_back();
    FUZZ_CHECK(atm::Base64UrlEncode(*raw) == stripped);
  }
  return 0;
}
