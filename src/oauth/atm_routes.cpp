#include "oauth/atm_routes.h"

#include "http/responses.h"
#include "oauth/auth_endpoint.h"
#include "oauth/cors.h"
#include "oauth/jwks_endpoint.h"
#include "oauth/login_endpoint.h"
#include "oauth/pages.h"
#include "oauth/token_endpoint.h"

namespace atm {

void RegisterAtmRoutes(Router& router, const OAuthDeps& deps, Throttle& throttle, AuditService& audit) {
  router.Add("GET", "/health", [](const HttpRequest&) { return JsonResponse(200, {{"status", "ok"}}); });
  router.Add("GET", "/login", MakeLoginPageHandler(deps));
  AddBrowserRoute(router, deps.clients, {"POST"}, "/auth", MakeAuthHandler(deps, throttle, audit),
                  ClientFromCredentials);
  AddBrowserRoute(router, deps.clients, {"POST"}, "/auth/token", MakeTokenHandler(deps, TokenEndpointRules{}),
                  ClientFromCredentials);
  AddPublicRoute(router, "/auth/.well-known/jwks.json", MakeJwksHandler(deps.keys));
  AddPublicRoute(router, "/.well-known/jwks.json", MakeJwksHandler(deps.keys));
  for (const char* asset : {"/assets/login.css", "/assets/login.js", "/assets/device.js", "/assets/icon.svg"}) {
    router.Add("GET", asset, StaticAsset);
  }
  // Browsers ask for /favicon.ico on pages that name no icon (the JSON ones).
  router.Add("GET", "/favicon.ico", [](const HttpRequest&) {
    HttpRequest icon;
    icon.path = "/assets/icon.svg";
    return StaticAsset(icon);
  });
}

}  // namespace atm
