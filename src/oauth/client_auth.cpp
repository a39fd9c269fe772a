#include "oauth/client_auth.h"

#include "crypto/encoding.h"
#include "http/responses.h"
#include "http/url.h"

namespace atm {

Result<ClientCredentials> ExtractClientCredentials(const HttpRequest& request, const Params& params) {
  ClientCredentials out;
  std::string body_id = params.First({"clientId", "client_id"});
  std::string body_secret = params.First({"clientSecret", "client_secret"});
  std::string auth = request.Header("authorization");
  if (auth.size() > 6 && (auth.compare(0, 6, "Basic ") == 0 || auth.compare(0, 6, "basic ") == 0)) {
    auto decoded = Base64Decode(auth.substr(6));
    size_t colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon == std::string::npos) {
      return Error(ErrorCode::kInvalidClient, "the Basic authorization header is malformed");
    }
    // RFC 6749 §2.3.1: id and secret are form-encoded before base64.
    auto id = PercentDecode(decoded->substr(0, colon), true);
    auto secret = PercentDecode(decoded->substr(colon + 1), true);
    if (!id || !secret) return Error(ErrorCode::kInvalidClient, "the Basic authorization header is malformed");
    if (!body_secret.empty()) {
      return InvalidRequest("use one client authentication method, not Basic and a body secret");
    }
    if (!body_id.empty() && body_id != *id) {
      return InvalidRequest("the client_id in the body differs from the Basic credentials");
    }
    out.client_id = std::move(*id);
    out.client_secret = std::move(*secret);
    out.basic = true;
    return out;
  }
  out.client_id = body_id;
  out.client_secret = body_secret;
  if (out.client_id.empty()) return InvalidRequest("clientId (client_id) is required", "clientId");
  return out;
}

Result<ClientRecord> AuthenticateClient(ClientService& clients, const HttpRequest& request, const Params& params,
                                        bool* basic) {
  auto credentials = ExtractClientCredentials(request, params);
  if (!credentials && credentials.error().field == "clientId") {
    // No credentials at all: RFC 6749 §5.2 calls that invalid_client (401),
    // and the challenge tells the client how to authenticate.
    *basic = true;
    return InvalidClient("client authentication is required (HTTP Basic with the client_id and client_secret)");
  }
  if (!credentials) return credentials.error();
  *basic = credentials->basic;
  return clients.Authenticate(credentials->client_id, credentials->client_secret, /*secret_required=*/true);
}

HttpResponse ClientAuthFailure(const Error& error, bool basic) {
  HttpResponse r = ErrorResponse(error);
  if (basic && error.Is(ErrorCode::kInvalidClient)) r.With("WWW-Authenticate", "Basic realm=\"atm\"");
  return r;
}

}  // namespace atm
