// What a presented token is worth (RFC 7662 introspection) and ending it
// (RFC 7009 revocation), for access tokens (JWTs) and refresh tokens alike.
// A JWT is told from a refresh token by its shape, so token_type_hint is
// never needed (RFC 7009 §2.1 and RFC 7662 §2.1 let the server ignore it).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "domain/tokens.h"
#include "store/store.h"

namespace atm {

// Which iss values the server stands behind, and which one it reports for
// refresh tokens (opaque strings without an iss of their own).
struct IssuerSet {
  std::vector<std::string> accepted;
  std::string refresh_issuer;
};

class TokenStatusService {
 public:
  TokenStatusService(Store& store, const Clock& clock, TokenService& tokens)
      : store_(store), clock_(clock), tokens_(tokens) {}

  // RFC 7662 §2.2: {"active": true, scope, client_id, sub, exp, iat, iss, aud,
  // token_type, jti, username} for a live token issued to `caller`; otherwise
  // {"active": false} -- for expired, revoked, malformed and unknown tokens,
  // tokens of another server, and tokens of another application (a client
  // sees only its own tokens, RFC 7662 §4). Errors only for storage failures.
  Result<nlohmann::json> Introspect(const std::string& token, const ClientRecord& caller, const IssuerSet& issuers);

  // RFC 7009 §2.1: revokes a token issued to `caller`. A refresh token takes its
  // whole grant with it (every access and refresh token of that login); an
  // access token alone is revoked. Unknown, expired or already revoked tokens
  // are no error (§2.2); a live token of another application is invalid_grant.
  Status Revoke(const std::string& token, const ClientRecord& caller, const IssuerSet& issuers);

 private:
  Result<nlohmann::json> IntrospectRefresh(const std::string& token, const ClientRecord& caller,
                                           const IssuerSet& issuers);

  Store& store_;
  const Clock& clock_;
  TokenService& tokens_;
};

// Access tokens are JWS compact serialisations; refresh tokens never contain a dot.
bool LooksLikeJwt(const std::string& token);

}  // namespace atm
