#include "domain/tokens.h"

#include <algorithm>
#include <optional>
#include <thread>
#include <type_traits>

#include "crypto/encoding.h"
#include "domain/claims.h"
#include "domain/ids.h"

namespace atm {

std::string AtHash(const std::string& access_token, JwsAlg alg) {
  std::string digest = alg == JwsAlg::kEdDSA ? Sha512(access_token) : Sha256(access_token);
  return Base64UrlEncode(digest.substr(0, digest.size() / 2));
}

namespace {

// The claim `name` when it is present and of type T (a string, or an integer
// for int64_t); nullopt otherwise.
template <typename T>
std::optional<T> Claim(const nlohmann::json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end()) return std::nullopt;
  if constexpr (std::is_same_v<T, std::string>) {
    if (!it->is_string()) return std::nullopt;
  } else {
    if (!it->is_number_integer()) return std::nullopt;
  }
  return it->get<T>();
}

}  // namespace

TokenService::TokenService(Store& store, const Clock& clock, KeyService& keys, TokenOptions options,
                           size_t signing_slots)
    : store_(store),
      clock_(clock),
      keys_(keys),
      options_(std::move(options)),
      signing_(signing_slots > 0 ? signing_slots : std::max(1u, std::thread::hardware_concurrency())) {}

Result<UserRecord> TokenService::ActiveUser(const std::string& user_id) {
  auto user = store_.GetUser(user_id);
  if (!user) return user.error();
  if (!*user) return InvalidGrant("the user no longer exists");
  if ((*user)->disabled) return InvalidGrant("the user is disabled");
  return std::move(**user);
}

nlohmann::json TokenService::AccessClaims(const ClientRecord& client, const std::string& subject,
                                          const std::string& issuer, int64_t now) const {
  return {{"iat", now},         {"iss", issuer},  {"exp", now + options_.access_token_ttl},
          {"aud", client.id},   {"sub", subject}, {"client_id", client.id},
          {"jti", NewTokenId()}};
}

Result<TokenSet> TokenService::SignAccessToken(const SigningKey& key, const nlohmann::json& claims,
                                               const std::string& scope) const {
  auto at = SignJwt(key, claims);
  if (!at) return at.error();
  TokenSet out;
  out.access_token = std::move(*at);
  out.alg = key.alg();
  out.expires_in = options_.access_token_ttl;
  out.scope = scope;
  return out;
}

Result<TokenSet> TokenService::Sign(const GrantRecord& grant, const ClientRecord& client, const UserRecord& user,
                                    const std::string& issuer, std::string refresh_token) {
  auto key = keys_.Current();
  if (!key) return key.error();
  const int64_t now = clock_.Now();
  // README "The flow by hand, with curl": the ATM access token shape, plus
  // sub/client_id/sid/jti for standard resource servers.
  nlohmann::json access = AccessClaims(client, user.id, issuer, now);
  access["scope"] = {
      {"email", user.email}, {"id", user.id}, {"firstName", user.first_name}, {"lastName", user.last_name}};
  access["sid"] = grant.id;
  AddExtraClaims(user, access);
  FifoGate::Pass pass(GateFor(**key));
  auto out = SignAccessToken(**key, access, grant.scope);
  if (!out) return out;
  out->refresh_token = std::move(refresh_token);
  // The ATM flow (no scope) always gets an ID token; OAuth requests only with "openid".
  if (grant.scope.empty() || HasScope(grant.scope, "openid")) {
    // OIDC Core §2 and §5.4: the protocol claims, then what the scope releases.
    nlohmann::json id = UserClaims(user, grant.scope);
    id.update({{"iss", issuer},
               {"aud", client.id},
               {"exp", now + options_.id_token_ttl},
               {"iat", now},
               {"auth_time", grant.auth_time},
               {"sid", grant.id},
               {"at_hash", AtHash(out->access_token, (*key)->alg())}});
    if (!grant.nonce.empty()) id["nonce"] = grant.nonce;
    auto it = SignJwt(**key, id);
    if (!it) return it.error();
    out->id_token = std::move(*it);
  }
  return out;
}

