// The device authorization grant's endpoints (RFC 8628), beside the token
// endpoint's grant (grant_device_code.cpp):
//   POST /device_authorization   §3.1-3.2: device_code, user_code, verification URIs
//   GET  /device                 §3.3: the verification page (web/device.html)
//   POST /device/code            the page: the typed user code -> the application
//   POST /device/signin          the page: email and password -> a consent ticket
//   POST /device/decide          the page: decision allow or deny, with the ticket
// The page's calls answer only atm's own page (Sec-Fetch-Site or Origin), and
// both code guesses and passwords are throttled like sign-ins.
#pragma once

#include <string>

#include "domain/audit.h"
#include "domain/throttle.h"
#include "http/router.h"
#include "oauth/deps.h"

namespace atm {

// `issuer` is the base of the verification URIs.
void RegisterDeviceRoutes(Router& router, const OAuthDeps& deps, Throttle& throttle, AuditService& audit,
                          const std::string& issuer);

}  // namespace atm
