#include "oauth/grants.h"

namespace atm {

Result<TokenSet> GrantClientCredentials(const OAuthDeps& deps, const GrantRequest& request) {
  auto client = deps.clients.Authenticate(request.credentials.client_id, request.credentials.client_secret,
                                          /*secret_required=*/true);
  if (!client) return client.error();
  // RFC 6749 §4.4: only confidential clients may use this grant.
  if (client->is_public) {
    return Error(ErrorCode::kUnauthorizedClient, "a public application cannot use client_credentials");
  }
  return deps.tokens.IssueForClient(*client, request.params.Get("scope"), request.issuer);
}

}  // namespace atm
