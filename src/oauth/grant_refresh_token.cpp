#include "oauth/grants.h"

namespace atm {

Result<TokenSet> GrantRefreshToken(const OAuthDeps& deps, const GrantRequest& request) {
  const Params& p = request.params;
  std::string token = p.First({"refresh_token", "refreshToken"});
  if (token.empty()) return InvalidRequest("refresh_token is required", "refresh_token");
  auto client = deps.clients.Authenticate(request.credentials.client_id, request.credentials.client_secret,
                                          request.secret_required_for_refresh);
  if (!client) return client.error();
  // RFC 6749 §6: a narrower scope may be asked for, never a wider one. Tokens
  // here carry the scope of the original grant.
  // A reused token revokes its login: the audit trail records it, with the
  // revoked grant (the store fills in the subject).
  AuditEvent reuse =
      NewAuditEvent(audit_kind::kRefreshReuse, Actor{"client:" + client->id, request.address}, deps.clock.Now());
  reuse.outcome = "revoked";
  reuse.client_id = client->id;
  return deps.tokens.Refresh(token, *client, request.issuer, p.First({"id_token", "idToken"}), &reuse);
}

}  // namespace atm
