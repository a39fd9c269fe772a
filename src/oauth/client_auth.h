// Client credentials of a token request (RFC 6749 §2.3.1): HTTP Basic, or
// client_id/client_secret in the body (also the ATM spellings clientId and
// clientSecret). Using both Basic and a body secret is invalid_request.
#pragma once

#include <string>

#include "core/result.h"
#include "domain/clients.h"
#include "http/http.h"
#include "oauth/params.h"

namespace atm {

struct ClientCredentials {
  std::string client_id;
  std::string client_secret;
  bool basic = false;  // came in an Authorization: Basic header
};

Result<ClientCredentials> ExtractClientCredentials(const HttpRequest& request, const Params& params);
// Extracts and checks the credentials (RFC 6749 §2.3.1): a confidential client
// must present its secret, a public client only its client_id. `basic` tells
// whether the client used the Authorization header (for ClientAuthFailure).
Result<ClientRecord> AuthenticateClient(ClientService& clients, const HttpRequest& request, const Params& params,
                                        bool* basic);
// The invalid_client response for a failed authentication: 401, with
// WWW-Authenticate when the client used Basic (RFC 6749 §5.2).
HttpResponse ClientAuthFailure(const Error& error, bool basic);

}  // namespace atm
