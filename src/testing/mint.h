// POST /_testing/tokens (README "Testing against atm"): tokens without a
// sign-in, signed with the server's key. For an existing user they are real
// (a code issued and redeemed: the refresh token works, /userinfo answers);
// for a free-form subject, an access and an ID token. Any claim, audience,
// issuer and time can be set; on request the token is one a resource server
// must refuse: an unknown kid, a wrong alg, alg "none", a bad signature,
// expired, or from another issuer.
#pragma once

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "admin/json_body.h"
#include "core/result.h"
#include "crypto/signing_key.h"
#include "testing/deps.h"

namespace atm {

class TokenMinter {
 public:
  explicit TokenMinter(TestingDeps& deps) : deps_(deps) {}
  // The body's fields are listed in mint.cpp (kFields); answers the token
  // response: access_token, id_token, refresh_token (users only),
  // token_type, expires_in, scope.
  Result<nlohmann::json> Mint(const JsonBody& body);

 private:
  // A key of the configured algorithm that is not published (unknown_kid).
  Result<std::shared_ptr<const SigningKey>> StrayKey(JwsAlg alg);

  TestingDeps& deps_;
  std::mutex stray_mutex_;
  std::shared_ptr<const SigningKey> stray_key_;
};

}  // namespace atm