TokenService::NewGrant TokenService::StartGrant(std::string id, const ClientRecord& client, const UserRecord& user,
                                                const std::string& scope, const std::string& nonce, int64_t auth_time,
                                                int64_t now) const {
  NewGrant out;
  out.grant = GrantRecord{std::move(id), client.id, user.id, scope, nonce, auth_time, now};
  out.refresh_token = NewRefreshToken();
  out.first = RefreshRecord{HashSecret(out.refresh_token),   out.grant.id, client.id, user.id, now,
                            now + options_.refresh_token_ttl};
  return out;
}

Result<TokenSet> TokenService::IssueForCode(const CodeRecord& code, const ClientRecord& client,
                                            const std::string& issuer) {
  const int64_t now = clock_.Now();
  auto user = ActiveUser(code.user_id);
  if (!user) {
    (void)store_.SpendCode(code.hash, now);  // of no use to anyone now
    return user.error();
  }
  NewGrant fresh = StartGrant(code.session_id.empty() ? NewGrantId() : code.session_id, client, *user, code.scope,
                              code.nonce, code.auth_time, now);
  // Signing comes before storing: a failure to sign then leaves the code
  // unspent and no grant. The code is spent with the grant, in one transaction.
  auto tokens = Sign(fresh.grant, client, *user, issuer, fresh.refresh_token);
  if (!tokens) return tokens;
  // After signing, the clock may have passed the code's expiry: checked again.
  if (auto s = store_.RedeemCode(code.hash, clock_.Now(), fresh.grant, fresh.first); !s) {
    if (s.error().Is(ErrorCode::kCodeExpired)) {
      codes_expired_.Add();
      return InvalidGrant(s.error().description);
    }
    return s.error();
  }
  CountIssued(Grant::kAuthorizationCode, *tokens);
  return tokens;
}

Result<TokenSet> TokenService::IssueForDevice(const DeviceCodeRecord& request, const ClientRecord& client,
                                              const std::string& issuer) {
  const int64_t now = clock_.Now();
  auto user = ActiveUser(request.user_id);
  if (!user) return user.error();
  NewGrant fresh = StartGrant(NewGrantId(), client, *user, request.scope, "", request.auth_time, now);
  // As for a code: signed first, then redeemed with its grant in one
  // transaction, so of two polls at once only one gets tokens.
  auto tokens = Sign(fresh.grant, client, *user, issuer, fresh.refresh_token);
  if (!tokens) return tokens;
  if (auto s = store_.RedeemDeviceCode(request.device_hash, clock_.Now(), fresh.grant, fresh.first); !s) {
    return s.error();
  }
  CountIssued(Grant::kDeviceCode, *tokens);
  return tokens;
}

Result<TokenSet> TokenService::Refresh(const std::string& refresh_token, const ClientRecord& client,
                                       const std::string& issuer, const std::string& id_token_hint,
                                       const AuditEvent* reuse_audit) {
  if (refresh_token.empty()) return InvalidRequest("refresh_token is required", "refresh_token");
  const int64_t now = clock_.Now();
  std::string next = NewRefreshToken();
  RefreshRecord rec{HashSecret(next), "", client.id, "", now, now + options_.refresh_token_ttl};
  if (!id_token_hint.empty()) {
    // The ATM body carries the last ID token; it must belong to this client's login.
    auto hint = DecodeJwtUnverified(id_token_hint);
    if (!hint) return InvalidRequest("id_token is not a JWT", "id_token");
    auto live = store_.GetLiveRefresh(HashSecret(refresh_token), now);
    if (!live) return live.error();
    if (*live) {
      const auto& p = hint->payload;
      bool same_user = Claim<std::string>(p, "sub") == (*live)->user_id;
      bool same_client = Claim<std::string>(p, "aud") == client.id;
      if (!same_user || !same_client) return InvalidGrant("id_token does not belong to this refresh token");
    }
  }
  auto grant = store_.RotateRefresh(HashSecret(refresh_token), client.id, rec, now, reuse_audit);
  if (!grant && grant.error().Is(ErrorCode::kRefreshReused)) {
    refresh_reused_.Add();
    return InvalidGrant(grant.error().description);
  }
  if (!grant) return grant.error();
  auto user = ActiveUser(grant->user_id);
  if (!user) {
    (void)store_.RevokeGrant(grant->id);
    return user.error();
  }
  auto tokens = Sign(*grant, client, *user, issuer, std::move(next));
  if (tokens) CountIssued(Grant::kRefreshToken, *tokens);
  return tokens;
}

