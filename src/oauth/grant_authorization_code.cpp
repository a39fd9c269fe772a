#include "oauth/grants.h"

namespace atm {

Result<TokenSet> GrantAuthorizationCode(const OAuthDeps& deps, const GrantRequest& request) {
  const Params& p = request.params;
  std::string code = p.Get("code");
  if (code.empty()) return InvalidRequest("code is required", "code");
  std::string verifier = p.First({"code_verifier", "codeVerifier"});
  // RFC 7636 §4.4.1 / RFC 9700 §2.1.1: every code here has a challenge, so a
  // request without a verifier is a PKCE downgrade attempt.
  if (verifier.empty()) return InvalidRequest("code_verifier is required (PKCE)", "code_verifier");
  // Public clients authenticate with PKCE alone; confidential ones need their secret.
  auto client = deps.clients.Authenticate(request.credentials.client_id, request.credentials.client_secret,
                                          /*secret_required=*/true);
  if (!client) return client.error();
  auto redeemed = deps.codes.Redeem({code, client->id, verifier, p.Get("redirect_uri"), request.atm_verifier_rule});
  if (!redeemed) return redeemed.error();
  return deps.tokens.IssueForCode(*redeemed, *client, request.issuer);
}

}  // namespace atm
