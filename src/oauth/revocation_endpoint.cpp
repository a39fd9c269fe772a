#include "oauth/revocation_endpoint.h"

#include "http/responses.h"
#include "oauth/client_auth.h"
#include "oauth/params.h"

namespace atm {

Handler MakeRevokeHandler(const OAuthDeps& deps, TokenStatusService& status, IssuerSet issuers) {
  return [&deps, &status, issuers](const HttpRequest& request) -> HttpResponse {
    auto params = ParseFormBody(request);
    if (!params) return ErrorResponse(params.error());
    bool basic = false;
    auto client = AuthenticateClient(deps.clients, request, *params, &basic);
    if (!client) return ClientAuthFailure(client.error(), basic);
    // token_type_hint is optional and may be ignored (§2.1): the shape tells.
    if (auto s = status.Revoke(params->Get("token"), *client, issuers); !s) return ErrorResponse(s.error());
    return JsonResponse(200, nlohmann::json::object());
  };
}

Handler MakeIntrospectHandler(const OAuthDeps& deps, TokenStatusService& status, IssuerSet issuers) {
  return [&deps, &status, issuers](const HttpRequest& request) -> HttpResponse {
    auto params = ParseFormBody(request);
    if (!params) return ErrorResponse(params.error());
    bool basic = false;
    auto client = AuthenticateClient(deps.clients, request, *params, &basic);
    if (!client) return ClientAuthFailure(client.error(), basic);
    if (client->is_public) {
      return ClientAuthFailure(
          InvalidClient("a public application cannot authenticate, so it cannot use introspection (RFC 7662 §2.1)"),
          basic);
    }
    auto result = status.Introspect(params->Get("token"), *client, issuers);
    if (!result) return ErrorResponse(result.error());
    return JsonResponse(200, *result);
  };
}

}  // namespace atm
