#include "domain/token_status.h"

#include "crypto/encoding.h"

namespace atm {
namespace {

const nlohmann::json kInactive = {{"active", false}};

}  // namespace

bool LooksLikeJwt(const std::string& token) { return token.find('.') != std::string::npos; }

Result<nlohmann::json> TokenStatusService::Introspect(const std::string& token, const ClientRecord& caller,
                                                      const IssuerSet& issuers) {
  if (token.empty()) return InvalidRequest("token is required", "token");
  if (!LooksLikeJwt(token)) return IntrospectRefresh(token, caller, issuers);
  auto info = tokens_.VerifyAccessToken(token, issuers.accepted);
  if (!info) {
    if (info.error().Is(ErrorCode::kInvalidToken)) return kInactive;
    return info.error();
  }
  if (info->client_id != caller.id) return kInactive;
  const auto& c = info->claims;
  nlohmann::json out = {{"active", true},
                        {"token_type", "Bearer"},
                        {"client_id", info->client_id},
                        {"sub", c.value("sub", info->client_id)},
                        {"exp", c["exp"]},
                        {"iss", c["iss"]},
                        {"aud", c.value("aud", caller.id)}};
  if (c.contains("iat")) out["iat"] = c["iat"];
  if (c.contains("jti")) out["jti"] = c["jti"];
  if (!info->scope.empty()) out["scope"] = info->scope;
  if (!info->user_id.empty()) {
    auto user = store_.GetUser(info->user_id);
    if (!user) return user.error();
    if (*user) out["username"] = (*user)->email;
  }
  return out;
}

Result<nlohmann::json> TokenStatusService::IntrospectRefresh(const std::string& token, const ClientRecord& caller,
                                                             const IssuerSet& issuers) {
  auto live = store_.GetLiveRefresh(HashSecret(token), clock_.Now());
  if (!live) return live.error();
  if (!*live || (*live)->client_id != caller.id) return kInactive;
  auto grant = store_.GetGrant((*live)->grant_id);
  if (!grant) return grant.error();
  auto user = store_.GetUser((*live)->user_id);
  if (!user) return user.error();
  if (!*grant || !*user || (*user)->disabled) return kInactive;
  nlohmann::json out = {{"active", true},
                        {"token_type", "refresh_token"},
                        {"client_id", caller.id},
                        {"sub", (*user)->id},
                        {"username", (*user)->email},
                        {"exp", (*live)->expires_at},
                        {"iat", (*live)->issued_at},
                        {"iss", issuers.refresh_issuer},
                        {"aud", caller.id}};
  if (!(*grant)->scope.empty()) out["scope"] = (*grant)->scope;
  return out;
}

Status TokenStatusService::Revoke(const std::string& token, const ClientRecord& caller, const IssuerSet& issuers) {
  if (token.empty()) return InvalidRequest("token is required", "token");
  const auto foreign = InvalidGrant("the token was issued to another application; it was not revoked");
  if (LooksLikeJwt(token)) {
    auto info = tokens_.VerifyAccessToken(token, issuers.accepted);
    if (!info) {
      // §2.2: an invalid, expired or already revoked token needs no revocation.
      if (info.error().Is(ErrorCode::kInvalidToken)) return Ok();
      return info.error();
    }
    if (info->client_id != caller.id) return foreign;
    const auto& c = info->claims;
    if (!c.contains("jti") || !c["jti"].is_string()) return Ok();  // not one of ours
    return store_.RevokeAccessToken(c["jti"].get<std::string>(), c["exp"].get<int64_t>());
  }
  auto live = store_.GetLiveRefresh(HashSecret(token), clock_.Now());
  if (!live) return live.error();
  if (!*live) return Ok();
  if ((*live)->client_id != caller.id) return foreign;
  return store_.RevokeGrant((*live)->grant_id);
}

}  // namespace atm
