#include "domain/logout.h"

#include <algorithm>

#include "crypto/jwt.h"

namespace atm {

Result<IdTokenHint> LogoutService::ReadHint(const std::string& id_token, const std::vector<std::string>& issuers) {
  auto jwt = VerifyJwt(id_token, keys_.Lookup());
  if (!jwt) return InvalidRequest("id_token_hint is not an ID token of this server", "id_token_hint");
  const auto& p = jwt->payload;
  auto text = [&](const char* claim) {
    auto it = p.find(claim);
    return it != p.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (std::find(issuers.begin(), issuers.end(), text("iss")) == issuers.end()) {
    return InvalidRequest("id_token_hint was issued by another server", "id_token_hint");
  }
  IdTokenHint hint{text("aud"), text("sub"), text("sid")};
  // An access token has aud and sub too, but also client_id (domain/tokens.cpp).
  if (hint.client_id.empty() || hint.user_id.empty() || p.contains("client_id")) {
    return InvalidRequest("id_token_hint is not an ID token (no aud or sub)", "id_token_hint");
  }
  return hint;
}

Status LogoutService::SignOut(const std::string& session_id, const IdTokenHint* hint) {
  if (auto ended = sessions_.End(session_id); !ended) return ended.error();
  if (hint && !hint->grant_id.empty() && sessions_.options().revoke_on_logout) {
    if (auto s = grants_.RevokeGrant(hint->grant_id); !s && !s.error().Is(ErrorCode::kNotFound)) return s;
  }
  return Ok();
}

}  // namespace atm
