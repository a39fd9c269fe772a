#include "oauth/grants.h"

namespace atm {

Result<TokenSet> GrantDeviceCode(const OAuthDeps& deps, const GrantRequest& request) {
  // §3.4: a confidential client authenticates; a public one sends its client_id.
  auto client = deps.clients.Authenticate(request.credentials.client_id, request.credentials.client_secret,
                                          /*secret_required=*/true);
  if (!client) return client.error();
  if (!client->device_grant) {
    return Error(ErrorCode::kUnauthorizedClient,
                 "this application may not use the device authorization grant (see its device_grant setting)");
  }
  auto approved = deps.devices.Poll(request.params.Get("device_code"), client->id);
  if (!approved) return approved.error();
  return deps.tokens.IssueForDevice(*approved, *client, request.issuer);
}

}  // namespace atm
