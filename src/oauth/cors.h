// Cross-origin requests from web pages (CORS, the Fetch standard §3.2).
// Public documents (discovery, JWKS) may be read by any page. The endpoints
// a browser app calls (token, revocation, introspection, userinfo, and the ATM
// /auth and /auth/token) answer a page's origin only when the application of
// the request allows it (ClientService::AllowsOrigin); a request that names no
// known application (a malformed one, which gets an error) is answered when
// any enabled application allows the origin, so that the app can read the
// OAuth error. A disallowed origin gets no CORS header, and nothing else
// changes. Preflights (OPTIONS) name no application: they are answered for
// an origin that any enabled application allows.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "domain/clients.h"
#include "http/router.h"

namespace atm {

// Which application a request is for: its client_id, or "".
using ClientOfRequest = std::function<std::string(const HttpRequest&)>;
// The client_id of a token-endpoint style request: HTTP Basic, or the body's
// client_id / clientId (form or JSON).
std::string ClientFromCredentials(const HttpRequest& request);
// The client an access token was issued to (the Bearer token's client_id
// claim, read without verifying it: it only decides whether the browser may
// read the answer, and a forged token's answer is a 401).
std::string ClientFromBearerToken(const HttpRequest& request);

// A public document: GET (and HEAD) answered with
// `Access-Control-Allow-Origin: *`, and its preflight.
void AddPublicRoute(Router& router, const std::string& path, Handler handler);
// An endpoint a browser app calls, for each of `methods`: the request's origin
// on every answer (errors too) when the application allows it, with
// `Vary: Origin`; and its preflight.
void AddBrowserRoute(Router& router, ClientService& clients, const std::vector<std::string>& methods,
                     const std::string& path, Handler handler, ClientOfRequest client_of);

}  // namespace atm
