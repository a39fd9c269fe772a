// What the test-control API's failures and records need to know of an OAuth
// request: the client it is for, and its parameters (never its secrets).
#pragma once

#include <string>

#include "http/http.h"
#include "oauth/params.h"

namespace atm {

struct RequestInfo {
  std::string client_id;   // Basic auth, the body, or the query; "" when none
  std::string login;       // the login name of a sign-in
  std::string grant_type;  // a token request's grant type
};

RequestInfo ReadRequestInfo(const HttpRequest& request);

}  // namespace atm