const char* TokenService::GrantName(Grant grant) {
  switch (grant) {
    case Grant::kAuthorizationCode:
      return "authorization_code";
    case Grant::kRefreshToken:
      return "refresh_token";
    case Grant::kClientCredentials:
      return "client_credentials";
    case Grant::kDeviceCode:
      return "device_code";
  }
  return "authorization_code";
}

FifoGate* TokenService::GateFor(const SigningKey& key) { return key.alg() == JwsAlg::kRS256 ? &signing_ : nullptr; }

Result<TokenSet> TokenService::IssueForClient(const ClientRecord& client, const std::string& scope,
                                              const std::string& issuer) {
  auto key = keys_.Current();
  if (!key) return key.error();
  nlohmann::json access = AccessClaims(client, client.id, issuer, clock_.Now());
  if (!scope.empty()) access["scp"] = scope;
  FifoGate::Pass pass(GateFor(**key));
  auto tokens = SignAccessToken(**key, access, scope);
  if (tokens) CountIssued(Grant::kClientCredentials, *tokens);
  return tokens;
}

Result<AccessTokenInfo> TokenService::VerifyAccessToken(const std::string& token,
                                                        const std::vector<std::string>& issuers) {
  auto invalid = [](const std::string& why) { return Error(ErrorCode::kInvalidToken, why); };
  auto jwt = VerifyJwt(token, keys_.Lookup());
  if (!jwt) return invalid(jwt.error().description);
  const auto& c = jwt->payload;
  auto exp = Claim<int64_t>(c, "exp");
  if (!exp || *exp <= clock_.Now()) return invalid("the access token has expired");
  auto iss = Claim<std::string>(c, "iss");
  if (!iss || std::find(issuers.begin(), issuers.end(), *iss) == issuers.end()) {
    return invalid("the access token was issued by another server");
  }
  auto client_id = Claim<std::string>(c, "client_id");
  if (!client_id) return invalid("not an access token");
  // RFC 7009: a revoked access token is remembered by its jti until it expires.
  if (auto jti = Claim<std::string>(c, "jti")) {
    auto revoked = store_.IsAccessTokenRevoked(*jti);
    if (!revoked) return revoked.error();
    if (*revoked) return invalid("the access token was revoked");
  }
  AccessTokenInfo info;
  info.claims = c;
  info.client_id = *client_id;
  auto client = store_.GetClient(info.client_id);
  if (!client) return client.error();
  if (!*client || (*client)->disabled) return invalid("the application was deleted or disabled");
  if (auto sid = Claim<std::string>(c, "sid")) {
    auto grant = store_.GetGrant(*sid);
    if (!grant) return grant.error();
    if (!*grant) return invalid("the access token was revoked");
    info.user_id = (*grant)->user_id;
    info.scope = (*grant)->scope;
    auto user = store_.GetUser(info.user_id);
    if (!user) return user.error();
    if (!*user || (*user)->disabled) return invalid("the user was deleted or disabled");
  } else if (auto scp = Claim<std::string>(c, "scp")) {
    info.scope = *scp;
  }
  return info;
}

}  // namespace atm
