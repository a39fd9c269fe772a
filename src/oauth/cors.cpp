#include "oauth/cors.h"

#include <utility>

#include "crypto/jwt.h"
#include "oauth/bearer.h"
#include "oauth/client_auth.h"
#include "oauth/params.h"

namespace atm {
namespace {

constexpr const char* kAllowHeaders = "Authorization, Content-Type";
// What an app may read besides the CORS-safelisted headers: the bearer
// challenge of a 401 (RFC 6750 §3) and the wait of a throttled sign-in.
constexpr const char* kExposeHeaders = "WWW-Authenticate, Retry-After";
constexpr const char* kMaxAge = "600";

bool IsPreflight(const HttpRequest& request) {
  return request.method == "OPTIONS" && !request.Header("origin").empty() &&
         !request.Header("access-control-request-method").empty();
}

HttpResponse NoContent(const std::string& allow) {
  HttpResponse r;
  r.status = 204;
  r.content_type.clear();
  r.With("Allow", "OPTIONS, " + allow);
  return r;
}

bool AnyAllows(ClientService& clients, const std::string& origin) {
  auto any = clients.AnyAllowsOrigin(origin);
  return any && *any;
}

}  // namespace

std::string ClientFromCredentials(const HttpRequest& request) {
  auto params = ParseBody(request);
  if (!params) return {};
  auto credentials = ExtractClientCredentials(request, *params);
  return credentials ? credentials->client_id : std::string();
}

std::string ClientFromBearerToken(const HttpRequest& request) {
  auto token = ExtractBearerToken(request);
  if (!token) return {};
  auto jwt = DecodeJwtUnverified(*token);
  if (!jwt) return {};
  const auto& claims = jwt->payload;
  auto it = claims.find("client_id");
  return it != claims.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void AddPublicRoute(Router& router, const std::string& path, Handler handler) {
  router.Add("GET", path, [handler = std::move(handler)](const HttpRequest& request) {
    return handler(request).With("Access-Control-Allow-Origin", "*");
  });
  router.Add("OPTIONS", path, [](const HttpRequest& request) {
    HttpResponse r = NoContent("GET, HEAD");
    if (!IsPreflight(request)) return r;
    return r.With("Access-Control-Allow-Origin", "*")
        .With("Access-Control-Allow-Methods", "GET, HEAD")
        .With("Access-Control-Allow-Headers", kAllowHeaders)
        .With("Access-Control-Max-Age", kMaxAge);
  });
}

void AddBrowserRoute(Router& router, ClientService& clients, const std::vector<std::string>& methods,
                     const std::string& path, Handler handler, ClientOfRequest client_of) {
  Handler with_cors = [handler = std::move(handler), &clients,
                       client_of = std::move(client_of)](const HttpRequest& request) {
    HttpResponse response = handler(request);
    const std::string origin = request.Header("origin");
    if (origin.empty()) return response;
    auto client = clients.FindActive(client_of(request));
    bool allowed = client ? ClientService::AllowsOrigin(*client, origin) : AnyAllows(clients, origin);
    if (!allowed) return response;
    return response.With("Access-Control-Allow-Origin", origin)
        .With("Access-Control-Expose-Headers", kExposeHeaders)
        .With("Vary", "Origin");
  };
  std::string list;
  for (const auto& m : methods) {
    router.Add(m, path, with_cors);
    list += (list.empty() ? "" : ", ") + m;
  }
  router.Add("OPTIONS", path, [&clients, list](const HttpRequest& request) {
    HttpResponse r = NoContent(list);
    if (!IsPreflight(request)) return r;
    const std::string origin = request.Header("origin");
    r.With("Vary", "Origin");
    if (!AnyAllows(clients, origin)) return r;
    return r.With("Access-Control-Allow-Origin", origin)
        .With("Access-Control-Allow-Methods", list)
        .With("Access-Control-Allow-Headers", kAllowHeaders)
        .With("Access-Control-Max-Age", kMaxAge);
  });
}

}  // namespace atm
