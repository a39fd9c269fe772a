#include "oauth/userinfo_endpoint.h"

#include "domain/claims.h"
#include "http/responses.h"
#include "oauth/bearer.h"

namespace atm {

Handler MakeUserinfoHandler(const OAuthDeps& deps, std::vector<std::string> issuers) {
  return [&deps, issuers](const HttpRequest& request) -> HttpResponse {
    auto token = ExtractBearerToken(request);
    if (!token) return BearerFailure(token.error());
    auto info = deps.tokens.VerifyAccessToken(*token, issuers);
    if (!info) {
      if (!info.error().Is(ErrorCode::kInvalidToken)) return ErrorResponse(info.error());
      return BearerFailure(info.error());
    }
    // A client_credentials token has no user; an OAuth token without openid
    // gives no access to identity (OIDC Core §5.3). The ATM flow's empty scope
    // stands for everything.
    if (info->user_id.empty() || (!info->scope.empty() && !HasScope(info->scope, "openid"))) {
      return BearerFailure(Error(ErrorCode::kInsufficientScope, "the access token was not issued for the openid scope"),
                           "openid");
    }
    auto user = deps.users.Get(info->user_id);
    if (!user) {
      if (user.error().Is(ErrorCode::kNotFound))
        return BearerFailure(Error(ErrorCode::kInvalidToken, "the user no longer exists"));
      return ErrorResponse(user.error());
    }
    return JsonResponse(200, UserClaims(*user, info->scope));
  };
}

}  // namespace atm
