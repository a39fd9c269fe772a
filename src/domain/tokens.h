// Token issuance: access tokens (ATM claim shape), OpenID Connect ID tokens and
// rotating refresh tokens, and the checks a presented access token must pass.
#pragma once

#include <array>
#include <nlohmann/json.hpp>
#include <string>

#include "core/clock.h"
#include "core/fifo_gate.h"
#include "core/metrics.h"
#include "core/result.h"
#include "domain/claims.h"
#include "domain/keys.h"
#include "domain/token_options.h"
#include "store/store.h"

namespace atm {

struct TokenSet {
  std::string access_token;
  std::string id_token;       // empty when not an OpenID request
  std::string refresh_token;  // empty for client_credentials
  int64_t expires_in = 0;
  std::string scope;
  JwsAlg alg = JwsAlg::kRS256;  // of the signing key
};

// What a valid access token says, after every check.
struct AccessTokenInfo {
  nlohmann::json claims;
  std::string client_id;
  std::string user_id;  // empty for client_credentials tokens
  std::string scope;
};

// OIDC Core §3.1.3.6: the ID token's at_hash, the left half of the access
// token's hash with the signing algorithm's hash (SHA-512 for Ed25519).
std::string AtHash(const std::string& access_token, JwsAlg alg);

class TokenService {
 public:
  // At most `signing_slots` token sets are signed with an RSA key at once
  // (0: one per core).
  TokenService(Store& store, const Clock& clock, KeyService& keys, TokenOptions options, size_t signing_slots = 0);

  // For a code CodeService::Redeem checked: signs its tokens, then spends the
  // code and starts its grant (GrantStore::RedeemCode).
  Result<TokenSet> IssueForCode(const CodeRecord& code, const ClientRecord& client, const std::string& issuer);
  // RFC 6749 §6 with rotation: the presented token is spent, a new one issued.
  // `id_token_hint`, when given, must name the same user and client. A token
  // presented again revokes its login, and `reuse_audit` (when given) is
  // written to the audit trail with the revocation.
  Result<TokenSet> Refresh(const std::string& refresh_token, const ClientRecord& client, const std::string& issuer,
                           const std::string& id_token_hint, const AuditEvent* reuse_audit = nullptr);
  // RFC 8628 §3.5: for a request the user approved and the device's poll
  // returned, signs its tokens, then redeems it and starts its grant
  // (DeviceCodeStore::RedeemDeviceCode), once.
  Result<TokenSet> IssueForDevice(const DeviceCodeRecord& request, const ClientRecord& client,
                                  const std::string& issuer);
  // RFC 6749 §4.4: an access token for the client itself, no refresh token.
  Result<TokenSet> IssueForClient(const ClientRecord& client, const std::string& scope, const std::string& issuer);
  // Signature (pinned alg, published key), expiry, and that its grant, user and
  // client still stand. `issuers` are the accepted iss values.
  Result<AccessTokenInfo> VerifyAccessToken(const std::string& token, const std::vector<std::string>& issuers);

  const TokenOptions& options() const { return options_; }

  // What it issued, for the metrics.
  enum class Grant { kAuthorizationCode, kRefreshToken, kClientCredentials, kDeviceCode };
  static constexpr std::array<Grant, 4> kGrants = {Grant::kAuthorizationCode, Grant::kRefreshToken,
                                                   Grant::kClientCredentials, Grant::kDeviceCode};
  static constexpr std::array<JwsAlg, 3> kAlgs = {JwsAlg::kRS256, JwsAlg::kES256, JwsAlg::kEdDSA};
  static const char* GrantName(Grant grant);
  // Token responses issued for `grant`, signed with `alg`.
  uint64_t issued(Grant grant, JwsAlg alg) const { return issued_[Index(grant, alg)].value(); }
  // Refresh tokens presented again (each revoked its login).
  uint64_t refresh_reused() const { return refresh_reused_.value(); }
  // Codes that expired between CodeService's check and their redemption
  // (after signing); CodeService counts the rest.
  uint64_t codes_expired() const { return codes_expired_.value(); }

 private:
  Result<TokenSet> Sign(const GrantRecord& grant, const ClientRecord& client, const UserRecord& user,
                        const std::string& issuer, std::string refresh_token);
  // The access token's claims for every grant: iat, iss, exp, aud (the
  // client), sub, client_id and a fresh jti.
  nlohmann::json AccessClaims(const ClientRecord& client, const std::string& subject, const std::string& issuer,
                              int64_t now) const;
  // The signed access token as a TokenSet (its lifetime and scope with it).
  Result<TokenSet> SignAccessToken(const SigningKey& key, const nlohmann::json& claims, const std::string& scope) const;
  Result<UserRecord> ActiveUser(const std::string& user_id);
  // A login's grant (token family), its first refresh token and that token's
  // record, for a redeemed code or device request.
  struct NewGrant {
    GrantRecord grant;
    std::string refresh_token;
    RefreshRecord first;
  };
  NewGrant StartGrant(std::string id, const ClientRecord& client, const UserRecord& user, const std::string& scope,
                      const std::string& nonce, int64_t auth_time, int64_t now) const;
  // The signing gate for an RSA key (a signature of ~0.25-1 ms, which the
  // scheduler would otherwise slice among the connections); none (null) for
  // P-256 and Ed25519, whose signatures take tens of microseconds and would
  // only pay the gate's hand-over.
  FifoGate* GateFor(const SigningKey& key);

  Store& store_;
  const Clock& clock_;
  KeyService& keys_;
  TokenOptions options_;
  FifoGate signing_;

  static size_t Index(Grant grant, JwsAlg alg) {
    return static_cast<size_t>(grant) * kAlgs.size() + static_cast<size_t>(alg);
  }
  void CountIssued(Grant grant, const TokenSet& tokens) { issued_[Index(grant, tokens.alg)].Add(); }
  std::array<Counter, kGrants.size() * kAlgs.size()> issued_;
  Counter refresh_reused_;
  Counter codes_expired_;
};

}  // namespace atm
