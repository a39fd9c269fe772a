#include "testing/request_info.h"

#include "oauth/client_auth.h"

namespace atm {

RequestInfo ReadRequestInfo(const HttpRequest& request) {
  RequestInfo out;
  auto params = request.method == "GET" ? ParseQuery(request) : ParseBody(request);
  if (!params) return out;
  if (auto credentials = ExtractClientCredentials(request, *params)) out.client_id = credentials->client_id;
  if (out.client_id.empty()) out.client_id = params->First({"client_id", "clientId"});
  out.login = params->First({"loginId", "email", "username"});
  out.grant_type = GrantTypeParam(*params, /*atm_aliases=*/true);
  return out;
}

}  // namespace atm
