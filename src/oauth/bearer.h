// Bearer tokens at a protected resource (RFC 6750): reading the token from the
// request and answering failures with WWW-Authenticate.
#pragma once

#include <string>

#include "core/result.h"
#include "http/http.h"

namespace atm {

// RFC 6750 §2.1 (Authorization: Bearer) or §2.2 (access_token in a form body).
// No token at all is kMissingToken; two methods at once, or a malformed
// header, invalid_request (§2: exactly one method).
Result<std::string> ExtractBearerToken(const HttpRequest& request);

// RFC 6750 §3: the error's status (401 invalid_token, 403 insufficient_scope,
// 400 invalid_request) with `WWW-Authenticate: Bearer realm="atm"[, error=...,
// error_description=...]` and the same error as a JSON body. For kMissingToken
// the header names no error (§3.1). Only for these bearer errors; storage
// failures go through ErrorResponse.
HttpResponse BearerFailure(const Error& error, const std::string& required_scope = {});

}  // namespace atm
