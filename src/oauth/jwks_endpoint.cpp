#include "oauth/jwks_endpoint.h"

#include "http/responses.h"

namespace atm {

Handler MakeJwksHandler(KeyService& keys) {
  return [&keys](const HttpRequest&) -> HttpResponse {
    // Right after a cold start the first key may still be generating.
    if (auto current = keys.Current(); !current) return ErrorResponse(current.error());
    HttpResponse r;
    r.content_type = "application/json";
    r.body = *keys.JwksJson();
    // Short cache: clients pick up a rotation within a minute.
    r.With("Cache-Control", "public, max-age=60");
    return r;
  };
}

}  // namespace atm
